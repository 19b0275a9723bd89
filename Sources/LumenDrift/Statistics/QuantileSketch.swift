import Foundation

/// A mergeable quantile sketch (KLL: Karnin, Lang and Liberty, "Optimal quantile approximation in streams",
/// 2016): levels of compactors, an item at level h standing for 2^h values; a full level is sorted and every
/// other item (alternating offsets) moves up. Sketches of partitions merge into a sketch of their union.
///
/// Error bounds, for any query and after any sequence of inserts and merges: a compaction at level h changes a
/// rank by 0 or ±2^h. `rankErrorBound` adds those up (a worst case that always holds); with the compaction
/// offsets drawn pseudo-randomly the changes have mean zero, so Hoeffding's inequality gives
/// |error| ≤ √(2 ln(2/δ) Σ 4^h) with probability 1 − δ: `cdfErrorBound99` is that bound at δ = 0.01, as a share of
/// the count — the one to state beside a KS statistic computed from the sketch.
public struct QuantileSketch: Sendable, Codable, Equatable {
    /// Capacity of the top level; lower levels hold k·(2/3)^depth items (at least 8).
    public let k: Int
    public private(set) var count: Int
    public private(set) var minimum: Double
    public private(set) var maximum: Double
    /// levels[h] holds items of weight 2^h.
    public private(set) var levels: [[Double]]
    /// Sum of 2^h over the compactions made (see the type's documentation).
    public private(set) var rankErrorBound: Double
    /// Σ 4^h over the compactions made.
    public private(set) var squaredWeights: Double
    var compactions: Int

    public static let defaultK = 1024

    public init(k: Int = defaultK) {
        self.k = max(16, k)
        count = 0
        minimum = .infinity
        maximum = -.infinity
        levels = [[]]
        rankErrorBound = 0
        squaredWeights = 0
        compactions = 0
    }

    /// A sketch of `values` (non-finite values are skipped).
    public init<S: Sequence>(_ values: S, k: Int = defaultK) where S.Element == Double {
        self.init(k: k)
        for x in values where x.isFinite { insert(x) }
    }

    /// The rank error bound as a share of the count: the largest error of the sketch's CDF at any point.
    public var cdfErrorBound: Double { count > 0 ? rankErrorBound / Double(count) : 0 }

    /// The CDF error bound that holds with probability 0.99 (see the type's documentation), never above the worst
    /// case.
    public var cdfErrorBound99: Double {
        guard count > 0 else { return 0 }
        return Swift.min(cdfErrorBound, (2 * log(200.0) * squaredWeights).squareRoot() / Double(count))
    }

    public mutating func insert(_ x: Double) {
        count += 1
        minimum = Swift.min(minimum, x)
        maximum = Swift.max(maximum, x)
        levels[0].append(x)
        if levels[0].count >= capacity(0) { compress() }
    }

    /// Adds another sketch's values (the sketches must share `k`).
    public mutating func merge(_ other: QuantileSketch) {
        count += other.count
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
        rankErrorBound += other.rankErrorBound
        squaredWeights += other.squaredWeights
        compactions += other.compactions
        while levels.count < other.levels.count { levels.append([]) }
        for (h, items) in other.levels.enumerated() { levels[h] += items }
        compress()
    }

    func capacity(_ h: Int) -> Int {
        let depth = Double(levels.count - 1 - h)
        return Swift.max(8, Int((Double(k) * pow(2.0 / 3.0, depth)).rounded(.up)))
    }

    var size: Int { levels.reduce(0) { $0 + $1.count } }
    var totalCapacity: Int { (0..<levels.count).reduce(0) { $0 + capacity($1) } }

    /// Compacts the lowest full level until the items fit the levels' capacities.
    mutating func compress() {
        while size >= totalCapacity, let h = levels.indices.first(where: { levels[$0].count >= capacity($0) }) {
            compact(h)
        }
    }

    /// Sorts level h and moves every other item up (alternating the offset); an odd item stays.
    mutating func compact(_ h: Int) {
        if h + 1 == levels.count { levels.append([]) }
        var items = levels[h]
        items.sort()
        let keep = items.count % 2 == 1 ? [items.removeLast()] : []
        // A pseudo-random offset (SplitMix64 of the compaction number): reproducible, and unrelated to the data.
        var z = UInt64(compactions) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        let offset = Int((z ^ (z >> 31)) & 1)
        compactions += 1
        levels[h + 1] += stride(from: offset, to: items.count, by: 2).map { items[$0] }
        levels[h] = keep
        let weight = Double(1 << Swift.min(h, 62))
        rankErrorBound += weight
        squaredWeights += weight * weight
    }

    /// Every item with its weight, sorted by value.
    public var weightedItems: [(value: Double, weight: Double)] {
        var out: [(value: Double, weight: Double)] = []
        out.reserveCapacity(size)
        for (h, items) in levels.enumerated() {
            let w = Double(1 << Swift.min(h, 62))
            for x in items { out.append((x, w)) }
        }
        out.sort { $0.value < $1.value }
        return out
    }

    /// The estimated share of values ≤ x.
    public func cdf(_ x: Double) -> Double {
        guard count > 0 else { return 0 }
        var rank = 0.0
        for (h, items) in levels.enumerated() {
            let w = Double(1 << Swift.min(h, 62))
            for y in items where y <= x { rank += w }
        }
        return Swift.min(1, rank / Double(count))
    }

    /// The estimated q-quantile (the smallest item whose cumulative weight reaches q·count).
    public func quantile(_ q: Double) -> Double { quantiles([q])[0] }

    /// Several quantiles from one sort of the items.
    public func quantiles(_ qs: [Double]) -> [Double] {
        let items = weightedItems
        guard !items.isEmpty else { return qs.map { _ in .nan } }
        let total = items.reduce(0) { $0 + $1.weight }
        return qs.map { q in
            if q <= 0 { return minimum }
            if q >= 1 { return maximum }
            var cumulative = 0.0
            for item in items {
                cumulative += item.weight
                if cumulative >= q * total { return item.value }
            }
            return items.last!.value
        }
    }

    enum CodingKeys: String, CodingKey {
        case k, count, levels, compactions
        case minimum = "min"
        case maximum = "max"
        case rankErrorBound = "rank_error_bound"
        case squaredWeights = "squared_weights"
    }
}
