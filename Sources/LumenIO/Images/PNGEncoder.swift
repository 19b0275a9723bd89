import CImageCodecs

/// Encodes 8-bit images as PNG.
public struct PNGEncoder: Sendable {
    /// Row filters tried by the encoder: a speed/size trade-off.
    public enum Filter: Int32, Sendable {
        /// No filtering: fastest, largest.
        case none = 0
        /// The "sub" filter only: fast, good on smooth overlays.
        case sub = 1
        /// libpng's adaptive choice per row: slowest, smallest.
        case adaptive = 2
        /// The Paeth predictor only.
        case paeth = 3
    }

    /// zlib's match-finding strategy.
    public enum Strategy: Int32, Sendable {
        /// Full LZ77 search.
        case standard = 0
        /// Tuned for filtered image data.
        case filtered = 1
        /// No string matching, entropy coding only: fastest.
        case huffmanOnly = 2
        /// Runs of identical bytes only: fast, good on filtered smooth images.
        case runLength = 3
    }

    /// zlib level 0-9.
    public var compressionLevel: Int
    /// Row filter strategy.
    public var filter: Filter
    /// zlib strategy.
    public var strategy: Strategy

    /// Defaults favour speed: the "sub" filter with Huffman-only coding encodes an overlay several
    /// times faster than zlib level 3 with a file no larger (`lumen-bench png` measures it).
    public init(compressionLevel: Int = 1, filter: Filter = .sub, strategy: Strategy = .huffmanOnly) {
        self.compressionLevel = min(max(compressionLevel, 0), 9)
        self.filter = filter
        self.strategy = strategy
    }

    /// Encodes an RGB image.
    public func encode(_ image: RGBImage) throws(ImageError) -> [UInt8] {
        try encode(pixels: image.pixels, width: image.width, height: image.height, channels: 3)
    }

    /// Encodes a single-channel 8-bit image.
    public func encodeGray(pixels: [UInt8], width: Int, height: Int) throws(ImageError) -> [UInt8] {
        try encode(pixels: pixels, width: width, height: height, channels: 1)
    }

    func encode(pixels: [UInt8], width: Int, height: Int, channels: Int) throws(ImageError) -> [UInt8] {
        guard width > 0, height > 0, width <= Int(UInt32.max), height <= Int(UInt32.max) else {
            throw .invalidDimensions(width: width, height: height)
        }
        guard pixels.count == width * height * channels else {
            throw .bufferSizeMismatch(expected: width * height * channels, actual: pixels.count)
        }
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: Int(LUMEN_CODEC_MESSAGE_LENGTH))
        let status = pixels.withUnsafeBufferPointer { buffer in
            lumen_png_encode(
                buffer.baseAddress,
                UInt32(width),
                UInt32(height),
                UInt32(channels),
                Int32(compressionLevel),
                filter.rawValue,
                strategy.rawValue,
                &output,
                &size,
                &message
            )
        }
        guard status == Int32(LUMEN_CODEC_OK.rawValue), let output else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw .encodeFailed(detail: text.isEmpty ? "status \(status)" : text)
        }
        defer { lumen_codec_free(output) }
        return [UInt8](UnsafeBufferPointer(start: output, count: size))
    }
}
