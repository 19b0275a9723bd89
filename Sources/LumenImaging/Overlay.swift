import LumenIO

/// Blends a colour-mapped heatmap over an image the way reviewers expect from the Python CAM
/// tools: `out = α·colour(mask) + (1 − α)·image` in [0, 1], then divided by its maximum and
/// truncated to 8 bits.
public struct Overlay: Sendable {
    /// Colour map for the heatmap.
    public var colormap: Colormap
    /// Weight α of the heatmap, in [0, 1]; the image gets 1 − α.
    public var heatmapWeight: Float

    /// An overlay recipe; `heatmapWeight` outside [0, 1] is refused.
    public init(colormap: Colormap = .jet, heatmapWeight: Float = 0.5) throws(ImagingError) {
        guard heatmapWeight >= 0, heatmapWeight <= 1 else {
            throw .invalidOption("heatmap weight (alpha) must be in [0, 1], got \(heatmapWeight)")
        }
        self.colormap = colormap
        self.heatmapWeight = heatmapWeight
    }

    /// Blends `mask` (values in [0, 1], same size as the image) over `image`.
    public func apply(_ mask: FloatMap, on image: RGBImage) throws(ImagingError) -> RGBImage {
        guard mask.width == image.width, mask.height == image.height else {
            throw .sizeMismatch("heatmap is \(mask.width)x\(mask.height), image is \(image.width)x\(image.height)")
        }
        // Float lookup tables: colour/255 weighted by α, image/255 weighted by 1 − α.
        let imageWeight = Float(1 - Double(heatmapWeight))
        let alpha = heatmapWeight
        let table = colormap.table
        let heat = (0..<768).map { alpha * (Float(table[$0]) / 255) }
        let base = (0..<256).map { imageWeight * (Float($0) / 255) }
        let count = image.pixels.count
        var blended = [Float](repeating: 0, count: count)
        var peak: Float = 0
        image.pixels.withUnsafeBufferPointer { src in
            blended.withUnsafeMutableBufferPointer { dst in
                for p in 0..<mask.values.count {
                    let t = Colormap.index(of: mask.values[p]) * 3
                    let i = 3 * p
                    let r = heat[t] + base[Int(src[i])]
                    let g = heat[t + 1] + base[Int(src[i + 1])]
                    let b = heat[t + 2] + base[Int(src[i + 2])]
                    dst[i] = r
                    dst[i + 1] = g
                    dst[i + 2] = b
                    peak = max(peak, max(r, max(g, b)))
                }
            }
        }
        var pixels = [UInt8](repeating: 0, count: count)
        if peak > 0 {
            for i in 0..<count { pixels[i] = UInt8(min(255, 255 * (blended[i] / peak))) }
        }
        do {
            return try RGBImage(width: image.width, height: image.height, pixels: pixels)
        } catch {
            throw .invalidSize(width: image.width, height: image.height)
        }
    }
}
