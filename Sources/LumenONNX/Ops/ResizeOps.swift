import Foundation
import LumenNumerics

/// Resize (nearest, linear and cubic over the last two axes, every coordinate-transformation
/// mode but tf_crop_and_resize) and ConvTranspose (sgemm + col2im).
enum ResizeOps {
    static let kernels: [String: Kernel] = [
        "Resize": { n, v, opset in [try resize(n, v, opset)] },
        "ConvTranspose": { n, v, _ in [try convTranspose(n, v)] },
    ]

    static func resize(_ n: Node, _ v: [Value?], _ opset: Int) throws -> Value {
        let x = try n.floats(v, 0)
        guard x.shape.count == 4 else {
            throw ONNXError.unsupported(node: n.name, op: n.op, reason: "Resize supports N×C×H×W inputs")
        }
        let (h, w) = (x.shape[2], x.shape[3])
        guard h > 0, w > 0 else { throw n.fail("Resize of an empty image \(x.shape)") }
        var outH = h
        var outW = w
        var scaleH = 1.0
        var scaleW = 1.0
        let scales = v.count > 2 ? v[2]?.floats ?? [] : []
        let sizes = v.count > 3 ? v[3]?.ints ?? [] : []
        if sizes.count == 4 {
            guard sizes[0] == x.shape[0], sizes[1] == x.shape[1] else {
                throw ONNXError.unsupported(node: n.name, op: n.op, reason: "only spatial resizing is supported")
            }
            guard sizes[2] > 0, sizes[3] > 0, sizes[2] <= ONNXLimits.dimension, sizes[3] <= ONNXLimits.dimension else {
                throw n.fail("Resize sizes \(sizes) are out of range")
            }
            outH = Int(sizes[2])
            outW = Int(sizes[3])
            scaleH = Double(outH) / Double(h)
            scaleW = Double(outW) / Double(w)
        } else if scales.count == 4 {
            guard scales[0] == 1, scales[1] == 1 else {
                throw ONNXError.unsupported(node: n.name, op: n.op, reason: "only spatial resizing is supported")
            }
            scaleH = Double(scales[2])
            scaleW = Double(scales[3])
            guard scaleH > 0, scaleW > 0, let oh = checkedInt((Double(h) * scaleH).rounded(.down)),
                let ow = checkedInt((Double(w) * scaleW).rounded(.down)),
                oh <= ONNXLimits.dimension, ow <= ONNXLimits.dimension
            else { throw n.fail("Resize scales \(scales) are out of range for \(x.shape)") }
            (outH, outW) = (oh, ow)
        } else {
            throw ONNXError.missing("scales or sizes of Resize '\(n.name)'")
        }
        guard outH > 0, outW > 0 else { throw n.fail("Resize to an empty size") }
        _ = try n.count([x.shape[0], x.shape[1], outH, outW])
        let mode = n.string("mode", "nearest")
        let transform = n.string("coordinate_transformation_mode", "half_pixel")
        let nearest = n.string("nearest_mode", "round_prefer_floor")
        guard ["nearest", "linear", "cubic"].contains(mode) else {
            throw ONNXError.unsupported(node: n.name, op: n.op, reason: "Resize mode '\(mode)'")
        }
        let transforms = ["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn"]
        guard transforms.contains(transform) else {
            throw ONNXError.unsupported(node: n.name, op: n.op, reason: "coordinate_transformation_mode '\(transform)'")
        }
        guard n.int("antialias", 0) == 0 else {
            throw ONNXError.unsupported(node: n.name, op: n.op, reason: "Resize with antialias")
        }
        guard n.ints("axes") == nil else {
            throw ONNXError.unsupported(node: n.name, op: n.op, reason: "Resize with an axes attribute")
        }
        func source(_ o: Int, _ length: Int, _ outLength: Int, _ scale: Double) -> Double {
            switch transform {
            case "align_corners":
                // Over the output's whole-pixel length, as onnxruntime and PyTorch do (the ONNX
                // reference divides by length · scale − 1 when scales are given).
                return outLength == 1 ? 0 : Double(o) * Double(length - 1) / Double(outLength - 1)
            case "asymmetric": return Double(o) / scale
            case "tf_half_pixel_for_nn": return (Double(o) + 0.5) / scale
            case "pytorch_half_pixel": return outLength > 1 ? (Double(o) + 0.5) / scale - 0.5 : 0
            default: return (Double(o) + 0.5) / scale - 0.5
            }
        }
        func pick(_ s: Double, _ length: Int) -> Int {
            let i: Double
            switch nearest {
            case "floor": i = s.rounded(.down)
            case "ceil": i = s.rounded(.up)
            case "round_prefer_ceil": i = s - s.rounded(.down) == 0.5 ? s.rounded(.up) : s.rounded()
            default: i = s - s.rounded(.down) == 0.5 ? s.rounded(.down) : s.rounded()
            }
            return min(max(Int(i), 0), length - 1)
        }
        typealias Tap = Interpolation
        func taps(_ length: Int, _ outLength: Int, _ scale: Double) -> [Tap] {
            (0..<outLength).map { o in
                let s = source(o, length, outLength, scale)
                if mode == "nearest" {
                    let i = pick(s, length)
                    return Tap(i0: i, i1: i, w0: 1, w1: 0)
                }
                let base = s.rounded(.down)
                let r = Float(s - base)
                let i0 = min(max(Int(base), 0), length - 1)
                let i1 = min(max(Int(base) + 1, 0), length - 1)
                return Tap(i0: i0, i1: i1, w0: 1 - r, w1: r)
            }
        }
        if mode == "cubic" {
            let a = Double(n.float("cubic_coeff_a", -0.75))
            let exclude = n.int("exclude_outside", 0) == 1
            func cubicTaps(_ length: Int, _ outLength: Int, _ scale: Double) -> [CubicTaps] {
                (0..<outLength).map { o in
                    CubicTaps(
                        source: source(o, length, outLength, scale),
                        length: length,
                        a: a,
                        excludeOutside: exclude
                    )
                }
            }
            return cubic(x, outH, outW, cubicTaps(h, outH, scaleH), cubicTaps(w, outW, scaleW))
        }
        let ty = taps(h, outH, scaleH)
        let tx = taps(w, outW, scaleW)
        let planes = x.shape[0] * x.shape[1]
        var out = [Float](repeating: 0, count: planes * outH * outW)
        let isNearest = mode == "nearest"
        let (height, width) = (outH, outW)
        x.data.withUnsafeBufferPointer { X in
            out.withUnsafeMutableBufferPointer { O in
                let xs = SendablePointer(X.baseAddress!)
                let os = SendableMutablePointer(O.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: Swift.min(Parallel.workers, planes)) { worker in
                    let workers = Swift.min(Parallel.workers, planes)
                    for p in (planes * worker / workers)..<(planes * (worker + 1) / workers) {
                        let plane = xs.pointer + p * h * w
                        let target = os.pointer + p * height * width
                        for (y, a) in ty.enumerated() {
                            let row = target + y * width
                            if y > 0 && ty[y - 1] == a {
                                // Same source rows and weights as the row above (upsampling): copy it.
                                row.update(from: row - width, count: width)
                                continue
                            }
                            let top = plane + a.i0 * w
                            let bottom = plane + a.i1 * w
                            if isNearest {
                                for (xo, b) in tx.enumerated() { row[xo] = top[b.i0] }
                            } else {
                                for (xo, b) in tx.enumerated() {
                                    let upper = top[b.i0] * b.w0 + top[b.i1] * b.w1
                                    let lower = bottom[b.i0] * b.w0 + bottom[b.i1] * b.w1
                                    row[xo] = upper * a.w0 + lower * a.w1
                                }
                            }
                        }
                    }
                }
            }
        }
        return .float(shape: [x.shape[0], x.shape[1], outH, outW], data: out)
    }

