import Foundation
import LumenIO
import LumenNumerics
import LumenTestSupport
import Testing

@testable import LumenDrift

/// The automatic test choice against Evidently itself (scripts/make-drift-choice-fixtures.py runs evidently 0.4.40's
/// `get_stattest` on each pair), and the false-alarm rate of each choice on data that did not drift.
@Suite("Evidently's test choice and its calibration")
struct TestChoiceTests {
    struct Case: Decodable, CustomTestStringConvertible {
        let name: String
        let kind: String
        let method: String
        let score: Double
        let evidentlyScore: Double
        let reference: [Value]
        let current: [Value]
        var testDescription: String { name }

        enum CodingKeys: String, CodingKey {
            case name, kind, method, score, reference, current
            case evidentlyScore = "evidently_score"
        }
    }

    enum Value: Decodable {
        case number(Double)
        case label(String)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let x = try? c.decode(Double.self) {
                self = .number(x)
            } else {
                self = .label(try c.decode(String.self))
            }
        }
        var number: Double? { if case .number(let x) = self { x } else { nil } }
        var label: String? { if case .label(let s) = self { s } else { nil } }
    }

    static let cases: [Case] = {
        let data = try! Data(contentsOf: Fixtures.url("drift/test_choice.json"))
        return try! JSONDecoder().decode([Case].self, from: data)
    }()

    static func profile(_ name: String, _ kind: String, _ values: [Value]) throws -> ColumnProfile {
        kind == "numeric"
            ? try ColumnProfile.numeric(name, values.compactMap(\.number))
            : try ColumnProfile.categorical(name, values.compactMap(\.label))
    }

    @Test("the default test is Evidently's, and its score matches (χ²: scipy's contingency test)", arguments: cases)
    func choiceMatchesEvidently(_ c: Case) throws {
        let drift = try ColumnComparison.compare(
            try Self.profile(c.name, c.kind, c.reference),
            try Self.profile(c.name, c.kind, c.current)
        )
        #expect(drift.result.method == c.method)
        #expect(
            abs(drift.result.score - c.score) <= 1e-9 * max(abs(c.score), 1e-12) + 1e-14,
            "\(c.name): \(drift.result.score) vs \(c.score)"
        )
    }

    @Test("one unseen rare value does not make no-drift data drift (Evidently's goodness of fit says p = 0)")
    func unseenRareValue() throws {
        let c = try #require(Self.cases.first { $0.name == "unseen_rare_value" })
        #expect(c.evidentlyScore == 0)
        let drift = try ColumnComparison.compare(
            try Self.profile(c.name, c.kind, c.reference),
            try Self.profile(c.name, c.kind, c.current)
        )
        #expect(!drift.result.drifted && drift.result.score > 0.5)
    }

    /// Draws `2n` values from one distribution and splits them into two random halves.
    static func halves(
        _ n: Int,
        _ g: inout SeededGenerator,
        draw: (inout SeededGenerator) -> Double
    ) -> ([Double], [Double]) {
        let pool = (0..<(2 * n)).map { _ in draw(&g) }
        return (Array(pool[..<n]), Array(pool[n...]))
    }

    static let trials = 200

    /// No-drift trials at α = 0.05: each column kind's default test alarms on at most α + 2 % of them.
    @Test(
        "on 200 no-drift trials per column kind the default test false-alarms on at most 7 %",
        arguments: [
            ("binary, 1000 rows", 1000), ("three values, 1000 rows", 1000), ("continuous, 1000 rows", 1000),
            ("binary, 2000 rows", 2000), ("five values, 2000 rows", 2000), ("continuous, 2000 rows", 2000),
            ("seven categories, 800 rows", 800), ("seven categories, 2000 rows", 2000),
        ]
    )
    func falseAlarmRate(kind: String, rows: Int) throws {
        var g = SeededGenerator(seed: UInt64(rows) &* 31 &+ UInt64(kind.utf8.count))
        var alarms = 0
        var methods = Set<String>()
        let weights = [0.3, 0.2, 0.15, 0.15, 0.1, 0.05, 0.05]
        for _ in 0..<Self.trials {
            let reference: ColumnProfile
            let current: ColumnProfile
            if kind.hasPrefix("seven") {
                let labels = ["a", "b", "c", "d", "e", "f", "g"]
                let (a, b) = Self.halves(rows, &g) { g in
                    var u = g.nextUnit()
                    for (k, w) in weights.enumerated() {
                        u -= w
                        if u < 0 { return Double(k) }
                    }
                    return 6
                }
                reference = try ColumnProfile.categorical("x", a.map { labels[Int($0)] })
                current = try ColumnProfile.categorical("x", b.map { labels[Int($0)] })
            } else {
                let (a, b) = Self.halves(rows, &g) { g in
                    if kind.hasPrefix("binary") { return g.nextUnit() < 0.3 ? 1 : 0 }
                    if kind.hasPrefix("three") { return Double(Int(g.nextUnit() * 3)) }
                    if kind.hasPrefix("five") { return Double(Int(g.nextUnit() * 5)) }
                    return g.nextGaussian()
                }
                reference = try ColumnProfile.numeric("x", a)
                current = try ColumnProfile.numeric("x", b)
            }
            let drift = try ColumnComparison.compare(reference, current)
            methods.insert(drift.result.method)
            if drift.result.drifted { alarms += 1 }
        }
        let rate = Double(alarms) / Double(Self.trials)
        print("\(kind): \(methods.sorted().joined(separator: ",")) false-alarm rate \(rate)")
        #expect(methods.count == 1)
        #expect(rate <= 0.07, "\(kind): \(methods) false-alarms on \(rate * 100) % of no-drift trials")
    }

    @Test("a feature with fewer rows than the minimum gets no verdict, and the data set says so")
    func insufficientData() throws {
        let reference = try ColumnProfile.numeric("one", [1.0])
        let current = try ColumnProfile.numeric("one", (0..<500).map { Double($0) })
        let drift = try ColumnComparison.compare(reference, current)
        #expect(drift.insufficientData && !drift.result.drifted)
        let report = DriftReport(kind: .features, reference: "r", current: "c", features: [drift])
        #expect(!report.drifted && report.summary.hasPrefix("insufficient data"))
        let enough = try ColumnComparison.compare(reference, current, minimumRows: 1)
        #expect(!enough.insufficientData)
    }

    @Test("quantile bin edges sit exactly on tied values where k·(n − 1)/10 is a whole number")
    func exactQuantilePositions() throws {
        // n − 1 = 180: (7/10)·180 is 125.99999999999999 in floating point; the edge must be sorted[126].
        var sample = (0..<181).map(Double.init)
        for k in 126...140 { sample[k] = 126 }
        let edges = try Histogram.quantileEdges(sample, bins: 10)
        #expect(edges.contains(126), "\(edges)")
        // Every tied value falls in the bin that ends at 126, none in the next one.
        let counts = Histogram.counts(sample, edges: edges)
        let k = try #require(edges.firstIndex(of: 126))
        #expect(counts[k - 1] == 32 && counts[k] == 4, "\(counts)")
    }

    @Test("a forced test decides the features of its kind; the other kind keeps the default or takes the second name")
    func forcedTestPerKind() throws {
        #expect(try DriftTestChoice(parsing: "ks") == DriftTestChoice(numeric: .ks))
        #expect(try DriftTestChoice(parsing: "psi") == DriftTestChoice(numeric: .psi, categorical: .psi))
        #expect(
            try DriftTestChoice(parsing: "ks,chi_squared") == DriftTestChoice(numeric: .ks, categorical: .chiSquared)
        )
        #expect(
            try DriftTestChoice(parsing: "cramers_v, wasserstein")
                == DriftTestChoice(numeric: .wasserstein, categorical: .cramersV)
        )
        #expect(throws: DriftError.self) { try DriftTestChoice(parsing: "ks,wasserstein") }
        #expect(throws: DriftError.self) { try DriftTestChoice(parsing: "kss") }
        let table = try CSVTable.parse(
            "x,c\n" + (0..<200).map { "\(Double($0) * 0.5),\(["a", "b", "c"][$0 % 3])" }.joined(separator: "\n"),
            path: "mixed.csv"
        )
        let profile = ReferenceProfile(kind: .features, source: "m", columns: try table.profiles())
        let forced = try DriftAnalysis.features(profile, profile, tests: try DriftTestChoice(parsing: "wasserstein"))
        #expect(forced.map(\.result.method) == ["wasserstein_normed", "chi_squared"])
        let both = try DriftAnalysis.features(profile, profile, tests: try DriftTestChoice(parsing: "ks,cramers_v"))
        #expect(both.map(\.result.method) == ["ks", "cramers_v"])
    }

    @Test("a column missing from the current data is named with the columns there are and the nearest one")
    func missingColumnSuggestsNearest() throws {
        let a = try ColumnProfile.numeric("income", (0..<40).map(Double.init))
        let b = try ColumnProfile.numeric("incme", (0..<40).map(Double.init))
        let c = try ColumnProfile.numeric("age", (0..<40).map(Double.init))
        let reference = ReferenceProfile(kind: .features, source: "r", columns: [a])
        let current = ReferenceProfile(kind: .features, source: "c", columns: [c, b])
        #expect(NameSuggestion.nearest("income", in: ["age", "incme"]) == "incme")
        #expect(NameSuggestion.nearest("income", in: ["age", "zip"]) == nil)
        #expect(throws: DriftError.self) { try DriftAnalysis.features(reference, current) }
    }
}
