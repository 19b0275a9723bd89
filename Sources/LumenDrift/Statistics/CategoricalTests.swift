import Foundation

/// Drift tests for one categorical feature, on category counts.
public enum CategoricalTests {
    /// Aligns two label samples into count vectors over the union of categories (sorted).
    public static func counts(
        _ reference: [String],
        _ current: [String]
    ) -> (categories: [String], reference: [Double], current: [Double]) {
        let categories = Array(Set(reference).union(current)).sorted()
        let index = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, $0) })
        var r = [Double](repeating: 0, count: categories.count)
        var c = r
        for x in reference { r[index[x]!] += 1 }
        for x in current { c[index[x]!] += 1 }
        return (categories, r, c)
    }

    /// Pearson's χ² test of homogeneity on the 2 × K table reference-vs-current (scipy's
    /// `chi2_contingency` without Yates' correction): both samples are samples, so a category seen in only one of
    /// them is weighed by how often it occurs, not treated as impossible. Categories absent from both are dropped;
    /// with fewer than two left the samples cannot differ (p = 1).
    ///
    /// Evidently's legacy `chisquare` is a goodness of fit of the current counts to the reference proportions taken
    /// as exact, which false-alarms on about a fifth of random halves; Lumen keeps the two-sample form.
    public static func chiSquared(
        reference: [Double],
        current: [Double],
        alpha: Double = 0.05
    ) throws(DriftError) -> DriftResult {
        let (kept, nr, nc) = try nonEmptyColumns(reference, current)
        let statistic = pearson(kept, nr, nc)
        let degrees = kept.count - 1
        let p = degrees < 1 ? 1 : SpecialFunctions.chiSquaredSurvival(statistic, degrees: Double(degrees))
        return DriftResult(
            method: "chi_squared",
            statistic: statistic,
            pValue: min(1, max(0, p)),
            threshold: alpha,
            direction: .lowerIsDrift
        )
    }

    /// Two-sample z-test for the difference of two proportions (Evidently's `z`, for binary features): the share
    /// of the first category (in sorted order) in each sample, pooled standard error, two-sided normal p-value.
    /// Samples holding one and the same single value give p = 1.
    public static func zTest(
        reference: [Double],
        current: [Double],
        alpha: Double = 0.05
    ) throws(DriftError) -> DriftResult {
        let (kept, nr, nc) = try nonEmptyColumns(reference, current)
        guard kept.count == 2 else {
            guard kept.count < 2 else {
                throw .invalidOption("the z-test compares two categories; this feature has \(kept.count)")
            }
            return DriftResult(method: "z_test", statistic: 0, pValue: 1, threshold: alpha, direction: .lowerIsDrift)
        }
        let p1 = kept[0].0 / nr
        let p2 = kept[0].1 / nc
        let pooled = (kept[0].0 + kept[0].1) / (nr + nc)
        let z = (p1 - p2) / (pooled * (1 - pooled) * (1 / nr + 1 / nc)).squareRoot()
        return DriftResult(
            method: "z_test",
            statistic: z,
            pValue: erfc(abs(z) / 2.0.squareRoot()),
            threshold: alpha,
            direction: .lowerIsDrift
        )
    }

    /// Pearson's Σ (observed − expected)² / expected over the 2 × K table with the given row totals.
    static func pearson(_ kept: [(Double, Double)], _ nr: Double, _ nc: Double) -> Double {
        let n = nr + nc
        var statistic = 0.0
        for (r, c) in kept {
            let column = r + c
            for (observed, rowTotal) in [(r, nr), (c, nc)] {
                let expected = rowTotal * column / n
                statistic += (observed - expected) * (observed - expected) / expected
            }
        }
        return statistic
    }

    /// The categories with a count on either side, and the two sample sizes (both > 0).
    static func nonEmptyColumns(
        _ reference: [Double],
        _ current: [Double]
    ) throws(DriftError) -> (kept: [(Double, Double)], nr: Double, nc: Double) {
        let kept = zip(reference, current).filter { $0.0 + $0.1 > 0 }
        let nr = kept.reduce(0) { $0 + $1.0 }
        let nc = kept.reduce(0) { $0 + $1.1 }
        guard nr > 0 else { throw .emptySample("reference") }
        guard nc > 0 else { throw .emptySample("current") }
        return (kept, nr, nc)
    }

    /// Bias-corrected Cramér's V (Bergsma 2013) of the 2 × K table reference-vs-current, drift when
    /// ≥ `threshold` (Deepchecks' default 0.2).
    public static func cramersV(
        reference: [Double],
        current: [Double],
        threshold: Double = 0.2
    ) throws(DriftError) -> DriftResult {
        let (kept, nr, nc) = try nonEmptyColumns(reference, current)
        let n = nr + nc
        let chi2 = pearson(kept, nr, nc)
        let rows = 2.0
        let cols = Double(kept.count)
        let phi2 = chi2 / n
        let phi2c = max(0, phi2 - (cols - 1) * (rows - 1) / (n - 1))
        let rc = rows - (rows - 1) * (rows - 1) / (n - 1)
        let kc = cols - (cols - 1) * (cols - 1) / (n - 1)
        let denominator = min(rc - 1, kc - 1)
        let v = denominator > 0 ? (phi2c / denominator).squareRoot() : 0
        return DriftResult(
            method: "cramers_v",
            statistic: v,
            pValue: nil,
            threshold: threshold,
            direction: .higherIsDrift
        )
    }

    /// PSI over categories.
    public static func psi(reference: [Double], current: [Double], threshold: Double = 0.1) -> DriftResult {
        let nr = max(reference.reduce(0, +), 1)
        let nc = max(current.reduce(0, +), 1)
        let value = UnivariateTests.psi(reference.map { $0 / nr }, current.map { $0 / nc })
        return DriftResult(
            method: "psi",
            statistic: value,
            pValue: nil,
            threshold: threshold,
            direction: .higherIsDrift
        )
    }

    /// Jensen–Shannon distance over categories.
    public static func jensenShannon(reference: [Double], current: [Double], threshold: Double = 0.1) -> DriftResult {
        DriftResult(
            method: "jensen_shannon",
            statistic: UnivariateTests.jensenShannon(reference, current),
            pValue: nil,
            threshold: threshold,
            direction: .higherIsDrift
        )
    }
}

/// Corrections for testing many features at once.
public enum MultipleTesting: String, Sendable, Codable, CaseIterable {
    case none
    /// Drift where p < α / d (alibi-detect's default).
    case bonferroni
    /// Benjamini–Hochberg false discovery rate control at α.
    case benjaminiHochberg = "bh"

    /// Which of the p-values are significant at level α after correction.
    public func significant(_ pValues: [Double], alpha: Double) -> [Bool] {
        let d = Double(pValues.count)
        switch self {
        case .none: return pValues.map { $0 < alpha }
        case .bonferroni: return pValues.map { $0 < alpha / d }
        case .benjaminiHochberg:
            let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
            var cutoff = -1
            for (rank, index) in order.enumerated() where pValues[index] <= Double(rank + 1) / d * alpha {
                cutoff = rank
            }
            var result = [Bool](repeating: false, count: pValues.count)
            if cutoff >= 0 { for rank in 0...cutoff { result[order[rank]] = true } }
            return result
        }
    }
}
