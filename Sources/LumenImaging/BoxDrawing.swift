import LumenIO

/// An axis-aligned rectangle in pixel coordinates (inclusive corners).
public struct PixelBox: Sendable, Equatable {
    public var x0: Int
    public var y0: Int
    public var x1: Int
    public var y1: Int

    /// A box from two corners, in any order.
    public init(x0: Int, y0: Int, x1: Int, y1: Int) {
        self.x0 = min(x0, x1)
        self.y0 = min(y0, y1)
        self.x1 = max(x0, x1)
        self.y1 = max(y0, y1)
    }
}

extension RGBImage {
    /// Draws the outline of `box` with the given line thickness, clipped to the image.
    public mutating func drawBox(_ box: PixelBox, color: (UInt8, UInt8, UInt8), thickness: Int = 2) {
        let t = max(1, thickness)
        fillRect(x0: box.x0, y0: box.y0, x1: box.x1, y1: box.y0 + t - 1, color: color)
        fillRect(x0: box.x0, y0: box.y1 - t + 1, x1: box.x1, y1: box.y1, color: color)
        fillRect(x0: box.x0, y0: box.y0, x1: box.x0 + t - 1, y1: box.y1, color: color)
        fillRect(x0: box.x1 - t + 1, y0: box.y0, x1: box.x1, y1: box.y1, color: color)
    }

    /// Fills the inclusive rectangle, clipped to the image.
    public mutating func fillRect(x0: Int, y0: Int, x1: Int, y1: Int, color: (UInt8, UInt8, UInt8)) {
        let xa = max(0, x0)
        let xb = min(width - 1, x1)
        let ya = max(0, y0)
        let yb = min(height - 1, y1)
        guard xa <= xb, ya <= yb else { return }
        for y in ya...yb {
            for x in xa...xb { self[x, y] = (color.0, color.1, color.2) }
        }
    }
}
