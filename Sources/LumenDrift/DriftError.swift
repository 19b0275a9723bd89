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

    public var description: String {
        switch self {
        case .emptySample(let what): "empty sample: \(what)"
        case .dimensionMismatch(let what): "dimension mismatch: \(what)"
        case .nonFinite(let what): "non-finite values: \(what)"
        case .invalidOption(let what): what
        case .badProfile(let what): "unusable reference profile: \(what)"
        case .badInput(let what): what
        }
    }
}

/// Which way a score points.
public enum ScoreDirection: String, Sendable, Codable {
    /// Larger scores mean more drift (distances, effect sizes).
    case higherIsDrift = "higher_is_drift"
    /// Smaller values mean more drift (p-values).
    case lowerIsDrift = "lower_is_drift"
}

/// The outcome of one drift test on one feature.
public struct DriftResult: Sendable, Codable, Equatable {
    /// Test name, e.g. "ks", "wasserstein_normed", "psi".
    public var method: String
    /// The statistic (distance, D, χ², …).
    public var statistic: Double
    /// p-value when the test has one.
    public var pValue: Double?
    /// The value compared with the threshold: the p-value for tests, else the statistic.
    public var score: Double
    public var threshold: Double
    public var direction: ScoreDirection
    public var drifted: Bool

    public init(method: String, statistic: Double, pValue: Double?, threshold: Double, direction: ScoreDirection) {
        self.method = method
        self.statistic = statistic
        self.pValue = pValue
        score = direction == .lowerIsDrift ? (pValue ?? statistic) : statistic
        self.threshold = threshold
        self.direction = direction
        drifted = direction == .lowerIsDrift ? score < threshold : score >= threshold
    }

    enum CodingKeys: String, CodingKey {
        case method, statistic, score, threshold, direction, drifted
        case pValue = "p_value"
    }
}