    /// Bicubic resizing: four taps a row and a column per output, weights from `CubicTaps`.
    static func cubic(
        _ x: (shape: [Int], data: [Float]),
        _ outH: Int,
        _ outW: Int,
        _ ty: [CubicTaps],
        _ tx: [CubicTaps]
    )
        -> Value
    {
        let (h, w) = (x.shape[2], x.shape[3])
        let planes = x.shape[0] * x.shape[1]
        var out = [Float](repeating: 0, count: planes * outH * outW)
        for p in 0..<planes {
            let plane = p * h * w
            for (y, a) in ty.enumerated() {
                for (xo, b) in tx.enumerated() {
                    var total = 0.0
                    for i in 0..<4 where a.weights[i] != 0 {
                        var row = 0.0
                        for j in 0..<4 { row += b.weights[j] * Double(x.data[plane + a.indices[i] * w + b.indices[j]]) }
                        total += a.weights[i] * row
                    }
                    out[(p * outH + y) * outW + xo] = Float(total)
                }
            }
        }
        return .float(shape: [x.shape[0], x.shape[1], outH, outW], data: out)
    }

    static func convTranspose(_ n: Node, _ v: [Value?]) throws -> Value {
        let x = try n.floats(v, 0)
        let w = try n.floats(v, 1)
        let bias = v.count > 2 ? v[2]?.floats : nil
        guard x.shape.count == 4, w.shape.count == 4 else {
            throw n.fail("only 2-D transposed convolutions are supported")
        }
        let (batch, channels, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let group = n.int("group", 1)
        guard group >= 1 else { throw n.fail("group \(group) must be at least 1") }
        guard w.shape[0] == channels, channels % group == 0 else {
            throw n.fail("weight \(w.shape) does not fit input \(x.shape)")
        }
        let mg = w.shape[1]
        let outChannels = mg * group
        let (kh, kw) = (w.shape[2], w.shape[3])
        guard group >= 1, h >= 1, wd >= 1, (1...ONNXLimits.dimension).contains(kh),
            (1...ONNXLimits.dimension).contains(kw)
        else {
            throw n.fail("weight \(w.shape) does not fit input \(x.shape) with group \(group)")
        }
        let strides = try n.ints("strides", count: 2, minimum: 1, default: 1)
        let dilations = try n.ints("dilations", count: 2, minimum: 1, default: 1)
        let outputPadding = try n.ints("output_padding", count: 2, minimum: 0, default: 0)
        var pads = try n.ints("pads", count: 4, minimum: 0, default: 0)
        let autoPad = n.string("auto_pad", "NOTSET")
        var outH = strides[0] * (h - 1) + outputPadding[0] + (kh - 1) * dilations[0] + 1
        var outW = strides[1] * (wd - 1) + outputPadding[1] + (kw - 1) * dilations[1] + 1
        if let shape = n.ints("output_shape") ?? (autoPad.hasPrefix("SAME") ? [h * strides[0], wd * strides[1]] : nil) {
            let target = Array(shape.suffix(2))
            guard target.count == 2 else { throw n.fail("output_shape \(shape) needs two spatial sizes") }
            guard target.allSatisfy({ $0 > 0 && $0 <= ONNXLimits.dimension }) else {
                throw n.fail("output_shape \(shape) is out of range")
            }
            // A negative total pads the output past the natural size (zeros plus bias there).
            let totalH = outH - target[0]
            let totalW = outW - target[1]
            let upper = autoPad != "SAME_LOWER"
            pads =
                upper
                ? [totalH / 2, totalW / 2, totalH - totalH / 2, totalW - totalW / 2]
                : [totalH - totalH / 2, totalW - totalW / 2, totalH / 2, totalW / 2]
        }
        outH -= pads[0] + pads[2]
        outW -= pads[1] + pads[3]
        guard outH > 0, outW > 0 else { throw n.fail("output would be empty") }
        _ = try n.count([batch, outChannels, outH, outW])
        _ = try n.count([mg, kh, kw, h, wd])  // the columns buffer
        let cg = channels / group
        let plane = h * wd
        let kSize = mg * kh * kw
        var out = [Float](repeating: 0, count: batch * outChannels * outH * outW)
        var columns = [Float](repeating: 0, count: kSize * plane)
        for b in 0..<batch {
            for g in 0..<group {
                // columns (mg·kh·kw × HW) = Wᵀ (mg·kh·kw × cg) · X (cg × HW)
                x.data.withUnsafeBufferPointer { X in
                    w.data.withUnsafeBufferPointer { W in
                        columns.withUnsafeMutableBufferPointer { C in
                            BLAS.gemm(
                                transposeA: true,
                                transposeB: false,
                                m: kSize,
                                n: plane,
                                k: cg,
                                W.baseAddress! + g * cg * kSize,
                                lda: kSize,
                                X.baseAddress! + (b * channels + g * cg) * plane,
                                ldb: plane,
                                C.baseAddress!,
                                ldc: plane
                            )
                        }
                    }
                }
                // col2im: scatter-add every tap into the output.
                for m in 0..<mg {
                    let outBase = (b * outChannels + g * mg + m) * outH * outW
                    for ky in 0..<kh {
                        for kx in 0..<kw {
                            let row = ((m * kh + ky) * kw + kx) * plane
                            for iy in 0..<h {
                                let oy = iy * strides[0] - pads[0] + ky * dilations[0]
                                if oy < 0 || oy >= outH { continue }
                                for ix in 0..<wd {
                                    let ox = ix * strides[1] - pads[1] + kx * dilations[1]
                                    if ox < 0 || ox >= outW { continue }
                                    out[outBase + oy * outW + ox] += columns[row + iy * wd + ix]
                                }
                            }
                        }
                    }
                }
            }
        }
        if let bias {
            for b in 0..<batch {
                for m in 0..<outChannels {
                    for k in 0..<(outH * outW) { out[(b * outChannels + m) * outH * outW + k] += bias[m] }
                }
            }
        }
        return .float(shape: [batch, outChannels, outH, outW], data: out)
    }
}

/// The four source indices (clamped to the axis) and Keys-kernel weights of one output
/// coordinate along one axis: taps at ⌊s⌋ − 1 … ⌊s⌋ + 2, coefficient `a` (−0.75 in ONNX, −0.5
/// in TensorFlow); with `excludeOutside`, taps outside the axis weigh 0 and the rest are rescaled.
struct CubicTaps {
    var indices: [Int]
    var weights: [Double]

    init(source s: Double, length: Int, a: Double, excludeOutside: Bool) {
        func kernel(_ d: Double) -> Double {
            let x = Swift.abs(d)
            if x <= 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
            return 0
        }
        let base = s.rounded(.down)
        let t = s - base
        let first = Int(base) - 1
        var weights = [kernel(t + 1), kernel(t), kernel(1 - t), kernel(2 - t)]
        if excludeOutside {
            for i in 0..<4 where first + i < 0 || first + i >= length { weights[i] = 0 }
            let total = weights.reduce(0, +)
            if total != 0 { weights = weights.map { $0 / total } }
        }
        self.weights = weights
        indices = (0..<4).map { Swift.min(Swift.max(first + $0, 0), length - 1) }
    }
}

/// Where one output coordinate reads along one axis: two source indices and their weights.
struct Interpolation: Equatable {
    var i0: Int, i1: Int, w0: Float, w1: Float
}
