import LumenIO

/// Slice and Pad: strided windows of a tensor, and constant, reflect or edge borders around it.
extension LayoutOps {
    /// ONNX Slice semantics, including negative steps and clamped out-of-range bounds.
    static func slice(_ x: Value, starts: [Int], ends: [Int], axes: [Int], steps: [Int], node: Node) throws -> Value {
        let rank = x.shape.count
        var first = [Int](repeating: 0, count: rank)
        var step = [Int](repeating: 1, count: rank)
        var shape = x.shape
        guard starts.count == ends.count, axes.count == starts.count, steps.count == starts.count else {
            throw node.fail("starts, ends, axes and steps differ in length")
        }
        for (k, axis) in try node.axes(axes, rank: rank).enumerated() {
            let dim = x.shape[axis]
            let s = steps[k]
            guard s != 0, s != .min else { throw node.fail("slice step \(s)") }
            var start = starts[k] < 0 ? starts[k] &+ dim : starts[k]
            var end = ends[k] < 0 ? ends[k] &+ dim : ends[k]
            if s > 0 {
                start = min(max(start, 0), dim)
                end = min(max(end, 0), dim)
                shape[axis] = end > start ? (end - start - 1) / s + 1 : 0
            } else {
                start = min(max(start, -1), dim - 1)
                end = min(max(end, -1), dim - 1)
                shape[axis] = start > end ? (start - end - 1) / (-s) + 1 : 0
            }
            first[axis] = start
            // With one element or none taken the step never moves; otherwise |s| < dim, so
            // s · stride stays within the tensor (a step of 2^62 must not overflow the walk).
            step[axis] = shape[axis] > 1 ? s : 1
        }
        let inStrides = strides(x.shape)
        return gather(
            x,
            StridedWalk(
                shape: shape,
                steps: (0..<rank).map { step[$0] * inStrides[$0] },
                offset: zip(first, inStrides).reduce(0) { $0 + $1.0 * $1.1 }
            )
        )
    }

    /// Constant, reflect or edge padding (negative pads crop).
    static func pad(_ x: Value, begin: [Int], end: [Int], mode: String, value: Float, node: Node) throws -> Value {
        let rank = x.shape.count
        guard (begin + end).allSatisfy({ (-ONNXLimits.dimension...ONNXLimits.dimension).contains($0) }) else {
            throw node.fail("pads \(begin + end) are beyond \(ONNXLimits.dimension)")
        }
        let shape = (0..<rank).map { x.shape[$0] + begin[$0] + end[$0] }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw node.fail("padding produces a negative size") }
        _ = try node.count(shape)
        // Fast path: constant, non-negative padding of the last two axes only (the TF-"SAME"
        // padding exports put before every convolution): whole rows are copied.
        if mode == "constant", rank >= 2, begin.dropLast(2).allSatisfy({ $0 == 0 }),
            end.dropLast(2).allSatisfy({ $0 == 0 }),
            begin.allSatisfy({ $0 >= 0 }), end.allSatisfy({ $0 >= 0 })
        {
            let h = x.shape[rank - 2]
            let w = x.shape[rank - 1]
            let oh = shape[rank - 2]
            let ow = shape[rank - 1]
            let planes = x.shape.dropLast(2).reduce(1, *)
            let top = begin[rank - 2]
            let left = begin[rank - 1]
            var out = [Float](repeating: value, count: planes * oh * ow)
            let data = x.floats
            data.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    for p in 0..<planes {
                        for y in 0..<h {
                            let from = src.baseAddress! + (p * h + y) * w
                            let to = dst.baseAddress! + (p * oh + y + top) * ow + left
                            to.update(from: from, count: w)
                        }
                    }
                }
            }
            return .float(shape: shape, data: out)
        }
        let inStrides = strides(x.shape)
        let count = shape.reduce(1, *)
        let data = x.floats
        var out = [Float](repeating: value, count: count)
        var counter = [Int](repeating: 0, count: rank)
        for k in 0..<count {
            var source = 0
            var inside = true
            for axis in 0..<rank {
                var i = counter[axis] - begin[axis]
                let dim = x.shape[axis]
                if i < 0 || i >= dim {
                    switch mode {
                    case "edge": i = min(max(i, 0), dim - 1)
                    case "reflect":
                        guard dim > 1 else {
                            i = 0
                            break
                        }
                        let period = 2 * (dim - 1)
                        i = ((i % period) + period) % period
                        if i >= dim { i = period - i }
                    case "constant": inside = false
                    default: throw ONNXError.unsupported(node: node.name, op: node.op, reason: "pad mode '\(mode)'")
                    }
                }
                source += i * inStrides[axis]
            }
            if inside { out[k] = data[source] }
            var axis = rank - 1
            while axis >= 0 {
                counter[axis] += 1
                if counter[axis] < shape[axis] { break }
                counter[axis] = 0
                axis -= 1
            }
        }
        return .float(shape: shape, data: out)
    }
}
