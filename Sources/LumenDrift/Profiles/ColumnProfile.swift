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

    /// Profiles numeric values (NaNs count as missing).
    public static func numeric(
        _ name: String,
        _ values: [Double],
        seed: UInt64 = 0,
        capacity: Int = reservoirCapacity
    ) throws(DriftError) -> ColumnProfile {
        let finite = values.filter(\.isFinite)
        guard !finite.isEmpty else { throw .emptySample("column '\(name)' has no numeric values") }
        let sorted = finite.sorted()
        let edges = try Histogram.quantileEdges(sorted, bins: 10)
        var reservoir: [Double] = []
        var generator = SeededGenerator(seed: seed)
        for (k, x) in finite.enumerated() {
            if reservoir.count < capacity {
                reservoir.append(x)
            } else {
                let j = generator.nextIndex(k + 1)
                if j < capacity { reservoir[j] = x }
            }
        }
        return ColumnProfile(
            name: name,
            kind: .numeric,
            count: finite.count,
            missing: values.count - finite.count,
            moments: Moments(finite),
            quantiles: (0...100).map { Histogram.quantile(sorted: sorted, Double($0) / 100) },
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

/// The result for one feature, with what a plot needs.
public struct FeatureDrift: Sendable, Codable, Equatable {
    public var name: String
    public var kind: ColumnProfile.Kind
    /// The test that decides (chosen automatically unless overridden).
    public var result: DriftResult
    /// Every statistic computed, for the report.
    public var statistics: [DriftResult]
    /// Bin labels (numeric: bin ranges; categorical: categories).
    public var bins: [String]
    public var referenceShare: [Double]
    public var currentShare: [Double]
    public var referenceCount: Int
    public var currentCount: Int
    /// Items most responsible (images outside the reference's 1–99 % range, most extreme first).
    public var responsible: [String]

    public init(
        name: String,
        kind: ColumnProfile.Kind,
        result: DriftResult,
        statistics: [DriftResult],
        bins: [String],
        referenceShare: [Double],
        currentShare: [Double],
        referenceCount: Int,
        currentCount: Int,
        responsible: [String]
    ) {
        self.name = name
        self.kind = kind
        self.result = result
        self.statistics = statistics
        self.bins = bins
        self.referenceShare = referenceShare
        self.currentShare = currentShare
        self.referenceCount = referenceCount
        self.currentCount = currentCount
        self.responsible = responsible
    }

    enum CodingKeys: String, CodingKey {
        case name, kind, result, statistics, bins, responsible
        case referenceShare = "reference_share"
        case currentShare = "current_share"
        case referenceCount = "reference_count"
        case currentCount = "current_count"
    }
}

/// Compares two column profiles (either may have been built from raw data just now).
public enum ColumnComparison {
    /// `method`: nil for the automatic choice, or ks, wasserstein, psi, jensen_shannon, chi_squared, cramers_v.
    public static func compare(
        _ reference: ColumnProfile,
        _ current: ColumnProfile,
        method: String? = nil
    ) throws(DriftError) -> FeatureDrift {
        guard reference.kind == current.kind else {
            throw .dimensionMismatch(
                "column '\(reference.name)' is \(reference.kind.rawValue) in the reference, \(current.kind.rawValue) now"
            )
        }
        switch reference.kind {
        case .numeric: return try numeric(reference, current, method: method)
        case .categorical: return try categorical(reference, current, method: method)
        }
    }

    static func numeric(
        _ reference: ColumnProfile,
        _ current: ColumnProfile,
        method: String?
    ) throws(DriftError) -> FeatureDrift {
        guard let r = reference.reservoir, let c = current.reservoir, let edges = reference.bucketEdges,
            let rCounts = reference.bucketCounts
        else {
            throw .badProfile("numeric column '\(reference.name)' lacks its sample or buckets")
        }
        let cCounts = Histogram.counts(c, edges: edges)
        let rShare = rCounts.map { $0 / max(rCounts.reduce(0, +), 1) }
        let cShare = cCounts.map { $0 / max(cCounts.reduce(0, +), 1) }
        let ks = try UnivariateTests.kolmogorovSmirnov(r, c)
        let wasserstein = try UnivariateTests.normedWasserstein(r, c)
        let psi = DriftResult(
            method: "psi",
            statistic: UnivariateTests.psi(rShare, cShare),
            pValue: nil,
            threshold: 0.1,
            direction: .higherIsDrift
        )
        let js = DriftResult(
            method: "jensen_shannon",
            statistic: UnivariateTests.jensenShannon(rShare, cShare),
            pValue: nil,
            threshold: 0.1,
            direction: .higherIsDrift
        )
        let all = [ks, wasserstein, psi, js]
        let chosen: DriftResult
        if let method {
            guard
                let m = all.first(where: {
                    $0.method == method || ($0.method == "wasserstein_normed" && method == "wasserstein")
                })
            else {
                throw .invalidOption("unknown numeric test '\(method)'; choose ks, wasserstein, psi or jensen_shannon")
            }
            chosen = m
        } else {
            // Evidently's rule on the reference size; few distinct values fall back to χ² on values.
            chosen = reference.count <= 1000 ? (Set(r).count <= 5 ? try AutomaticTest.numeric(r, c) : ks) : wasserstein
        }
        let labels = (0..<(edges.count - 1)).map { k in "\(short(edges[k]))–\(short(edges[k + 1]))" }
        return FeatureDrift(
            name: reference.name,
            kind: .numeric,
            result: chosen,
            statistics: all,
            bins: labels,
            referenceShare: rShare,
            currentShare: cShare,
            referenceCount: reference.count,
            currentCount: current.count,
            responsible: []
        )
    }

    static func categorical(
        _ reference: ColumnProfile,
        _ current: ColumnProfile,
        method: String?
    ) throws(DriftError) -> FeatureDrift {
        let rc = reference.categories ?? [:]
        let cc = current.categories ?? [:]
        let names = Array(Set(rc.keys).union(cc.keys)).sorted()
        let r = names.map { rc[$0] ?? 0 }
        let c = names.map { cc[$0] ?? 0 }
        let chi = try CategoricalTests.chiSquared(reference: r, current: c)
        let v = try CategoricalTests.cramersV(reference: r, current: c)
        let psi = CategoricalTests.psi(reference: r, current: c)
        let js = CategoricalTests.jensenShannon(reference: r, current: c)
        let all = [chi, v, psi, js]
        let chosen: DriftResult
        if let method {
            guard let m = all.first(where: { $0.method == method }) else {
                throw .invalidOption(
                    "unknown categorical test '\(method)'; choose chi_squared, cramers_v, psi or jensen_shannon"
                )
            }
            chosen = m
        } else {
            chosen = reference.count <= 1000 ? chi : js
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

    static func short(_ x: Double) -> String {
        let magnitude = abs(x)
        if magnitude != 0 && (magnitude >= 1e5 || magnitude < 1e-3) { return String(format: "%.2e", x) }
        return String(format: "%.3g", x)
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
