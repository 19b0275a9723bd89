import LumenIO
import LumenNumerics

/// Deepchecks' image properties, computed from 8-bit RGB pixels (0–255).
public struct ImageProperties: Sendable, Codable, Equatable {
    /// height / width.
    public var aspectRatio: Double
    /// height · width.
    public var area: Double
    /// Mean of Y = 0.2125 R + 0.7154 G + 0.0721 B.
    public var brightness: Double
    /// Population standard deviation of Y.
    public var rmsContrast: Double
    /// Mean over pixels of R / (R + G + B) (0 where the sum is 0); likewise G and B.
    public var meanRelativeRed: Double
    public var meanRelativeGreen: Double
    public var meanRelativeBlue: Double

    /// Property names in report order.
    public static let names = [
        "aspect_ratio", "area", "brightness", "rms_contrast", "mean_relative_red", "mean_relative_green",
        "mean_relative_blue",
    ]

    /// Values in `names` order.
    public var values: [Double] {
        [aspectRatio, area, brightness, rmsContrast, meanRelativeRed, meanRelativeGreen, meanRelativeBlue]
    }

    /// Computes the properties over all pixels, or over `samplePixels` pixels drawn with a seed.
    public init(_ image: RGBImage, samplePixels: Int? = nil, seed: UInt64 = 0) {
        let count = image.width * image.height
        aspectRatio = Double(image.height) / Double(image.width)
        area = Double(count)
        var sumY = 0.0
        var sumY2 = 0.0
        var r = 0.0
        var g = 0.0
        var b = 0.0
        var used = 0
        image.pixels.withUnsafeBufferPointer { px in
            func visit(_ p: Int) {
                let R = Double(px[3 * p])
                let G = Double(px[3 * p + 1])
                let B = Double(px[3 * p + 2])
                let y = 0.2125 * R + 0.7154 * G + 0.0721 * B
                sumY += y
                sumY2 += y * y
                let total = R + G + B
                if total > 0 {
                    r += R / total
                    g += G / total
                    b += B / total
                }
                used += 1
            }
            if let samplePixels, samplePixels < count {
                var generator = SeededGenerator(seed: seed)
                for _ in 0..<samplePixels { visit(generator.nextIndex(count)) }
            } else {
                for p in 0..<count { visit(p) }
            }
        }
        let n = Double(used)
        brightness = sumY / n
        rmsContrast = max(0, sumY2 / n - brightness * brightness).squareRoot()
        meanRelativeRed = r / n
        meanRelativeGreen = g / n
        meanRelativeBlue = b / n
    }

    enum CodingKeys: String, CodingKey {
        case area, brightness
        case aspectRatio = "aspect_ratio"
        case rmsContrast = "rms_contrast"
        case meanRelativeRed = "mean_relative_red"
        case meanRelativeGreen = "mean_relative_green"
        case meanRelativeBlue = "mean_relative_blue"
    }
}
