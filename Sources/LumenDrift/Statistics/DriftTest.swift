/// The univariate drift tests a caller can ask for by name (`--test`, `?test=`).
public enum DriftTest: String, Sendable, Codable, CaseIterable {
    case ks
    case wasserstein
    case psi
    case jensenShannon = "jensen_shannon"
    case chiSquared = "chi_squared"
    case zTest = "z_test"
    case cramersV = "cramers_v"

    /// The `DriftResult.method` names this test produces.
    var methods: Set<String> {
        switch self {
        case .wasserstein: ["wasserstein_normed", "wasserstein"]
        default: [rawValue]
        }
    }

    /// Tests that apply to numeric features (compared on values or reference-quantile bins).
    public static let numeric: [DriftTest] = [.ks, .wasserstein, .psi, .jensenShannon, .chiSquared, .zTest]
    /// Tests that apply to categorical features (compared on category counts).
    public static let categorical: [DriftTest] = [.chiSquared, .zTest, .cramersV, .psi, .jensenShannon]

    /// Evidently's default choice for one feature (legacy `DataDriftPreset`, evidently 0.4.x
    /// `_get_default_stattest`), with distinct values counted over reference ∪ current:
    ///
    /// | reference rows | numeric, > 5 distinct | numeric ≤ 5 or categorical, > 2 distinct | 2 or fewer distinct |
    /// |---|---|---|---|
    /// | ≤ 1000 | KS (p < 0.05) | χ² (p < 0.05) | z-test (p < 0.05) |
    /// | > 1000 | normed Wasserstein (≥ 0.1) | Jensen–Shannon on value counts (≥ 0.1) | Jensen–Shannon |
    ///
    /// Where Lumen differs: its χ² is the two-sample contingency test (see `CategoricalTests.chiSquared`).
    /// Evidently 0.7 also treats integer columns with ≤ 10 values as categorical; Lumen follows the legacy rule.
    public static func evidentlyDefault(numeric: Bool, referenceRows: Int, distinctValues: Int) -> DriftTest {
        let fewValued = !numeric || distinctValues <= 5
        if referenceRows <= 1000 {
            if !fewValued { return .ks }
            return distinctValues > 2 ? .chiSquared : .zTest
        }
        return fewValued ? .jensenShannon : .wasserstein
    }
}
