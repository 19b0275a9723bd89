import Foundation
import LumenNumerics

/// One feature kept as statistics instead of raw data: moments, quantiles, fixed buckets (at the reference's
/// deciles) with counts, a mergeable quantile sketch (KS and Wasserstein are computed on it, with its error bound),
/// the exact counts of a feature with few distinct values, and category counts (at most `categoryCap`, the rest
/// counted as other). A sample of values (`reservoir`) is kept only when asked for: raw data compared in memory
/// keeps all its values, `lumen drift profile --keep-sample N` keeps N sorted per column, image and latent
/// profiles keep theirs.
public struct ColumnProfile: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case numeric, categorical }

    public var name: String
    public var kind: Kind
    public var count: Int
    public var missing: Int
    public var moments: Moments?
    /// Quantiles at 0, 1, …, 100 %.
    public var quantiles: [Double]?
    public var bucketEdges: [Double]?
    public var bucketCounts: [Double]?
    public var categories: [String: Double]?
    public var reservoir: [Double]?
    /// The quantile sketch of every value (profile format 2).
    public var sketch: QuantileSketch? = nil
    /// Exact counts per value when the feature has at most `valueCountCap` distinct values.
    public var valueCounts: [ValueCount]? = nil
    /// Values of categories beyond the `categoryCap` most frequent ones.
    public var otherCategories: Double? = nil

    public static let reservoirCapacity = 100_000
    public static let valueCountCap = 20
    public static let categoryCap = 1_000

    /// One distinct value of a few-valued numeric feature and how often it occurs.
    public struct ValueCount: Sendable, Codable, Equatable {
        public var value: Double
        public var count: Double
    }

    /// Profiles numeric values (NaNs count as missing). The kept sample is stored sorted, so the samples of two
    /// columns cannot be joined back into rows, unless `keepRowOrder` (latent profiles, whose rows are entities
    /// compared jointly).
    public static func numeric(
        _ name: String,
        _ values: [Double],
        seed: UInt64 = 0,
        capacity: Int = reservoirCapacity,
        keepRowOrder: Bool = false,
        sketch makeSketch: Bool = true
    ) throws(DriftError) -> ColumnProfile {
        let finite = values.filter(\.isFinite)
        guard !finite.isEmpty else { throw .emptySample("column '\(name)' has no numeric values") }
        let sorted = finite.sorted()
        let edges = try Histogram.quantileEdges(sorted, bins: 10)
        var reservoir: [Double] = []
        if capacity <= 0 {
            reservoir = []
        } else if finite.count <= capacity && !keepRowOrder {
            reservoir = sorted
        } else {
            var generator = SeededGenerator(seed: seed)
            for (k, x) in finite.enumerated() {
                if reservoir.count < capacity {
                    reservoir.append(x)
                } else {
                    let j = generator.nextIndex(k + 1)
                    if j < capacity { reservoir[j] = x }
                }
            }
            if !keepRowOrder { reservoir.sort() }
        }
        var few: [ValueCount] = []
        var k = 0
        while k < sorted.count && few.count <= valueCountCap {
            var end = k
            while end < sorted.count && sorted[end] == sorted[k] { end += 1 }
            few.append(ValueCount(value: sorted[k], count: Double(end - k)))
            k = end
        }
        return ColumnProfile(
            name: name,
            kind: .numeric,
            count: finite.count,
            missing: values.count - finite.count,
            moments: Moments(finite),
            quantiles: (0...100).map { Histogram.quantile(sorted: sorted, $0, of: 100) },
            bucketEdges: edges,
            bucketCounts: Histogram.counts(finite, edges: edges),
            categories: nil,
            reservoir: capacity > 0 ? reservoir : nil,
            sketch: makeSketch ? QuantileSketch(sorted) : nil,
            valueCounts: few.count <= valueCountCap ? few : nil
        )
    }

    /// Profiles categorical values (empty strings count as missing).
    public static func categorical(_ name: String, _ values: [String]) throws(DriftError) -> ColumnProfile {
        let present = values.filter { !$0.isEmpty }
        guard !present.isEmpty else { throw .emptySample("column '\(name)' has no values") }
        var counts: [String: Double] = [:]
        for v in present { counts[v, default: 0] += 1 }
        let (kept, other) = capped(counts)
        return ColumnProfile(
            name: name,
            kind: .categorical,
            count: present.count,
            missing: values.count - present.count,
            moments: nil,
            quantiles: nil,
            bucketEdges: nil,
            bucketCounts: nil,
            categories: kept,
            reservoir: nil,
            otherCategories: other
        )
    }

    /// The `categoryCap` most frequent categories (ties by name), and the count of the rest (nil when none).
    static func capped(_ counts: [String: Double]) -> ([String: Double], Double?) {
        guard counts.count > categoryCap else { return (counts, nil) }
        let order = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let kept = Dictionary(uniqueKeysWithValues: order.prefix(categoryCap).map { ($0.key, $0.value) })
        return (kept, order.dropFirst(categoryCap).reduce(0) { $0 + $1.value })
    }
}

extension ColumnProfile {
    /// What makes this column unusable as a reference (a file edited by hand or damaged), or nil.
    var inconsistency: String? {
        guard count >= 0, missing >= 0 else { return "has a negative count" }
        switch kind {
        case .numeric:
            guard let edges = bucketEdges, let counts = bucketCounts,
                !(reservoir ?? []).isEmpty || (sketch?.count ?? 0) > 0
            else {
                return "lacks its buckets, or both its sketch and its sample"
            }
            if let sketch, sketch.k < 16 || sketch.levels.joined().contains(where: { !$0.isFinite }) {
                return "has a damaged quantile sketch"
            }
            guard edges.count >= 2, counts.count == edges.count - 1 else {
                return "has \(counts.count) bucket counts for \(edges.count) edges"
            }
            guard edges.allSatisfy(\.isFinite), zip(edges, edges.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                return "has bucket edges that are not finite and ascending"
            }
            guard counts.allSatisfy({ $0.isFinite && $0 >= 0 }), (reservoir ?? []).allSatisfy(\.isFinite),
                (quantiles ?? []).allSatisfy(\.isFinite)
            else {
                return "holds a negative, NaN or infinite count or value"
            }
        case .categorical:
            guard let categories, !categories.isEmpty else { return "lacks its category counts" }
            guard categories.values.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                return "holds a negative, NaN or infinite category count"
            }
        }
        return nil
    }
}
