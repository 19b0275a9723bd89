import Foundation
import LumenNumerics
import LumenTestSupport
import Testing

@testable import LumenDrift

/// Profiles of shards merge into the profile of the whole; profiles keep statistics, not rows; old profiles load.
@Suite("Mergeable profiles")
struct ProfileMergeTests {
    static func csv(_ rows: Range<Int>, _ g: inout SeededGenerator) -> String {
        "income,segment,children\n"
            + rows.map { k in
                let income = exp(10 + 0.5 * g.nextGaussian())
                return "\(income),\(["a", "b", "c", "d"][g.nextIndex(4)]),\(k % 3)"
            }.joined(separator: "\n")
    }

    @Test("merge(profiles of 3 shards) = profile of their union: counts and moments exact, quantiles within the bound")
    func mergeEqualsProfileOfUnion() throws {
        var g = SeededGenerator(seed: 77)
        let text = Self.csv(0..<60_000, &g)
        let lines = text.split(separator: "\n").map(String.init)
        let header = lines[0]
        let shards = [1..<5_001, 5_001..<41_000, 41_000..<60_001].map { r in
            header + "\n" + lines[r].joined(separator: "\n")
        }
        func profile(_ t: String) throws -> ReferenceProfile {
            ReferenceProfile(
                kind: .features,
                source: "t",
                columns: try CSVTable.parse(t, path: "t.csv").profiles(sampleCapacity: 0)
            )
        }
        let whole = try profile(text)
        let merged = try ReferenceProfile.merged(try shards.map(profile), source: "shards")
        let sorted = try CSVTable.parse(text, path: "t.csv").profiles(sampleCapacity: .max)[0].reservoir!
        for (m, w) in zip(merged.columns, whole.columns) {
            #expect(m.name == w.name && m.kind == w.kind && m.count == w.count && m.missing == w.missing)
            #expect(m.reservoir == nil && w.reservoir == nil, "no values kept by default")
            #expect(m.categories == w.categories && m.valueCounts == w.valueCounts)
            if let mm = m.moments, let wm = w.moments {
                #expect(abs(mm.mean - wm.mean) <= 1e-9 * abs(wm.mean))
                #expect(abs(mm.variance - wm.variance) <= 1e-9 * wm.variance)
            }
        }
        // Every merged quantile sits within the sketch's bound of its rank in the full data.
        let sketch = try #require(merged.columns[0].sketch)
        let bound = sketch.cdfErrorBound99
        #expect(bound < 0.005)
        for q in stride(from: 0.05, through: 0.95, by: 0.05) {
            let x = sketch.quantile(q)
            let rank = Double(NumericSide.upperBound(sorted, x)) / Double(sorted.count)
            #expect(abs(rank - q) <= bound + 1.0 / Double(sketch.count), "q \(q): rank \(rank), bound \(bound)")
        }
        // The drift statistics on the merged profile agree with the exact ones within the stated bound.
        var h = SeededGenerator(seed: 5)
        let current = ReferenceProfile(
            kind: .features,
            source: "c",
            columns: try CSVTable.parse(Self.csv(0..<3_000, &h), path: "c.csv").profiles(sampleCapacity: .max)
        )
        let exact = try DriftAnalysis.features(
            ReferenceProfile(
                kind: .features,
                source: "t",
                columns: try CSVTable.parse(text, path: "t.csv").profiles(sampleCapacity: .max)
            ),
            current
        )
        let approximate = try DriftAnalysis.features(merged, current)
        for (e, a) in zip(exact, approximate) {
            #expect(e.result.method == a.result.method, "\(e.name)")
            #expect(e.result.drifted == a.result.drifted, "\(e.name)")
            guard e.kind == .numeric else { continue }
            let ks = try #require(a.statistics.first { $0.method == "ks" })
            let exactKS = try #require(e.statistics.first { $0.method == "ks" })
            #expect(abs(ks.statistic - exactKS.statistic) <= (ks.errorBound ?? 0) + 1e-12, "\(e.name)")
            if e.name == "income" { #expect((ks.errorBound ?? 0) > 0 && (ks.errorBound ?? 1) < 0.01) }
        }
    }

    @Test("the committed format-1 profiles still load and compare")
    func formatOneLoads() throws {
        let url = Fixtures.root.deletingLastPathComponent().appendingPathComponent("models/tabular-demo.profile.json")
        let old = try ReferenceProfile.load(url)
        #expect(old.format == "lumen-drift-profile-1")
        let current = ReferenceProfile(
            kind: .features,
            source: "c",
            columns: try CSVTable.load(Fixtures.url("drift/features_current.csv")).profiles(sampleCapacity: .max)
        )
        #expect(!(try DriftAnalysis.features(old, current)).isEmpty)
    }

    @Test("more categories than the cap keep the most frequent and count the rest as other, also when merged")
    func categoryCap() throws {
        let labels = (0..<1_500).map { "c\($0)" } + Array(repeating: "common", count: 50)
        let profile = try ColumnProfile.categorical("x", labels)
        #expect(profile.categories?.count == ColumnProfile.categoryCap && profile.categories?["common"] == 50)
        #expect(profile.otherCategories == 501)
        let merged = try ReferenceProfile.mergedCategorical([profile, profile])
        #expect(merged.count == 2 * labels.count && merged.otherCategories == 1_002)
    }
}
