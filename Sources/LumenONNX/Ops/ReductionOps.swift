import Foundation

/// Reductions over any set of axes (ReduceMean/Sum/Max/Min/Prod/L1/L2/LogSum/LogSumExp/
/// SumSquare) and ArgMax/ArgMin. Axes come from the attribute, or from the second input where
/// the operator's version takes them there (ReduceSum from opset 13, the others from 18).
enum ReductionOps {
    /// How one reduction starts, folds a value in and finishes.
    struct Reduction: Sendable {
        var initial: Double
        var fold: @Sendable (Double, Double) -> Double
        var finish: @Sendable (Double, Int) -> Double = { value, _ in value }
        /// Integer inputs stay integer (Sum, Max, Min, Prod).
        var integer: (@Sendable (Int64, Int64) -> Int64)?
    }

    static let reductions: [String: Reduction] = [
        "ReduceMean": Reduction(initial: 0, fold: +, finish: { $1 == 0 ? .nan : $0 / Double($1) }),
        "ReduceSum": Reduction(initial: 0, fold: +, integer: { $0 &+ $1 }),
        "ReduceMax": Reduction(initial: -.infinity, fold: { Swift.max($0, $1) }, integer: { Swift.max($0, $1) }),
        "ReduceMin": Reduction(initial: .infinity, fold: { Swift.min($0, $1) }, integer: { Swift.min($0, $1) }),
        "ReduceProd": Reduction(initial: 1, fold: *, integer: { $0 &* $1 }),
        "ReduceL1": Reduction(initial: 0, fold: { $0 + Swift.abs($1) }),
        "ReduceL2": Reduction(initial: 0, fold: { $0 + $1 * $1 }, finish: { value, _ in value.squareRoot() }),
        "ReduceSumSquare": Reduction(initial: 0, fold: { $0 + $1 * $1 }),
        "ReduceLogSum": Reduction(initial: 0, fold: +, finish: { value, _ in Foundation.log(value) }),
        "ReduceLogSumExp": Reduction(
            initial: 0,
            fold: { $0 + Foundation.exp($1) },
            finish: { v, _ in Foundation.log(v) }
        ),
    ]

    static let kernels: [String: Kernel] = {
        var table: [String: Kernel] = [:]
        for (name, reduction) in reductions {
            table[name] = { n, v, opset in [try reduce(n, v, opset: opset, reduction)] }
        }
        table["ArgMax"] = { n, v, _ in [try argument(n, v, >)] }
        table["ArgMin"] = { n, v, _ in [try argument(n, v, <)] }
        return table
    }()

    static func reduce(_ n: Node, _ v: [Value?], opset: Int, _ r: Reduction) throws -> Value {
        let x = try n.input(v, 0)
        let rank = x.shape.count
        let axesFromInput = n.op == "ReduceSum" ? opset >= 13 : opset >= 18
        let given = axesFromInput ? (v.count > 1 ? v[1]?.ints.map { Int(clamping: $0) } : nil) : n.ints("axes")
        let keep = n.int("keepdims", 1) == 1
        if (given ?? []).isEmpty && n.int("noop_with_empty_axes", 0) == 1 { return x }
        let axes = Set(try n.axes(given.flatMap { $0.isEmpty ? nil : $0 } ?? Array(0..<rank), rank: rank))
        let kept = x.shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
        let shape = keep ? kept : x.shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        let outputs = kept.reduce(1, *)
        let index = ElementwiseOps.broadcastIndex(kept, to: x.shape)
        let reduced = axes.map { x.shape[$0] }.reduce(1, *)
        if x.isInteger, let g = r.integer {
            let data = x.ints
            var acc = [Int64?](repeating: nil, count: outputs)
            for k in data.indices { acc[index[k]] = acc[index[k]].map { g($0, data[k]) } ?? data[k] }
            let empty = Value.saturatingInt64(Float(r.initial))
            return .int64(shape: shape, data: acc.map { $0 ?? empty })
        }
        let data = x.floats
        var acc = [Double](repeating: r.initial, count: outputs)
        for k in data.indices { acc[index[k]] = r.fold(acc[index[k]], Double(data[k])) }
        return .float(shape: shape, data: acc.map { Float(r.finish($0, reduced)) })
    }

    /// The index of the first (or, with `select_last_index`, last) extreme along `axis`.
    static func argument(_ n: Node, _ v: [Value?], _ better: (Float, Float) -> Bool) throws -> Value {
        let x = try n.input(v, 0)
        let axis = try n.axis(n.int("axis", 0), rank: x.shape.count)
        let keep = n.int("keepdims", 1) == 1
        let last = n.int("select_last_index", 0) == 1
        let dim = x.shape[axis]
        guard dim > 0 else { throw n.fail("cannot take \(n.op) over an empty axis of \(x.shape)") }
        let inner = x.shape.suffix(from: axis + 1).reduce(1, *)
        let outer = x.shape.prefix(axis).reduce(1, *)
        let data = x.floats
        var out = [Int64](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * dim * inner + i
                var best = 0
                for k in 1..<dim {
                    let a = data[base + k * inner]
                    let b = data[base + best * inner]
                    if better(a, b) || (last && a == b) { best = k }
                }
                out[o * inner + i] = Int64(best)
            }
        }
        var shape = x.shape
        if keep { shape[axis] = 1 } else { shape.remove(at: axis) }
        return .int64(shape: shape, data: out)
    }
}
