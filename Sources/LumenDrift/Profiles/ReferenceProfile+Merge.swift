/// Profiles of partitions combined into the profile of their union: how a Spark, Dask or shell job profiles data
/// that does not fit one machine (profile each shard, then `lumen drift profile merge`).
extension ReferenceProfile {
    /// Merges feature profiles with the same columns. Counts, moments, value counts and category counts add up
    /// exactly; quantiles, decile buckets and the tests come from the merged quantile sketch (its error bound is
    /// stated with every statistic computed from it). A merged profile keeps a sample only if every part kept all
    /// its values.
    public static func merged(_ parts: [ReferenceProfile], source: String) throws(DriftError) -> ReferenceProfile {
        guard let first = parts.first else { throw .emptySample("no profiles to merge") }
        guard parts.allSatisfy({ $0.kind == .features }) else {
            throw .badProfile("only feature profiles merge (image and latent profiles keep per-row samples)")
        }
        var columns: [ColumnProfile] = []
        for column in first.columns {
            var group: [ColumnProfile] = []
            for (k, part) in parts.enumerated() {
                guard let match = part.columns.first(where: { $0.name == column.name }), match.kind == column.kind
                else {
                    throw .dimensionMismatch("profile \(k + 1) lacks \(column.kind.rawValue) column '\(column.name)'")
                }
                group.append(match)
            }
            columns.append(try column.kind == .numeric ? mergedNumeric(group) : mergedCategorical(group))
        }
        guard parts.allSatisfy({ $0.columns.count == first.columns.count }) else {
            throw .dimensionMismatch("the profiles hold different columns")
        }
        return ReferenceProfile(kind: .features, source: source, columns: columns)
    }

    static func mergedNumeric(_ group: [ColumnProfile]) throws(DriftError) -> ColumnProfile {
        let name = group[0].name
        var moments = Moments()
        var sketch = QuantileSketch()
        var values: [Double: Double]? = [:]
        var all: [Double]? = []
        for column in group {
            moments.merge(column.moments ?? Moments())
            if let s = column.sketch {
                guard s.k == sketch.k else { throw .badProfile("column '\(name)': sketches of different sizes") }
                sketch.merge(s)
            } else if let r = column.reservoir, r.count == column.count {
                sketch.merge(QuantileSketch(r))
            } else {
                throw .badProfile("column '\(name)' has neither a sketch nor all its values; profile it again")
            }
            if let counts = column.valueCounts, values != nil {
                for v in counts { values![v.value, default: 0] += v.count }
            } else {
                values = nil
            }
            if let r = column.reservoir, r.count == column.count, all != nil { all! += r } else { all = nil }
        }
        if let v = values, v.count > ColumnProfile.valueCountCap { values = nil }
        var edges: [Double] = []
        for e in sketch.quantiles((0...10).map { Double($0) / 10 }) where edges.last != e { edges.append(e) }
        if edges.count == 1 { edges.append(edges[0]) }
        // Decile buckets of the union, counted through the sketch (bins as in `Histogram.counts`).
        let total = Double(sketch.count)
        var counts: [Double] = []
        var previous = 0.0
        for k in 1..<(edges.count - 1) {
            let f = sketch.cdf(edges[k])
            counts.append(max(0, f - previous) * total)
            previous = f
        }
        counts.append(max(0, 1 - previous) * total)
        return ColumnProfile(
            name: name,
            kind: .numeric,
            count: group.reduce(0) { $0 + $1.count },
            missing: group.reduce(0) { $0 + $1.missing },
            moments: moments,
            quantiles: sketch.quantiles((0...100).map { Double($0) / 100 }),
            bucketEdges: edges,
            bucketCounts: counts,
            categories: nil,
            reservoir: all?.sorted(),
            sketch: sketch,
            valueCounts: values.map { counts in
                counts.sorted { $0.key < $1.key }.map { ColumnProfile.ValueCount(value: $0.key, count: $0.value) }
            }
        )
    }

    static func mergedCategorical(_ group: [ColumnProfile]) throws(DriftError) -> ColumnProfile {
        var counts: [String: Double] = [:]
        var other = 0.0
        for column in group {
            for (name, n) in column.categories ?? [:] { counts[name, default: 0] += n }
            other += column.otherCategories ?? 0
        }
        let (kept, rest) = ColumnProfile.capped(counts)
        let otherTotal = other + (rest ?? 0)
        return ColumnProfile(
            name: group[0].name,
            kind: .categorical,
            count: group.reduce(0) { $0 + $1.count },
            missing: group.reduce(0) { $0 + $1.missing },
            moments: nil,
            quantiles: nil,
            bucketEdges: nil,
            bucketCounts: nil,
            categories: kept,
            reservoir: nil,
            otherCategories: otherTotal > 0 ? otherTotal : nil
        )
    }
}
