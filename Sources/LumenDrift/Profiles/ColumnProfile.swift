import Foundation
import LumenNumerics

/// One feature kept as statistics instead of raw data: moments, quantiles, fixed buckets (at the
/// reference's deciles) with counts, category counts, and a seeded reservoir sample for the tests
/// that need values (KS, Wasserstein). A profile of ≤ `reservoirCapacity` values keeps them all, so
/// tests on it are exact.
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

    public static let reservoirCapacity = 100_000

    /// Profiles numeric values (NaNs count as missing). The kept sample is stored sorted, so the samples of two
    /// columns cannot be joined back into rows, unless `keepRowOrder` (latent profiles, whose rows are entities
    /// compared jointly).
    public static func numeric(
        _ name: String,
        _ values: [Double],
        seed: UInt64 = 0,
        capacity: Int = reservoirCapacity,
        keepRowOrder: Bool = false
    ) throws(DriftError) -> ColumnProfile {
        let finite = values.filter(\.isFinite)
        guard !finite.isEmpty else { throw .emptySample("column '\(name)' has no numeric values") }
        let sorted = finite.sorted()
        let edges = try Histogram.quantileEdges(sorted, bins: 10)
        var reservoir: [Double] = []
        if finite.count <= capacity && !keepRowOrder {
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
            reservoir: reservoir
        )
    }

    /// Profiles categorical values (empty strings count as missing).
    public static func categorical(_ name: String, _ values: [String]) throws(DriftError) -> ColumnProfile {
        let present = values.filter { !$0.isEmpty }
        guard !present.isEmpty else { throw .emptySample("column '\(name)' has no values") }
        var counts: [String: Double] = [:]
        for v in present { counts[v, default: 0] += 1 }
        return ColumnProfile(
            name: name,
            kind: .categorical,
            count: present.count,
            missing: values.count - present.count,
            moments: nil,
            quantiles: nil,
            bucketEdges: nil,
            bucketCounts: nil,
            categories: counts,
            reservoir: nil
        )
    }
}

extension ColumnProfile {
    /// What makes this column unusable as a reference (a file edited by hand or damaged), or nil.
    var inconsistency: String? {
        guard count >= 0, missing >= 0 else { return "has a negative count" }
        switch kind {
        case .numeric:
            guard let edges = bucketEdges, let counts = bucketCounts, let reservoir, !reservoir.isEmpty else {
                return "lacks its buckets or sample"
            }
            guard edges.count >= 2, counts.count == edges.count - 1 else {
                return "has \(counts.count) bucket counts for \(edges.count) edges"
            }
            guard edges.allSatisfy(\.isFinite), zip(edges, edges.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                return "has bucket edges that are not finite and ascending"
            }
            guard counts.allSatisfy({ $0.isFinite && $0 >= 0 }), reservoir.allSatisfy(\.isFinite),
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
