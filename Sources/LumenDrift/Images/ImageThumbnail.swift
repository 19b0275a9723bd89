import Foundation
import LumenIO

/// Small inline previews for the HTML image report: box-averaged down to at most `maxSide` pixels a side, PNG,
/// as a `data:` URI (the report stays one file with no network).
public enum ImageThumbnail {
    /// The thumbnail of an image, or nil when it cannot be encoded.
    public static func dataURI(_ image: RGBImage, maxSide: Int = 112) -> String? {
        guard image.width > 0, image.height > 0 else { return nil }
        let scale = max(1, Int((Double(max(image.width, image.height)) / Double(maxSide)).rounded(.up)))
        let w = max(1, image.width / scale)
        let h = max(1, image.height / scale)
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                var sum = (0, 0, 0)
                for dy in 0..<scale {
                    for dx in 0..<scale {
                        let i = ((y * scale + dy) * image.width + x * scale + dx) * 3
                        sum.0 += Int(image.pixels[i])
                        sum.1 += Int(image.pixels[i + 1])
                        sum.2 += Int(image.pixels[i + 2])
                    }
                }
                let n = scale * scale
                let o = (y * w + x) * 3
                pixels[o] = UInt8(sum.0 / n)
                pixels[o + 1] = UInt8(sum.1 / n)
                pixels[o + 2] = UInt8(sum.2 / n)
            }
        }
        guard let small = try? RGBImage(width: w, height: h, pixels: pixels),
            let png = try? PNGEncoder(compressionLevel: 6).encode(small)
        else { return nil }
        return "data:image/png;base64," + Data(png).base64EncodedString()
    }

    /// Thumbnails of the named files in `folder` (files that cannot be read are left out).
    public static func dataURIs(files: [String], in folder: URL, maxSide: Int = 112) -> [String: String] {
        var out: [String: String] = [:]
        let decoder = ImageDecoder()
        for file in Set(files) {
            guard let image = try? decoder.decode(contentsOf: folder.appendingPathComponent(file)),
                let uri = dataURI(image, maxSide: maxSide)
            else { continue }
            out[file] = uri
        }
        return out
    }
}
