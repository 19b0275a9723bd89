import Foundation
import LumenNumerics
import Testing

@testable import LumenDrift

@Suite("Quantile sketch")
struct QuantileSketchTests {
    static func exactCDF(_ sorted: [Double], _ x: Double) -> Double {
        Double(NumericSide.upperBound(sorted, x)) / Double(sorted.count)
    }

    static func worstError(_ sketch: QuantileSketch, _ sorted: [Double]) -> Double {
        var worst = 0.0
        for q in stride(from: 0.0, through: 1.0, by: 0.002) {
            let x = Histogram.quantile(sorted: sorted, q)
            worst = max(worst, abs(sketch.cdf(x) - exactCDF(sorted, x)))
        }
        return worst
    }

    @Test("on 200 000 values every CDF error stays inside the stated 99 % bound, and the bound is under 0.5 %")
    func errorInsideBound() {
        var g = SeededGenerator(seed: 31)
        let values = (0..<200_000).map { _ in g.nextGaussian() * 3 + (g.nextUnit() < 0.2 ? 10 : 0) }
        let sketch = QuantileSketch(values)
        let sorted = values.sorted()
        let worst = Self.worstError(sketch, sorted)
        print(
            "sketch: \(sketch.size) items for \(values.count) values; CDF error \(worst), bound \(sketch.cdfErrorBound99) (worst case \(sketch.cdfErrorBound))"
        )
        #expect(sketch.count == values.count && sketch.size < 6 * QuantileSketch.defaultK)
        #expect(worst <= sketch.cdfErrorBound99 && sketch.cdfErrorBound99 <= sketch.cdfErrorBound)
        #expect(sketch.cdfErrorBound99 < 0.005)
        #expect(sketch.minimum == sorted.first && sketch.maximum == sorted.last)
    }

    @Test("sketches of 7 uneven shards merge into a sketch of the whole within the merged bound")
    func mergeOfShards() throws {
        var g = SeededGenerator(seed: 8)
        let values = (0..<120_000).map { _ in exp(g.nextGaussian()) }
        var cuts = [0, 1_000, 9_000, 30_000, 31_000, 70_000, 99_999, 120_000]
        cuts.sort()
        var merged = QuantileSketch()
        for (a, b) in zip(cuts, cuts.dropFirst()) { merged.merge(QuantileSketch(values[a..<b])) }
        let sorted = values.sorted()
        let worst = Self.worstError(merged, sorted)
        print("merged: CDF error \(worst), bound \(merged.cdfErrorBound99) (worst case \(merged.cdfErrorBound))")
        #expect(merged.count == values.count)
        #expect(worst <= merged.cdfErrorBound99 && merged.cdfErrorBound99 < 0.005)
        let decoded = try JSONDecoder().decode(QuantileSketch.self, from: JSONEncoder().encode(merged))
        #expect(decoded == merged)
    }
}
