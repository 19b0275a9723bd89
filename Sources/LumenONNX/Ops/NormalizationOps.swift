import Foundation
import LumenKernels

/// Batch, layer, instance and mean-variance normalisation (inference) and softmax.
enum NormalizationOps {
    static let kernels: [String: Kernel] = [
        "BatchNormalization": { n, v, _ in
            guard n.int("training_mode", 0) == 0, n.outputs.dropFirst().allSatisfy(\.isEmpty) else {
                throw ONNXError.unsupported(
                    node: n.name,
                    op: n.op,
                    reason: "BatchNormalization in training mode (running mean and variance outputs)"
                )
            }
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
            let (outer, dim, inner) = try softmaxGeometry(n, x.shape, opset: opset)
            var out = x.data
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
        "LogSoftmax": { n, v, opset in
            let x = try n.floats(v, 0)
            let (outer, dim, inner) = try softmaxGeometry(n, x.shape, opset: opset)
            var out = x.data
            for o in 0..<outer {
                for i in 0..<inner {
                    let base = o * dim * inner + i
                    var peak = -Float.infinity
                    for k in 0..<dim { peak = max(peak, out[base + k * inner]) }
                    var total: Float = 0
                    for k in 0..<dim { total += exp(out[base + k * inner] - peak) }
                    let shift = peak + log(total)
                    for k in 0..<dim { out[base + k * inner] -= shift }
                }
            }
            return [.float(shape: x.shape, data: out)]
        },
        "Hardmax": { n, v, opset in
            // 1 at the first maximum along the axis, 0 elsewhere.
            let x = try n.floats(v, 0)
            let (outer, dim, inner) = try softmaxGeometry(n, x.shape, opset: opset)
            var out = [Float](repeating: 0, count: x.data.count)
            for o in 0..<outer {
                for i in 0..<inner where dim > 0 {
                    let base = o * dim * inner + i
                    var best = 0
                    for k in 1..<max(dim, 1) where x.data[base + k * inner] > x.data[base + best * inner] { best = k }
                    out[base + best * inner] = 1
                }
            }
            return [.float(shape: x.shape, data: out)]
        },
        "InstanceNormalization": { n, v, _ in
            // Each (image, channel) plane normalised on its own, then scale and bias per channel.
            let x = try n.floats(v, 0)
            let scale = try n.input(v, 1).floats
            let bias = try n.input(v, 2).floats
            guard x.shape.count >= 3, scale.count == x.shape[1], bias.count == x.shape[1] else {
                throw n.fail("scale and bias need one value per channel of \(x.shape)")
            }
            let plane = x.shape[2...].reduce(1, *)
            let out = normalizedPlanes(x.data, plane: plane, epsilon: Double(n.float("epsilon", 1e-5))) { p in
                let c = p % x.shape[1]
                return (scale[c], bias[c])
            }
            return [.float(shape: x.shape, data: out)]
        },
        "MeanVarianceNormalization": { n, v, _ in
            // Over `axes` (default 0, 2, 3): (x − mean) / √var, with ε = 1e-9 as onnxruntime uses.
            let x = try n.floats(v, 0)
            let axes = Set(try n.axes(n.ints("axes") ?? [0, 2, 3], rank: x.shape.count))
            let order = (0..<x.shape.count).filter { !axes.contains($0) } + axes.sorted()
            let moved = LayoutOps.permute(.float(shape: x.shape, data: x.data), order)
            let plane = axes.map { x.shape[$0] }.reduce(1, *)
            let out = normalizedPlanes(moved.floats, plane: plane, epsilon: 1e-9) { _ in (1, 0) }
            var inverse = [Int](repeating: 0, count: order.count)
            for (i, axis) in order.enumerated() { inverse[axis] = i }
            return [LayoutOps.permute(.float(shape: moved.shape, data: out), inverse)]
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
            var out = x.data
            var means = [Float](repeating: 0, count: outer)
            var inverses = [Float](repeating: 0, count: outer)
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
                (means[o], inverses[o]) = (Float(mean), Float(inverse))
                for k in 0..<inner {
                    let s = scale[scale.count == 1 ? 0 : k]
                    let b = bias.map { $0[$0.count == 1 ? 0 : k] } ?? 0
                    out[base + k] = Float((Double(x.data[base + k]) - mean) * inverse) * s + b
                }
            }
            // Mean and InvStdDev keep the input's rank, with 1 for every normalised axis.
            let reduced = x.shape.prefix(axis) + [Int](repeating: 1, count: x.shape.count - axis)
            return [
                .float(shape: x.shape, data: out), .float(shape: Array(reduced), data: means),
                .float(shape: Array(reduced), data: inverses),
            ]

        },
    ]

    /// Softmax's `outer × dim × inner` view of a shape: along the axis (opset ≥ 13), or over
    /// everything from the axis on (opset < 13, the input flattened to 2-D there).
    static func softmaxGeometry(_ n: Node, _ shape: [Int], opset: Int) throws -> (outer: Int, dim: Int, inner: Int) {
        let axis = try n.axis(n.int("axis", opset >= 13 ? -1 : 1), rank: shape.count)
        let dim = opset >= 13 ? shape[axis] : shape.suffix(from: axis).reduce(1, *)
        let inner = opset >= 13 ? shape.suffix(from: axis + 1).reduce(1, *) : 1
        let total = shape.reduce(1, *)
        return (dim * inner == 0 ? 0 : total / (dim * inner), dim, inner)
    }

    /// Every run of `plane` values normalised to mean 0 and variance 1 (ε added to the
    /// variance), then scaled and shifted by `affine(plane index)`.
    static func normalizedPlanes(
        _ data: [Float],
        plane: Int,
        epsilon: Double,
        affine: (Int) -> (Float, Float)
    ) -> [Float] {
        var out = data
        guard plane > 0 else { return out }
        for p in 0..<(data.count / plane) {
            let base = p * plane
            var mean = 0.0
            for k in 0..<plane { mean += Double(data[base + k]) }
            mean /= Double(plane)
            var variance = 0.0
            for k in 0..<plane {
                let d = Double(data[base + k]) - mean
                variance += d * d
            }
            let inverse = 1 / (variance / Double(plane) + epsilon).squareRoot()
            let (s, b) = affine(p)
            for k in 0..<plane { out[base + k] = Float((Double(data[base + k]) - mean) * inverse) * s + b }
        }
        return out
    }
}
