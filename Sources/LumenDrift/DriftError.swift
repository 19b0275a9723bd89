/// Why a drift computation was refused.
public enum DriftError: Error, Equatable, CustomStringConvertible {
    /// A sample with no (finite) values.
    case emptySample(String)
    /// Samples whose dimensions disagree.
    case dimensionMismatch(String)
    /// NaN or infinite values where they are not allowed.
    case nonFinite(String)
    /// An option out of range.
    case invalidOption(String)
    /// A profile file that cannot be used.
    case badProfile(String)
    /// A CSV or other input file that cannot be used.
    case badInput(String)
    /// Orthogonal Procrustes found no rotation (the solver's reason).
    case alignmentFailed(String)
    /// Retraining a model's own data for the seed-to-seed calibration failed (the trainer's reason).
    case calibrationFailed(String)

    public var description: String {
        switch self {
        case .emptySample(let what): "empty sample: \(what)"
        case .dimensionMismatch(let what): "dimension mismatch: \(what)"
        case .nonFinite(let what): "non-finite values: \(what)"
        case .invalidOption(let what): what
        case .badProfile(let what): "unusable reference profile: \(what)"
        case .badInput(let what): what
        case .alignmentFailed(let why): "Procrustes alignment failed: \(why)"
        case .calibrationFailed(let why): "retraining the old model's data for calibration failed: \(why)"
        }
    }
}
