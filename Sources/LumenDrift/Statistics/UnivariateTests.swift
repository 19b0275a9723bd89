import Foundation
import LumenNumerics

/// Two-sample tests and distances for one numeric feature. Inputs need not be sorted; NaNs are
/// refused by the callers (see `Sample`).
public enum UnivariateTests {
    /// Two-sample Kolmogorov–Smirnov: D = sup |F_ref − F_cur| and its two-sided p-value — exact
    /// (lattice paths inside the band, as scipy's "exact" mode) when n·m ≤ `exactLimit`, else the
    /// asymptotic Kolmogorov distribution at √(nm/(n+m))·D.
    public static func kolmogorovSmirnov(
        _ reference: [Double],
        _ current: [Double],
        exactLimit: Int = 10_000_000,
        alpha: Double = 0.05
    ) throws(DriftError) -> DriftResult {
        let (a, b) = try sortedPair(reference, current)
        return kolmogorovSmirnov(sorted: a, b, exactLimit: exactLimit, alpha: alpha)
    }

    /// KS on samples already sorted, finite and non-empty (see `sortedPair`).
    static func kolmogorovSmirnov(
        sorted a: [Double],
        _ b: [Double],
        exactLimit: Int = 10_000_000,
        alpha: Double = 0.05
    ) -> DriftResult {
        let n = a.count
        let m = b.count
        // D · n · m as an integer, so the band test below is exact.
        var i = 0
        var j = 0
        var dScaled = 0
        while i < n || j < m {
            let x = i < n && (j >= m || a[i] <= b[j]) ? a[i] : b[j]
            while i < n && a[i] == x { i += 1 }
            while j < m && b[j] == x { j += 1 }
            dScaled = max(dScaled, abs(i * m - j * n))
        }
        let d = Double(dScaled) / Double(n * m)
        let p: Double
        if n * m <= exactLimit {
            p = exactKSPValue(n: n, m: m, dScaled: dScaled)
        } else {
            let en = Double(n) * Double(m) / Double(n + m)
            p = SpecialFunctions.kolmogorovSurvival(en.squareRoot() * d)
        }
        return DriftResult(
            method: "ks",
            statistic: d,
            pValue: min(1, max(0, p)),
            threshold: alpha,
            direction: .lowerIsDrift
        )
    }

    /// P(D ≥ d) for two samples of sizes n and m under H₀: one minus the share of monotone lattice
    /// paths from (0,0) to (n,m) that stay strictly inside |i·m − j·n| < D·n·m, computed as a
    /// probability recursion f(i,j) = i/(i+j)·f(i−1,j) + j/(i+j)·f(i,j−1) (no overflow).
    ///
    /// Only the cells inside the band are visited: row i's band is (i·m − D·n·m)/n < j < (i·m + D·n·m)/n, and both
    /// ends move right as i grows, so the work is O(n · (band width)) — small exactly when D is small.
    static func exactKSPValue(n: Int, m: Int, dScaled: Int) -> Double {
        guard dScaled > 0 else { return 1 }
        func band(_ i: Int) -> (lo: Int, hi: Int) {
            let below = i * m - dScaled
            let above = i * m + dScaled
            return (below < 0 ? 0 : below / n + 1, min(m, (above - 1) / n))
        }
        var row = [Double](repeating: 0, count: m + 1)
        var previous = band(0)
        guard previous.lo <= previous.hi else { return 1 }
        for j in previous.lo...previous.hi { row[j] = 1 }
        for i in 1...n {
            let current = band(i)
            guard current.lo <= current.hi else { return 1 }
            // Cells that left the band on the left are zero in this row.
            if previous.lo < current.lo {
                for j in previous.lo..<min(current.lo, previous.hi + 1) { row[j] = 0 }
            }
            for j in current.lo...current.hi where j > 0 {
                let total = Double(i + j)
                row[j] = Double(i) / total * row[j] + Double(j) / total * row[j - 1]
            }
            previous = current
        }
        return 1 - row[m]
    }

    /// Wasserstein-1 distance between the empirical distributions: ∫ |F_ref − F_cur| dx.
    public static func wasserstein(_ reference: [Double], _ current: [Double]) throws(DriftError) -> Double {
        let (a, b) = try sortedPair(reference, current)
        return wasserstein(sorted: a, b)
    }

