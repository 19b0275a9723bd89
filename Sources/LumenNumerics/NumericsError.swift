/// Failures of the linear-algebra layer.
public enum NumericsError: Error, Equatable, CustomStringConvertible {
    /// Dimensions that do not fit together, or are empty.
    case invalidDimensions(String)
    /// LAPACK reported a failure with this `info` code.
    case lapackFailure(routine: String, info: Int32)

    public var description: String {
        switch self {
        case .invalidDimensions(let detail): "invalid dimensions: \(detail)"
        case .lapackFailure(let routine, let info): "\(routine) failed (info = \(info))"
        }
    }
}
