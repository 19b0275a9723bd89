import CImageCodecs
import Foundation

/// Decodes PNG and JPEG bytes to 8-bit RGB, refusing images over a pixel budget before any
/// pixel memory is allocated.
public struct ImageDecoder: Sendable {
    /// Default budget: 100 megapixels.
    public static let defaultMaxPixels = 100_000_000

    /// Largest accepted `width * height`.
    public var maxPixels: Int

    /// A decoder with the given pixel budget.
    public init(maxPixels: Int = ImageDecoder.defaultMaxPixels) {
        self.maxPixels = maxPixels
    }

    /// Decodes an in-memory PNG or JPEG file.
    public func decode(_ data: [UInt8]) throws(ImageError) -> RGBImage {
        guard let format = ImageFormat.sniff(data) else { throw .unknownFormat }
        var result = lumen_decoded_image()
        let status: Int32 = data.withUnsafeBufferPointer { buffer in
            switch format {
            case .png: lumen_png_decode(buffer.baseAddress, buffer.count, UInt64(maxPixels), &result)
            case .jpeg: lumen_jpeg_decode(buffer.baseAddress, buffer.count, UInt64(maxPixels), &result)
            }
        }
        let message = Self.message(of: &result)
        guard status == Int32(LUMEN_CODEC_OK.rawValue), let base = result.pixels else {
            throw Self.error(status: status, format: format, message: message)
        }
        defer { lumen_codec_free(base) }
        let width = Int(result.width)
        let height = Int(result.height)
        let pixels = [UInt8](UnsafeBufferPointer(start: base, count: width * height * 3))
        return try RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Largest image file read from disk: 512 MiB.
    public static let maxFileBytes = 512 << 20

    /// Reads and decodes an image file.
    public func decode(contentsOf url: URL) throws -> RGBImage {
        try decode(FileBytes.read(url, limit: Self.maxFileBytes))
    }

    static func message(of result: inout lumen_decoded_image) -> String {
        withUnsafeBytes(of: &result.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    static func error(status: Int32, format: ImageFormat, message: String) -> ImageError {
        switch UInt32(bitPattern: status) {
        case LUMEN_CODEC_TOO_LARGE.rawValue: .tooLarge(detail: message)
        case LUMEN_CODEC_UNSUPPORTED.rawValue: .unsupported(detail: message)
        case LUMEN_CODEC_NO_MEMORY.rawValue: .outOfMemory(detail: message)
        default: .corrupt(format: format, detail: message.isEmpty ? "unreadable data" : message)
        }
    }
}
