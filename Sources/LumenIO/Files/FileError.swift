/// Failures reading or writing files.
public enum FileError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The file could not be written; nothing was left at the destination.
    case unwritable(path: String, reason: String)
    /// The file is larger than the reader accepts.
    case tooLarge(path: String, bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .unwritable(let path, let reason): "cannot write \(path): \(reason)"
        case .tooLarge(let path, let bytes, let limit): "\(path) is \(bytes) bytes, over the limit of \(limit)"
        }
    }
}
