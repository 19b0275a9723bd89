/// Why an imaging operation was refused.
public enum ImagingError: Error, Equatable, CustomStringConvertible {
    /// Zero or negative size.
    case invalidSize(width: Int, height: Int)
    /// A buffer whose length does not match its size.
    case valueCountMismatch(expected: Int, actual: Int)
    /// Two inputs whose sizes must agree do not.
    case sizeMismatch(String)
    /// An option out of its range.
    case invalidOption(String)

    public var description: String {
        switch self {
        case .invalidSize(let w, let h): "invalid map size \(w)x\(h)"
        case .valueCountMismatch(let e, let a): "map holds \(a) values, expected \(e)"
        case .sizeMismatch(let detail): "size mismatch: \(detail)"
        case .invalidOption(let detail): detail
        }
    }
}