    /// Wasserstein-1 on samples already sorted, finite and non-empty (see `sortedPair`).
    static func wasserstein(sorted a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count)
        let m = Double(b.count)
        var i = 0
        var j = 0
        var previous = min(a[0], b[0])
        var distance = 0.0
        while i < a.count || j < b.count {
            let x = i < a.count && (j >= b.count || a[i] <= b[j]) ? a[i] : b[j]
            distance += abs(Double(i) / n - Double(j) / m) * (x - previous)
            previous = x
            while i < a.count && a[i] == x { i += 1 }
            while j < b.count && b[j] == x { j += 1 }
        }
        return distance
    }

    /// Wasserstein-1 divided by max(std of the reference, 0.001) (Evidently's normed form; drift
    /// when ≥ `threshold`, default 0.1).
    public static func normedWasserstein(
        _ reference: [Double],
        _ current: [Double],
        threshold: Double = 0.1
    ) throws(DriftError) -> DriftResult {
        let (a, b) = try sortedPair(reference, current)
        return normedWasserstein(sorted: a, b, threshold: threshold)
    }

    /// Normed Wasserstein on samples already sorted, finite and non-empty (see `sortedPair`).
    static func normedWasserstein(sorted a: [Double], _ b: [Double], threshold: Double = 0.1) -> DriftResult {
        let w = wasserstein(sorted: a, b)
        let sd = max(Moments(a).standardDeviation, 0.001)
        return DriftResult(
            method: "wasserstein_normed",
            statistic: w / sd,
            pValue: nil,
            threshold: threshold,
            direction: .higherIsDrift
        )
    }

    /// Population stability index over `bins` reference-quantile bins, proportions floored at 1e-4.
    public static func psi(
        _ reference: [Double],
        _ current: [Double],
        bins: Int = 10,
        threshold: Double = 0.1
    ) throws(DriftError) -> DriftResult {
        let edges = try Histogram.quantileEdges(reference, bins: bins)
        let r = Histogram.proportions(reference, edges: edges)
        let c = Histogram.proportions(current, edges: edges)
        return DriftResult(
            method: "psi",
            statistic: psi(r, c),
            pValue: nil,
            threshold: threshold,
            direction: .higherIsDrift
        )
    }

    /// PSI between two proportion vectors.
    public static func psi(_ r: [Double], _ c: [Double]) -> Double {
        zip(r, c).reduce(0) { sum, pair in
            let rr = max(pair.0, 1e-4)
            let cc = max(pair.1, 1e-4)
            return sum + (rr - cc) * log(rr / cc)
        }
    }

    /// Jensen–Shannon distance (natural log; the square root of the divergence, as scipy's
    /// `jensenshannon`) between the reference-quantile histograms of two samples.
    public static func jensenShannon(
        _ reference: [Double],
        _ current: [Double],
        bins: Int = 10,
        threshold: Double = 0.1
    ) throws(DriftError) -> DriftResult {
        let edges = try Histogram.quantileEdges(reference, bins: bins)
        let value = jensenShannon(
            Histogram.proportions(reference, edges: edges),
            Histogram.proportions(current, edges: edges)
        )
        return DriftResult(
            method: "jensen_shannon",
            statistic: value,
            pValue: nil,
            threshold: threshold,
            direction: .higherIsDrift
        )
    }

    /// Jensen–Shannon distance between two (not necessarily normalised) non-negative vectors.
    public static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double {
        let sp = p.reduce(0, +)
        let sq = q.reduce(0, +)
        guard sp > 0, sq > 0 else { return 0 }
        var divergence = 0.0
        for (a0, b0) in zip(p, q) {
            let a = a0 / sp
            let b = b0 / sq
            let mid = (a + b) / 2
            if a > 0 { divergence += 0.5 * a * log(a / mid) }
            if b > 0 { divergence += 0.5 * b * log(b / mid) }
        }
        return max(0, divergence).squareRoot()
    }

    static func sortedPair(_ reference: [Double], _ current: [Double]) throws(DriftError) -> ([Double], [Double]) {
        guard !reference.isEmpty else { throw .emptySample("reference") }
        guard !current.isEmpty else { throw .emptySample("current") }
        guard reference.allSatisfy(\.isFinite), current.allSatisfy(\.isFinite) else {
            throw .nonFinite("samples contain NaN or infinite values")
        }
        // The two sorts are independent: run them side by side on large samples.
        guard reference.count + current.count > 100_000 else { return (reference.sorted(), current.sorted()) }
        let sorted = Parallel.map(2) { $0 == 0 ? reference.sorted() : current.sorted() }
        return (sorted[0], sorted[1])
    }
}
