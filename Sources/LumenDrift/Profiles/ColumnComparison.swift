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
        guard let edges = reference.bucketEdges, let rCounts = reference.bucketCounts else {
            throw .badProfile("numeric column '\(reference.name)' lacks its buckets")
        }
        let ks: DriftResult
        let wasserstein: DriftResult
        let rFew: [Double: Double]?
        let cFew: [Double: Double]?
        let cBinShares: [Double]
        let rTested: Int
        let cTested: Int
        if let r = reference.reservoir, !r.isEmpty, let c = current.reservoir, !c.isEmpty {
            // Values on both sides: exact tests, sorted once for KS, Wasserstein and the distinct values.
            let (sr, sc) = try UnivariateTests.sortedPair(r, c)
            ks = UnivariateTests.kolmogorovSmirnov(sorted: sr, sc)
            wasserstein = UnivariateTests.normedWasserstein(sorted: sr, sc)
            (rFew, cFew) = (fewValues(sorted: sr), fewValues(sorted: sc))
            cBinShares = Histogram.proportions(sc, edges: edges)
            (rTested, cTested) = (sr.count, sc.count)
        } else {
            // A profile without a sample: the tests run on its quantile sketch and carry its error bound.
            let a = try NumericSide(reference)
            let b = try NumericSide(current)
            ks = NumericSide.kolmogorovSmirnov(a, b)
            wasserstein = NumericSide.normedWasserstein(a, b, scale: reference.moments?.standardDeviation ?? 0)
            rFew = fewValues(reference, a)
            cFew = fewValues(current, b)
            cBinShares = b.shares(edges: edges)
            (rTested, cTested) = (a.count, b.count)
        }
        let union = Set((rFew ?? [:]).keys).union((cFew ?? [:]).keys)
        // More than 5 when either side has more than 5 values.
        let distinctCount = rFew == nil || cFew == nil ? 6 : union.count
        let chosenTest =
            test ?? DriftTest.evidentlyDefault(numeric: true, referenceRows: rTested, distinctValues: distinctCount)
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
        if distinctCount <= 5, let rFew, let cFew {
            // A few-valued feature: its values are its categories (Evidently counts values, not bins, here).
            let values = union.sorted()
            let rc = values.map { rFew[$0] ?? 0 }
            let cc = values.map { cFew[$0] ?? 0 }
            all += try categoricalStatistics(rc, cc)
            bins = values.map(short)
            rShare = rc.map { $0 / max(rc.reduce(0, +), 1) }
            cShare = cc.map { $0 / max(cc.reduce(0, +), 1) }
        } else {
            rShare = rCounts.map { $0 / max(rCounts.reduce(0, +), 1) }
            cShare = cBinShares
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
                    + (distinctCount > 5 ? "more than 5" : "\(distinctCount)")
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
            referenceTested: rTested,
            currentTested: cTested,
            responsible: []
        )
    }

    static func categorical(
        _ reference: ColumnProfile,
        _ current: ColumnProfile,
        test: DriftTest?
    ) throws(DriftError) -> FeatureDrift {
        var rc = reference.categories ?? [:]
        var cc = current.categories ?? [:]
        // A side that capped its categories counts the rest as other: the other side's categories it does not
        // keep join its other bucket too.
        let other = "(other)"
        if let rest = reference.otherCategories {
            for (name, n) in cc where rc[name] == nil {
                cc[other, default: 0] += n
                cc[name] = nil
            }
            rc[other, default: 0] += rest
        }
        if let rest = current.otherCategories {
            for (name, n) in rc where cc[name] == nil && name != other {
                rc[other, default: 0] += n
                rc[name] = nil
            }
            cc[other, default: 0] += rest
        }
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

    /// Counts per value of a sorted sample with at most 5 distinct values, else nil.
    static func fewValues(sorted: [Double]) -> [Double: Double]? {
        var counts: [Double: Double] = [:]
        var k = 0
        while k < sorted.count {
            var end = k
            while end < sorted.count && sorted[end] == sorted[k] { end += 1 }
            counts[sorted[k]] = Double(end - k)
            if counts.count > 5 { return nil }
            k = end
        }
        return counts
    }

    /// Counts per value of a profile side with at most 5 distinct values (from its exact value counts, else its
    /// sample), else nil.
    static func fewValues(_ profile: ColumnProfile, _ side: NumericSide) -> [Double: Double]? {
        if let valueCounts = profile.valueCounts {
            guard valueCounts.count <= 5 else { return nil }
            return Dictionary(valueCounts.map { ($0.value, $0.count) }, uniquingKeysWith: +)
        }
        if case .sample(let sorted) = side { return fewValues(sorted: sorted) }
        return nil
    }

    static func short(_ x: Double) -> String {
        let magnitude = abs(x)
        if magnitude != 0 && (magnitude >= 1e5 || magnitude < 1e-3) { return String(format: "%.2e", x) }
        return String(format: "%.3g", x)
    }
}
