/// One side of a numeric comparison: its values (raw data, or the sample a profile keeps), or the quantile sketch
/// of a profile that keeps none. KS, Wasserstein and bin shares are computed from either; a sketch adds its CDF
/// error bound to the result.
enum NumericSide {
    case sample(sorted: [Double])
    case sketch(QuantileSketch, cumulative: [(value: Double, share: Double)])

    init(_ profile: ColumnProfile) throws(DriftError) {
        if let values = profile.reservoir, !values.isEmpty {
            guard values.allSatisfy(\.isFinite) else { throw .nonFinite("samples contain NaN or infinite values") }
            self = .sample(sorted: values.sorted())
        } else if let sketch = profile.sketch, sketch.count > 0 {
            var running = 0.0
            let items = sketch.weightedItems
            let total = items.reduce(0) { $0 + $1.weight }
            let cumulative = items.map { item -> (value: Double, share: Double) in
                running += item.weight
                return (item.value, running / total)
            }
            self = .sketch(sketch, cumulative: cumulative)
        } else {
            throw .badProfile("numeric column '\(profile.name)' keeps neither a sample nor a sketch")
        }
    }

    /// How many values the side stands for in the tests.
    var count: Int {
        switch self {
        case .sample(let sorted): sorted.count
        case .sketch(let sketch, _): sketch.count
        }
    }

    /// The largest error of `cdf` at any point (0 for a sample, which is exact about itself).
    var cdfError: Double {
        switch self {
        case .sample: 0
        case .sketch(let sketch, _): sketch.cdfErrorBound99
        }
    }

    /// The points where the CDF steps.
    var points: [Double] {
        switch self {
        case .sample(let sorted): sorted
        case .sketch(_, let cumulative): cumulative.map(\.value)
        }
    }

    /// The share of values ≤ x.
    func cdf(_ x: Double) -> Double {
        switch self {
        case .sample(let sorted):
            return Double(Self.upperBound(sorted, x)) / Double(sorted.count)
        case .sketch(_, let cumulative):
            let k = Self.upperBound(count: cumulative.count) { cumulative[$0].value <= x }
            return k == 0 ? 0 : cumulative[k - 1].share
        }
    }

    /// How many of the sorted values are ≤ x.
    static func upperBound(_ sorted: [Double], _ x: Double) -> Int {
        upperBound(count: sorted.count) { sorted[$0] <= x }
    }

    /// The first index in 0..<count where `isAtMost` turns false (it must be true, then false).
    static func upperBound(count: Int, _ isAtMost: (Int) -> Bool) -> Int {
        var lo = 0
        var hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if isAtMost(mid) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Shares per bin between consecutive `edges`, with the bins of `Histogram.counts` (first and last open).
    func shares(edges: [Double]) -> [Double] {
        if case .sample(let sorted) = self { return Histogram.proportions(sorted, edges: edges) }
        let bins = max(1, edges.count - 1)
        guard bins > 1 else { return [1] }
        var out: [Double] = []
        var previous = 0.0
        for k in 1..<bins {
            let f = cdf(edges[k])
            out.append(max(0, f - previous))
            previous = f
        }
        out.append(max(0, 1 - previous))
        return out
    }

    /// KS D between two sides and its asymptotic p-value, with the sides' CDF errors as the bound on D.
    static func kolmogorovSmirnov(_ a: NumericSide, _ b: NumericSide, alpha: Double = 0.05) -> DriftResult {
        var d = 0.0
        for x in a.points + b.points { d = max(d, abs(a.cdf(x) - b.cdf(x))) }
        let n = Double(a.count)
        let m = Double(b.count)
        let p = SpecialFunctions.kolmogorovSurvival((n * m / (n + m)).squareRoot() * d)
        return DriftResult(
            method: "ks",
            statistic: d,
            pValue: min(1, max(0, p)),
            threshold: alpha,
            direction: .lowerIsDrift,
            errorBound: a.cdfError + b.cdfError
        )
    }

    /// ∫ |F_a − F_b| dx over the sides' step points, normed by `scale` (the reference's standard deviation).
    static func normedWasserstein(
        _ a: NumericSide,
        _ b: NumericSide,
        scale: Double,
        threshold: Double = 0.1
    )
        -> DriftResult
    {
        let xs = (a.points + b.points).sorted()
        var distance = 0.0
        for (x, next) in zip(xs, xs.dropFirst()) where next > x { distance += abs(a.cdf(x) - b.cdf(x)) * (next - x) }
        let span = (xs.last ?? 0) - (xs.first ?? 0)
        let sd = max(scale, 0.001)
        return DriftResult(
            method: "wasserstein_normed",
            statistic: distance / sd,
            pValue: nil,
            threshold: threshold,
            direction: .higherIsDrift,
            errorBound: (a.cdfError + b.cdfError) * span / sd
        )
    }
}
