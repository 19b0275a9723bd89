/// Bins and moments shared by the drift statistics and the reference profiles.
public enum Histogram {
    /// `bins + 1` edges at the reference's quantiles (numpy's default linear interpolation),
    /// collapsed where equal; the outer edges are open (−∞, +∞) when counting.
    public static func quantileEdges(_ sample: [Double], bins: Int) throws(DriftError) -> [Double] {
        guard bins >= 1 else { throw .invalidOption("bins must be at least 1") }
        guard !sample.isEmpty else { throw .emptySample("reference") }
        let sorted = sample.sorted()
        var edges: [Double] = []
        for k in 0...bins {
            let e = quantile(sorted: sorted, k, of: bins)
            if edges.last != e { edges.append(e) }
        }
        if edges.count == 1 { edges.append(edges[0]) }
        return edges
    }

    /// The q-quantile of sorted values with linear interpolation (numpy "linear", type 7).
    public static func quantile(sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        return interpolate(sorted, lower, fraction: position - Double(lower))
    }

    /// The (k / parts)-quantile of sorted values, its position k·(n − 1) / parts taken in integers so a position
    /// that is a whole number is exactly that number: (7/10)·(n − 1) in floating point can land a hair below an
    /// integer and pull the edge below a run of tied values.
    public static func quantile(sorted: [Double], _ k: Int, of parts: Int) -> Double {
        let (scaled, overflow) = k.multipliedReportingOverflow(by: sorted.count - 1)
        guard !overflow, parts > 0 else { return quantile(sorted: sorted, Double(k) / Double(parts)) }
        let lower = scaled / parts
        return interpolate(sorted, lower, fraction: Double(scaled % parts) / Double(parts))
    }

    /// sorted[lower] + t·(sorted[lower+1] − sorted[lower]), computed from the nearer end as numpy does, so t near 1
    /// gives the upper value exactly.
    static func interpolate(_ sorted: [Double], _ lower: Int, fraction t: Double) -> Double {
        let upper = min(lower + 1, sorted.count - 1)
        let a = sorted[lower]
        let b = sorted[upper]
        if t == 0 || a == b { return a }
        return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t
    }

    /// Counts per bin between consecutive `edges`: bin k holds edges[k] < x ≤ edges[k+1]
    /// (bin 0 also takes everything ≤ edges[1], the last bin everything above).
    public static func counts(_ sample: [Double], edges: [Double]) -> [Double] {
        let bins = max(1, edges.count - 1)
        var counts = [Double](repeating: 0, count: bins)
        for x in sample {
            // Binary search for the first inner edge ≥ x.
            var lo = 1
            var hi = edges.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if edges[mid] < x { lo = mid + 1 } else { hi = mid }
            }
            counts[min(bins - 1, max(0, lo - 1))] += 1
        }
        return counts
    }

    /// Counts divided by the sample size.
    public static func proportions(_ sample: [Double], edges: [Double]) -> [Double] {
        let c = counts(sample, edges: edges)
        let total = Double(sample.count)
        return c.map { $0 / total }
    }
}

/// Mean, variance and extremes of a sample, accumulated in one pass (Welford).
public struct Moments: Sendable, Codable, Equatable {
    public var count = 0
    public var mean = 0.0
    var m2 = 0.0
    public var minimum = Double.infinity
    public var maximum = -Double.infinity

    public init() {}

    public init(_ values: [Double]) {
        for v in values { add(v) }
    }

    public mutating func add(_ x: Double) {
        count += 1
        let delta = x - mean
        mean += delta / Double(count)
        m2 += delta * (x - mean)
        minimum = min(minimum, x)
        maximum = max(maximum, x)
    }

    /// Adds another sample's moments (Chan et al.'s pairwise update).
    public mutating func merge(_ other: Moments) {
        guard other.count > 0 else { return }
        guard count > 0 else {
            self = other
            return
        }
        let n = Double(count + other.count)
        let delta = other.mean - mean
        m2 += other.m2 + delta * delta * Double(count) * Double(other.count) / n
        mean += delta * Double(other.count) / n
        count += other.count
        minimum = min(minimum, other.minimum)
        maximum = max(maximum, other.maximum)
    }

    /// Population variance (ddof = 0, as numpy's default std).
    public var variance: Double { count > 0 ? m2 / Double(count) : 0 }
    public var standardDeviation: Double { variance.squareRoot() }

    enum CodingKeys: String, CodingKey {
        case count, mean, m2
        case minimum = "min"
        case maximum = "max"
    }
}
