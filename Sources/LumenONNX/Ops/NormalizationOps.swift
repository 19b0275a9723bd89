import Foundation

/// Batch normalisation (inference), softmax and mean reduction.
enum NormalizationOps {
    static let kernels: [String: Kernel] = [
        "BatchNormalization": { n, v, _ in
            let x = try n.floats(v, 0)
            let scale = try n.input(v, 1).floats, bias = try n.input(v, 2).floats
            let mean = try n.input(v, 3).floats, variance = try n.input(v, 4).floats
            let epsilon = n.float("epsilon", 1e-5)
            guard x.shape.count >= 2, scale.count == x.shape[1] else { throw n.fail("scale has \(scale.count) values for input \(x.shape)") }
            let channels = x.shape[1], plane = x.shape[2...].reduce(1, *)
            var out = x.data
            for b in 0..<x.shape[0] {
                for c in 0..<channels {
                    let a = scale[c] / (variance[c] + epsilon).squareRoot(), shift = bias[c] - mean[c] * a
                    let base = (b * channels + c) * plane
                    for k in 0..<plane { out[base + k] = out[base + k] * a + shift }
                }
            }
            return [.float(shape: x.shape, data: out)]
        },
        "Softmax": { n, v, opset in
            let x = try n.floats(v, 0)
            let rank = x.shape.count
            var axis = n.int("axis", opset >= 13 ? -1 : 1)
            if axis < 0 { axis += rank }
            var out = x.data
            if opset >= 13 {
                let outer = x.shape.prefix(axis).reduce(1, *), dim = x.shape[axis], inner = x.shape.suffix(from: axis + 1).reduce(1, *)
                for o in 0..<outer {
                    for i in 0..<inner {
                        let idx = (0..<dim).map { (o * dim + $0) * inner + i }
                        softmax(&out, idx)
                    }
                }
            } else {
                let block = x.shape.suffix(from: axis).reduce(1, *)
                for o in 0..<(x.data.count / max(block, 1)) { softmax(&out, Array((o * block)..<((o + 1) * block))) }
            }
            return [.float(shape: x.shape, data: out)]
        },
        "ReduceMean": { n, v, opset in
            let x = try n.floats(v, 0)
            let rank = x.shape.count
            let axesAttr = opset >= 18 ? (v.count > 1 ? v[1]?.ints.map { Int($0) } : nil) : n.ints("axes")
            let keep = n.int("keepdims", 1) == 1
            let axes = Set((axesAttr ?? Array(0..<rank)).map { $0 < 0 ? $0 + rank : $0 })
            let outShapeKeep = x.shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
            let index = ElementwiseOps.broadcastIndex(outShapeKeep, to: x.shape)
            var sums = [Double](repeating: 0, count: outShapeKeep.reduce(1, *))
            for k in 0..<x.data.count { sums[index[k]] += Double(x.data[k]) }
            let count = Double(x.data.count / max(sums.count, 1))
            let shape = keep ? outShapeKeep : x.shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
            return [.float(shape: shape, data: sums.map { Float($0 / count) })]
        },
    ]

    static func softmax(_ data: inout [Float], _ idx: [Int]) {
        let peak = idx.map { data[$0] }.max() ?? 0
        var total: Float = 0
        for i in idx {
            data[i] = exp(data[i] - peak)
            total += data[i]
        }
        for i in idx { data[i] /= total }
    }
}
