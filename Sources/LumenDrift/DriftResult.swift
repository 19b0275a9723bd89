import Foundation

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
    /// When the statistic comes from a quantile sketch: how far it can lie from the exact one (99 % bound).
    public var errorBound: Double?

    public init(
        method: String,
        statistic: Double,
        pValue: Double?,
        threshold: Double,
        direction: ScoreDirection,
        errorBound: Double? = nil
    ) {
        self.errorBound = errorBound
        self.method = method
        self.statistic = statistic
        self.pValue = pValue
        score = direction == .lowerIsDrift ? (pValue ?? statistic) : statistic
        self.threshold = threshold
        self.direction = direction
        drifted = direction == .lowerIsDrift ? score < threshold : score >= threshold
    }

    /// How far the score lies beyond its threshold on the drift side, in orders of magnitude for p-values
    /// (−log₁₀(p/α)) and as a ratio for distances (score / threshold − 1); negative when it does not drift.
    public var excess: Double {
        switch direction {
        case .lowerIsDrift: -log10(max(score, 1e-300) / threshold)
        case .higherIsDrift: score / max(threshold, 1e-300) - 1
        }
    }

    /// A p-value or score for people: 3 significant digits, and `< 1e-16` below what a double tells apart from 0.
    public static func formatted(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x >= 0 && x < 1e-16 { return "< 1e-16" }
        return String(format: "%.3g", x)
    }

    enum CodingKeys: String, CodingKey {
        case method, statistic, score, threshold, direction, drifted
        case pValue = "p_value"
        case errorBound = "error_bound"
    }
}
