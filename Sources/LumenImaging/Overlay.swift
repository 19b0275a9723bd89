import LumenIO

/// Blends a colour-mapped heatmap over an image the way reviewers expect from the Python CAM
/// tools: `out = α·colour(mask) + (1 − α)·image` in [0, 1], then divided by its maximum and
/// truncated to 8 bits. With `blend: .heat` the weight follows the heat instead
/// (`α·m` at a pixel of heat `m`), so cold regions keep the photo's own colours, and nothing is
/// rescaled.
public struct Overlay: Sendable {
    /// Colour map for the heatmap.
    public var colormap: Colormap
    /// Weight α of the heatmap, in [0, 1]; the image gets 1 − α.
    public var heatmapWeight: Float
    /// How the weight is spread over the picture.
    public var blend: OverlayBlend

    /// An overlay recipe; `heatmapWeight` outside [0, 1] is refused.
    public init(
        colormap: Colormap = .jet,
        heatmapWeight: Float = 0.5,
        blend: OverlayBlend = .uniform
    ) throws(ImagingError) {
        guard heatmapWeight >= 0, heatmapWeight <= 1 else {
            throw .invalidOption("heatmap weight (alpha) must be in [0, 1], got \(heatmapWeight)")
        }
        self.colormap = colormap
        self.heatmapWeight = heatmapWeight
        self.blend = blend
    }

    /// Blends `mask` (values in [0, 1], same size as the image) over `image`.
    public func apply(_ mask: FloatMap, on image: RGBImage) throws(ImagingError) -> RGBImage {
        guard mask.width == image.width, mask.height == image.height else {
            throw .sizeMismatch("heatmap is \(mask.width)x\(mask.height), image is \(image.width)x\(image.height)")
        }
        if blend == .heat { return heatWeighted(mask, on: image) }
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

/// How an overlay weighs the heatmap against the photo.
public enum OverlayBlend: String, Sendable, CaseIterable {
    /// The same weight α everywhere, then rescaled by the brightest value (pytorch-grad-cam's
    /// `show_cam_on_image`).
    case uniform
    /// Weight α·m at heat m: cold regions stay the photo, hot ones take the map's colour.
    case heat
}

extension Overlay {
    /// `out = a·colour(m) + (1 − a)·image` with `a = α·m` (m clamped to [0, 1]), rounded to 8 bits.
    func heatWeighted(_ mask: FloatMap, on image: RGBImage) -> RGBImage {
        let table = colormap.table
        var out = image
        out.pixels.withUnsafeMutableBufferPointer { px in
            for p in 0..<mask.values.count {
                let m = mask.values[p]
                let a = heatmapWeight * (m > 0 ? min(m, 1) : 0)
                guard a > 0 else { continue }
                let t = Colormap.index(of: m) * 3
                for c in 0..<3 {
                    let v = a * Float(table[t + c]) + (1 - a) * Float(px[3 * p + c])
                    px[3 * p + c] = UInt8(min(255, max(0, v.rounded())))
                }
            }
        }
        return out
    }
}
