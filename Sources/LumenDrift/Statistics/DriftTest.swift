import Foundation

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

/// The tests a caller forces, one per kind of feature: `ks` decides numeric features and leaves categorical ones to
/// the default; `ks,chi_squared` decides both; a test that applies to both kinds (`psi`) alone decides both.
public struct DriftTestChoice: Sendable, Equatable {
    public var numeric: DriftTest?
    public var categorical: DriftTest?

    /// Evidently's default for every feature.
    public static let automatic = DriftTestChoice()

    public init(numeric: DriftTest? = nil, categorical: DriftTest? = nil) {
        self.numeric = numeric
        self.categorical = categorical
    }

    /// Parses one or two comma-separated test names.
    public init(parsing text: String) throws(DriftError) {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard (1...2).contains(names.count) else {
            throw .invalidOption("give one test, or one numeric and one categorical test separated by a comma")
        }
        var tests: [DriftTest] = []
        for name in names {
            guard let test = DriftTest(rawValue: name) else {
                throw .invalidOption(
                    "unknown test '\(name)'; choose \(DriftTest.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            tests.append(test)
        }
        let numericOnly = tests.filter { !DriftTest.categorical.contains($0) }
        let categoricalOnly = tests.filter { !DriftTest.numeric.contains($0) }
        let both = tests.filter { DriftTest.numeric.contains($0) && DriftTest.categorical.contains($0) }
        guard numericOnly.count <= 1, categoricalOnly.count <= 1 else {
            throw .invalidOption("'\(text)' names two tests for the same kind of feature")
        }
        numeric = numericOnly.first ?? both.first
        categorical = categoricalOnly.first ?? both.last
        if tests.count == 2 && numericOnly.isEmpty && categoricalOnly.isEmpty {
            (numeric, categorical) = (tests[0], tests[1])
        }
    }

    /// The forced test for a feature of this kind, or nil for the default.
    public func test(for kind: ColumnProfile.Kind) -> DriftTest? {
        kind == .numeric ? numeric : categorical
    }
}
