/// Why an image could not be decoded, encoded or built.
public enum ImageError: Error, Equatable, CustomStringConvertible {
    /// The bytes are neither PNG nor JPEG.
    case unknownFormat
    /// The file is damaged or truncated; `detail` is the codec's own words.
    case corrupt(format: ImageFormat, detail: String)
    /// The image has more pixels than the configured budget (decompression-bomb guard).
    case tooLarge(detail: String)
    /// A valid file that uses something Lumen does not handle.
    case unsupported(detail: String)
    /// The decoder could not allocate the pixels.
    case outOfMemory(detail: String)
    /// Zero or negative width or height.
    case invalidDimensions(width: Int, height: Int)
    /// A pixel buffer whose length does not match its dimensions.
    case bufferSizeMismatch(expected: Int, actual: Int)
    /// The encoder refused its arguments.
    case encodeFailed(detail: String)

    public var description: String {
        switch self {
        case .unknownFormat: "not a PNG or JPEG image (unrecognised file signature)"
        case .corrupt(let format, let detail): "corrupt or truncated \(format.rawValue.uppercased()) image: \(detail)"
        case .tooLarge(let detail): "image refused: \(detail)"
        case .unsupported(let detail): "unsupported image: \(detail)"
        case .outOfMemory(let detail): "out of memory: \(detail)"
        case .invalidDimensions(let w, let h): "invalid image dimensions \(w)x\(h)"
        case .bufferSizeMismatch(let e, let a): "pixel buffer holds \(a) bytes, expected \(e)"
        case .encodeFailed(let detail): "PNG encoding failed: \(detail)"
        }
    }
}

/// The image container formats Lumen reads.
public enum ImageFormat: String, Sendable, Equatable {
    case png
    case jpeg

    /// Recognises a format from the first bytes of a file.
    public static func sniff(_ bytes: some Collection<UInt8>) -> ImageFormat? {
        let head = Array(bytes.prefix(8))
        if head.count >= 8, head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        if head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF { return .jpeg }
        return nil
    }
}
