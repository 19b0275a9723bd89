import Foundation

/// Compares two column profiles (either may have been built from raw data just now).
public enum ColumnComparison {
    /// Fewer rows than this on either side give "insufficient data", not a verdict.
    public static let minimumRows = 30

    /// Compares one feature. `test`: nil for Evidently's default choice (`DriftTest.evidentlyDefault`), or the
    /// test to decide by. Below `minimumRows` rows on either side the statistics are computed but no verdict drawn.
    public static func compare(
        _ reference: ColumnProfile,
        _ current: ColumnProfile,
        test: DriftTest? = nil,
        minimumRows: Int = minimumRows
    ) throws(DriftError) -> FeatureDrift {
        guard reference.kind == current.kind else {
            throw .dimensionMismatch(
                "column '\(reference.name)' is \(reference.kind.rawValue) in the reference, \(current.kind.rawValue) now"
            )
        }
        var drift: FeatureDrift
        switch reference.kind {
        case .numeric: drift = try numeric(reference, current, test: test)
        case .categorical: drift = try categorical(reference, current, test: test)
        }
        if drift.referenceTested < minimumRows || drift.currentTested < minimumRows {
            drift.insufficientData = true
            drift.result.drifted = false
        }
        return drift
    }

    static func numeric(
        _ reference: ColumnProfile,
        _ current: ColumnProfile,
        test: DriftTest?
    ) throws(DriftError) -> FeatureDrift {
        guard let r = reference.reservoir, let c = current.reservoir, let edges = reference.bucketEdges,
            let rCounts = reference.bucketCounts
        else {
            throw .badProfile("numeric column '\(reference.name)' lacks its sample or buckets")
        }
        // Sorted once for KS, Wasserstein and the distinct values.
        let (sr, sc) = try UnivariateTests.sortedPair(r, c)
        let ks = UnivariateTests.kolmogorovSmirnov(sorted: sr, sc)
        let wasserstein = UnivariateTests.normedWasserstein(sorted: sr, sc)
        var distinct = Set<Double>()
        for sample in [sr, sc] {
            var previous: Double?
            for x in sample where x != previous {
                distinct.insert(x)
                previous = x
                if distinct.count > 5 { break }
            }
        }
        let chosenTest =
            test ?? DriftTest.evidentlyDefault(numeric: true, referenceRows: r.count, distinctValues: distinct.count)
        guard DriftTest.numeric.contains(chosenTest) else {
            throw .invalidOption(
                "'\(chosenTest.rawValue)' does not apply to numeric column '\(reference.name)'; choose "
                    + DriftTest.numeric.map(\.rawValue).joined(separator: ", ")
            )
        }
        var bins: [String]
        var rShare: [Double]
        var cShare: [Double]
        var all = [ks, wasserstein]
        if distinct.count <= 5 {
            // A few-valued feature: its values are its categories (Evidently counts values, not bins, here).
            let values = distinct.sorted()
            let rc = valueCounts(r, values)
            let cc = valueCounts(c, values)
            all += try categoricalStatistics(rc, cc)
            bins = values.map(short)
            rShare = rc.map { $0 / Double(r.count) }
            cShare = cc.map { $0 / Double(c.count) }
        } else {
            let cCounts = Histogram.counts(c, edges: edges)
            rShare = rCounts.map { $0 / max(rCounts.reduce(0, +), 1) }
            cShare = cCounts.map { $0 / max(cCounts.reduce(0, +), 1) }
            all += [
                DriftResult(
                    method: "psi",
                    statistic: UnivariateTests.psi(rShare, cShare),
                    pValue: nil,
                    threshold: 0.1,
                    direction: .higherIsDrift
                ),
                DriftResult(
                    method: "jensen_shannon",
                    statistic: UnivariateTests.jensenShannon(rShare, cShare),
                    pValue: nil,
                    threshold: 0.1,
                    direction: .higherIsDrift
                ),
            ]
            bins = (0..<(edges.count - 1)).map { k in "\(short(edges[k]))–\(short(edges[k + 1]))" }
        }
        guard let chosen = all.first(where: { chosenTest.methods.contains($0.method) }) else {
            throw .invalidOption(
                "'\(chosenTest.rawValue)' needs a feature with exactly 2 values; '\(reference.name)' has "
                    + (distinct.count > 5 ? "more than 5" : "\(distinct.count)")
            )
        }
        return FeatureDrift(
            name: reference.name,
            kind: .numeric,
            result: chosen,
            statistics: all,
            bins: bins,
            referenceShare: rShare,
            currentShare: cShare,
            referenceCount: reference.count,
            currentCount: current.count,
            referenceTested: r.count,
            currentTested: c.count,
            responsible: []
        )
    }

    static func categorical(
        _ reference: ColumnProfile,
        _ current: ColumnProfile,
        test: DriftTest?
    ) throws(DriftError) -> FeatureDrift {
        let rc = reference.categories ?? [:]
        let cc = current.categories ?? [:]
        let names = Array(Set(rc.keys).union(cc.keys)).sorted()
        let r = names.map { rc[$0] ?? 0 }
        let c = names.map { cc[$0] ?? 0 }
        let all = try categoricalStatistics(r, c)
        let chosenTest =
            test
            ?? DriftTest.evidentlyDefault(numeric: false, referenceRows: reference.count, distinctValues: names.count)
        guard DriftTest.categorical.contains(chosenTest) else {
            throw .invalidOption(
                "'\(chosenTest.rawValue)' does not apply to categorical column '\(reference.name)'; choose "
                    + DriftTest.categorical.map(\.rawValue).joined(separator: ", ")
            )
        }
        guard let chosen = all.first(where: { chosenTest.methods.contains($0.method) }) else {
            throw .invalidOption(
                "'\(chosenTest.rawValue)' needs a feature with exactly 2 categories; '\(reference.name)' has \(names.count)"
            )
        }
        let nr = max(r.reduce(0, +), 1)
        let nc = max(c.reduce(0, +), 1)
        return FeatureDrift(
            name: reference.name,
            kind: .categorical,
            result: chosen,
            statistics: all,
            bins: names,
            referenceShare: r.map { $0 / nr },
            currentShare: c.map { $0 / nc },
            referenceCount: reference.count,
            currentCount: current.count,
            responsible: []
        )
    }

    /// The tests on aligned category counts: the z-test (exactly two categories present), χ², Cramér's V, PSI and
    /// Jensen–Shannon.
    static func categoricalStatistics(_ r: [Double], _ c: [Double]) throws(DriftError) -> [DriftResult] {
        let present = zip(r, c).filter { $0.0 + $0.1 > 0 }.count
        let z = present == 2 ? [try CategoricalTests.zTest(reference: r, current: c)] : []
        return z + [
            try CategoricalTests.chiSquared(reference: r, current: c),
            try CategoricalTests.cramersV(reference: r, current: c),
            CategoricalTests.psi(reference: r, current: c),
            CategoricalTests.jensenShannon(reference: r, current: c),
        ]
    }

    /// How often each of the sorted `values` occurs in `sample`.
    static func valueCounts(_ sample: [Double], _ values: [Double]) -> [Double] {
        let index = Dictionary(uniqueKeysWithValues: values.enumerated().map { ($1, $0) })
        var counts = [Double](repeating: 0, count: values.count)
        for x in sample { if let k = index[x] { counts[k] += 1 } }
        return counts
    }

    static func short(_ x: Double) -> String {
        let magnitude = abs(x)
        if magnitude != 0 && (magnitude >= 1e5 || magnitude < 1e-3) { return String(format: "%.2e", x) }
        return String(format: "%.3g", x)
    }
}
