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

    /// Pearson's χ² goodness of fit of the current counts to the reference proportions
    /// (Evidently's "chisquare"); categories unseen in the reference get a floor of 1e-4.
    public static func chiSquared(
        reference: [Double],
        current: [Double],
        alpha: Double = 0.05
    ) throws(DriftError) -> DriftResult {
        let nr = reference.reduce(0, +)
        let nc = current.reduce(0, +)
        guard nr > 0 else { throw .emptySample("reference") }
        guard nc > 0 else { throw .emptySample("current") }
        var statistic = 0.0
        for (r, c) in zip(reference, current) {
            let expected = max(r / nr, 1e-4) * nc
            statistic += (c - expected) * (c - expected) / expected
        }
        let p = SpecialFunctions.chiSquaredSurvival(statistic, degrees: Double(max(1, reference.count - 1)))
        return DriftResult(
            method: "chi_squared",
            statistic: statistic,
            pValue: p,
            threshold: alpha,
            direction: .lowerIsDrift
        )
    }

    /// Bias-corrected Cramér's V (Bergsma 2013) of the 2 × K table reference-vs-current, drift when
    /// ≥ `threshold` (Deepchecks' default 0.2).
    public static func cramersV(
        reference: [Double],
        current: [Double],
        threshold: Double = 0.2
    ) throws(DriftError) -> DriftResult {
        let kept = zip(reference, current).filter { $0.0 + $0.1 > 0 }
        let nr = kept.reduce(0) { $0 + $1.0 }
        let nc = kept.reduce(0) { $0 + $1.1 }
        guard nr > 0 else { throw .emptySample("reference") }
        guard nc > 0 else { throw .emptySample("current") }
        let n = nr + nc
        var chi2 = 0.0
        for (r, c) in kept {
            let column = r + c
            for (observed, rowTotal) in [(r, nr), (c, nc)] {
                let expected = rowTotal * column / n
                chi2 += (observed - expected) * (observed - expected) / expected
            }
        }
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

/// The test picked for a feature when the caller does not choose (Evidently's rules): up to 1000
/// reference rows, KS for numeric features with more than 5 distinct values and χ² otherwise;
/// above 1000 rows, normed Wasserstein (numeric) or Jensen–Shannon (categorical), threshold 0.1.
public enum AutomaticTest {
    public static func numeric(_ reference: [Double], _ current: [Double]) throws(DriftError) -> DriftResult {
        let distinct = Set(reference).count
        if distinct <= 5 {
            let (_, r, c) = CategoricalTests.counts(reference.map { String($0) }, current.map { String($0) })
            return reference.count <= 1000
                ? try CategoricalTests.chiSquared(reference: r, current: c)
                : CategoricalTests.jensenShannon(reference: r, current: c)
        }
        return reference.count <= 1000
            ? try UnivariateTests.kolmogorovSmirnov(reference, current)
            : try UnivariateTests.normedWasserstein(reference, current)
    }

    public static func categorical(_ reference: [String], _ current: [String]) throws(DriftError) -> DriftResult {
        let (_, r, c) = CategoricalTests.counts(reference, current)
        return reference.count <= 1000
            ? try CategoricalTests.chiSquared(reference: r, current: c)
            : CategoricalTests.jensenShannon(reference: r, current: c)
    }
}
