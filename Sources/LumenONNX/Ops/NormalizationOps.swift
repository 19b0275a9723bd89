import Foundation
import LumenKernels

/// Batch normalisation (inference), softmax and mean reduction.
enum NormalizationOps {
    static let kernels: [String: Kernel] = [
        "BatchNormalization": { n, v, _ in
            let x = try n.floats(v, 0)
            let scale = try n.input(v, 1).floats
            let bias = try n.input(v, 2).floats
            let mean = try n.input(v, 3).floats
            let variance = try n.input(v, 4).floats
            let epsilon = n.float("epsilon", 1e-5)
            guard x.shape.count >= 2, [scale, bias, mean, variance].allSatisfy({ $0.count == x.shape[1] }) else {
                throw n.fail(
                    "scale, bias, mean and variance need \(x.shape.count >= 2 ? x.shape[1] : 0) values each for input \(x.shape)"
                )
            }
            let channels = x.shape[1]
            let plane = x.shape[2...].reduce(1, *)
            var out = x.data
            for b in 0..<x.shape[0] {
                for c in 0..<channels {
                    let a = scale[c] / (variance[c] + epsilon).squareRoot()
                    let shift = bias[c] - mean[c] * a
                    let base = (b * channels + c) * plane
                    for k in 0..<plane { out[base + k] = out[base + k] * a + shift }
                }
            }
            return [.float(shape: x.shape, data: out)]
        },
        "Softmax": { n, v, opset in
            let x = try n.floats(v, 0)
            let rank = x.shape.count
            let axis = try n.axis(n.int("axis", opset >= 13 ? -1 : 1), rank: rank)
            var out = x.data
            // Softmax over `dim` values spaced `inner` apart: along the axis (opset ≥ 13), or over
            // everything from the axis on (opset < 13, the input flattened to 2-D there).
            let dim = opset >= 13 ? x.shape[axis] : x.shape.suffix(from: axis).reduce(1, *)
            let inner = opset >= 13 ? x.shape.suffix(from: axis + 1).reduce(1, *) : 1
            let outer = x.data.count / max(dim * inner, 1)
            out.withUnsafeMutableBufferPointer { d in
                if n.fast != nil, !d.isEmpty {
                    VectorActivations.softmax(d.baseAddress!, outer: outer, dim: dim, inner: inner)
                    return
                }
                for o in 0..<outer {
                    for i in 0..<inner {
                        let base = d.baseAddress! + o * dim * inner + i
                        var peak = -Float.infinity
                        for k in 0..<dim { peak = max(peak, base[k * inner]) }
                        var total: Float = 0
                        for k in 0..<dim {
                            let e = exp(base[k * inner] - peak)
                            base[k * inner] = e
                            total += e
                        }
                        for k in 0..<dim { base[k * inner] /= total }
                    }
                }
            }
            return [.float(shape: x.shape, data: out)]
        },
        "LayerNormalization": { n, v, _ in
            // Y = (X − mean) / √(var + ε) · scale + bias over the axes from `axis` on.
            let x = try n.floats(v, 0)
            let scale = try n.input(v, 1).floats
            let bias = v.count > 2 ? v[2]?.floats : nil
            let axis = try n.axis(n.int("axis", -1), rank: x.shape.count)
            let epsilon = Double(n.float("epsilon", 1e-5))
            let inner = x.shape.suffix(from: axis).reduce(1, *)
            let outer = x.shape.prefix(axis).reduce(1, *)
            guard inner > 0, scale.count == inner || scale.count == 1,
                bias.map({ $0.count == inner || $0.count == 1 }) ?? true
            else {
                throw n.fail(
                    "scale \(scale.count) and bias \(bias?.count ?? 0) values do not fit \(inner) normalised elements of \(x.shape)"
                )
            }
            guard n.outputs.count == 1 || n.outputs.dropFirst().allSatisfy(\.isEmpty) else {
                throw ONNXError.unsupported(
                    node: n.name,
                    op: n.op,
                    reason: "only the normalised output (not Mean / InvStdDev) is supported"
                )
            }
            var out = x.data
            for o in 0..<outer {
                let base = o * inner
                var mean = 0.0
                for k in 0..<inner { mean += Double(x.data[base + k]) }
                mean /= Double(inner)
                var variance = 0.0
                for k in 0..<inner {
                    let d = Double(x.data[base + k]) - mean
                    variance += d * d
                }
                let inverse = 1 / (variance / Double(inner) + epsilon).squareRoot()
                for k in 0..<inner {
                    let s = scale[scale.count == 1 ? 0 : k]
                    let b = bias.map { $0[$0.count == 1 ? 0 : k] } ?? 0
                    out[base + k] = Float((Double(x.data[base + k]) - mean) * inverse) * s + b
                }
            }
            return [.float(shape: x.shape, data: out)]
        },
        "ReduceMean": { n, v, opset in
            let x = try n.floats(v, 0)
            let rank = x.shape.count
            let axesAttr = opset >= 18 ? (v.count > 1 ? v[1]?.ints.map { Int($0) } : nil) : n.ints("axes")
            let keep = n.int("keepdims", 1) == 1
            let axes = Set(try n.axes(axesAttr ?? Array(0..<rank), rank: rank))
            let outShapeKeep = x.shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
            let index = ElementwiseOps.broadcastIndex(outShapeKeep, to: x.shape)
            var sums = [Double](repeating: 0, count: outShapeKeep.reduce(1, *))
            for k in 0..<x.data.count { sums[index[k]] += Double(x.data[k]) }
            let count = Double(x.data.count / max(sums.count, 1))
            let shape = keep ? outShapeKeep : x.shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
            return [.float(shape: shape, data: sums.map { Float($0 / count) })]
        },
    ]

}
