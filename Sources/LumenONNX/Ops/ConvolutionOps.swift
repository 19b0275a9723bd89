import Foundation
import LumenKernels
import LumenNumerics

/// Convolution: the AVX-512 kernels where the session prepared them (`FastKernel`), else
/// im2col + OpenBLAS sgemm, with a direct path for 1×1 stride-1 unpadded kernels and a
/// dedicated loop for depthwise convolutions.
enum ConvolutionOps {
    static let kernels: [String: Kernel] = [
        "Conv": { n, v, _ in
            let x = try n.floats(v, 0)
            let w = try n.floats(v, 1)
            let bias = v.count > 2 ? v[2]?.floats : nil
            if let fast = n.fast, let y = try fast.run(n, x: x, w: w, bias: bias) { return [y] }
            return [try conv(n, x: x, w: w, bias: bias)]
        }
    ]

    struct Geometry {
        var kernel: [Int], strides: [Int], dilations: [Int], padBegin: [Int], padEnd: [Int], output: [Int]
    }

    /// Output size and padding per spatial axis, including auto_pad.
    static func geometry(_ n: Node, input: [Int], kernel: [Int]) throws -> Geometry {
        let d = kernel.count
        guard input.count == d, kernel.allSatisfy({ $0 >= 1 && $0 <= ONNXLimits.dimension }) else {
            throw n.fail("kernel \(kernel) does not suit an input of \(input.count) spatial axes")
        }
        let strides = try n.ints("strides", count: d, minimum: 1, default: 1)
        let dilations = try n.ints("dilations", count: d, minimum: 1, default: 1)
        var pads = try n.ints("pads", count: 2 * d, minimum: 0, default: 0)
        let autoPad = n.string("auto_pad", "NOTSET")
        guard ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"].contains(autoPad) else {
            throw n.fail("auto_pad '\(autoPad)' is not an ONNX choice")
        }
        var output = [Int](repeating: 0, count: d)
        for i in 0..<d {
            let effective = (kernel[i] - 1) * dilations[i] + 1
            switch autoPad {
            case "SAME_UPPER", "SAME_LOWER":
                output[i] = (input[i] + strides[i] - 1) / strides[i]
                let total = max(0, (output[i] - 1) * strides[i] + effective - input[i])
                let small = total / 2
                (pads[i], pads[i + d]) = autoPad == "SAME_UPPER" ? (small, total - small) : (total - small, small)
            case "VALID":
                pads[i] = 0
                pads[i + d] = 0
                output[i] = (input[i] - effective) / strides[i] + 1
            default:
                output[i] = (input[i] + pads[i] + pads[i + d] - effective) / strides[i] + 1
            }
            guard output[i] > 0 else { throw n.fail("kernel \(kernel) does not fit input \(input)") }
        }
        return Geometry(
            kernel: kernel,
            strides: strides,
            dilations: dilations,
            padBegin: Array(pads.prefix(d)),
            padEnd: Array(pads.suffix(d)),
            output: output
        )
    }

    static func conv(
        _ n: Node,
        x: (shape: [Int], data: [Float]),
        w: (shape: [Int], data: [Float]),
        bias: [Float]?
    ) throws -> Value {
        guard x.shape.count == 4, w.shape.count == 4 else {
            throw n.fail("only 2-D convolutions (4-D tensors) are supported, got \(x.shape)")
        }
        let batch = x.shape[0]
        let channels = x.shape[1]
        let height = x.shape[2]
        let width = x.shape[3]
        let outChannels = w.shape[0]
        let group = n.int("group", 1)
        guard group >= 1, channels % group == 0, outChannels % group == 0, w.shape[1] == channels / group else {
            throw n.fail("weight \(w.shape) does not fit input \(x.shape) with group \(group)")
        }
        let g = try geometry(n, input: [height, width], kernel: [w.shape[2], w.shape[3]])
        let (kh, kw) = (g.kernel[0], g.kernel[1])
        let (oh, ow) = (g.output[0], g.output[1])
        _ = try n.count([batch, outChannels, oh, ow])
        _ = try n.count([channels / group, kh, kw, oh, ow])  // the im2col buffer
        let cg = channels / group
        let mg = outChannels / group
        let kSize = cg * kh * kw
        let plane = oh * ow
        var out = [Float](repeating: 0, count: batch * outChannels * plane)
        let pointwise = kh == 1 && kw == 1 && g.strides == [1, 1] && g.padBegin == [0, 0] && g.padEnd == [0, 0]
        let depthwise = group == channels && group == outChannels && !pointwise
        x.data.withUnsafeBufferPointer { X in
            w.data.withUnsafeBufferPointer { W in
                out.withUnsafeMutableBufferPointer { O in
                    if depthwise {
                        depthwiseConv(
                            X.baseAddress!,
                            W.baseAddress!,
                            O.baseAddress!,
                            batch: batch,
                            channels: channels,
                            height: height,
                            width: width,
                            g: g
                        )
                        return
                    }
                    var columns = [Float](repeating: 0, count: pointwise ? 0 : kSize * plane)
                    for b in 0..<batch {
                        for grp in 0..<group {
                            let input = X.baseAddress! + (b * channels + grp * cg) * height * width
                            let output = O.baseAddress! + (b * outChannels + grp * mg) * plane
                            let weights = W.baseAddress! + grp * mg * kSize
                            if pointwise {
                                BLAS.parallelGemm(
                                    m: mg,
                                    n: plane,
                                    k: cg,
                                    weights,
                                    lda: kSize,
                                    input,
                                    ldb: plane,
                                    output,
                                    ldc: plane
                                )
                            } else {
                                columns.withUnsafeMutableBufferPointer { C in
                                    im2col(input, C.baseAddress!, channels: cg, height: height, width: width, g: g)
                                    BLAS.parallelGemm(
                                        m: mg,
                                        n: plane,
                                        k: kSize,
                                        weights,
                                        lda: kSize,
                                        UnsafePointer(C.baseAddress!),
                                        ldb: plane,
                                        output,
                                        ldc: plane
                                    )
                                }
                            }
                        }
                    }
                }
            }
        }
        if let bias {
            guard bias.count == outChannels else {
                throw n.fail("bias has \(bias.count) values for \(outChannels) channels")
            }
        }
        // Bias and a fused activation (see GraphOptimizer) in one pass.
        let (lo, hi, silu): (Float, Float, Bool) =
            switch n.fused {
            case .none: (-.infinity, .infinity, false)
            case .clamp(let lower, let upper): (lower, upper, false)
            case .silu: (-.infinity, .infinity, true)
            }
        let clamp = lo > -.infinity || hi < .infinity
        if bias != nil || clamp || silu {
            let biasValues = bias
            out.withUnsafeMutableBufferPointer { O in
                let o = SendableMutablePointer(O.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: batch * outChannels) { bm in
                    let base = o.pointer + bm * plane
                    let value = biasValues?[bm % outChannels] ?? 0
                    if silu {
                        for k in 0..<plane {
                            let v = base[k] + value
                            base[k] = v / (1 + Foundation.exp(-v))
                        }
                    } else if clamp {
                        for k in 0..<plane { base[k] = Swift.min(Swift.max(base[k] + value, lo), hi) }
                    } else {
                        for k in 0..<plane { base[k] += value }
                    }
                }
            }
        }
        return .float(shape: [batch, outChannels, oh, ow], data: out)
    }

    /// Unfolds kernel windows into columns (one row per channel × tap), channels in parallel.
    static func im2col(
        _ x: UnsafePointer<Float>,
        _ columns: UnsafeMutablePointer<Float>,
        channels: Int,
        height: Int,
        width: Int,
        g: Geometry
    ) {
        let (kh, kw) = (g.kernel[0], g.kernel[1])
        let (oh, ow) = (g.output[0], g.output[1])
        let (sh, sw) = (g.strides[0], g.strides[1])
        let (dh, dw) = (g.dilations[0], g.dilations[1])
        let (ph, pw) = (g.padBegin[0], g.padBegin[1])
        let xs = SendablePointer(x)
        let cs = SendableMutablePointer(columns)
        let work = channels * kh * kw * oh * ow
        let body: @Sendable (Int) -> Void = { c in
            let plane = xs.pointer + c * height * width
            var row = c * kh * kw
            for ky in 0..<kh {
                for kx in 0..<kw {
                    let dst = cs.pointer + row * oh * ow
                    for y in 0..<oh {
                        let iy = y * sh - ph + ky * dh
                        let line = dst + y * ow
                        if iy < 0 || iy >= height {
                            line.initialize(repeating: 0, count: ow)
                            continue
                        }
                        let src = plane + iy * width
                        let offset = kx * dw - pw
                        if sw == 1 {
                            // Valid columns are contiguous: zero the edges, copy the middle.
                            let lo = Swift.min(Swift.max(0, -offset), ow)
                            let hi = Swift.max(Swift.min(ow, width - offset), lo)
                            if lo > 0 { line.initialize(repeating: 0, count: lo) }
                            if hi > lo { (line + lo).update(from: src + lo + offset, count: hi - lo) }
                            if hi < ow { (line + hi).initialize(repeating: 0, count: ow - hi) }
                        } else {
                            for xo in 0..<ow {
                                let ix = xo * sw + offset
                                line[xo] = ix >= 0 && ix < width ? src[ix] : 0
                            }
                        }
                    }
                    row += 1
                }
            }
        }
        if work >= 1 << 16 {
            DispatchQueue.concurrentPerform(iterations: channels, execute: body)
        } else {
            for c in 0..<channels { body(c) }
        }
    }

    /// Depthwise convolution, one channel at a time: for each kernel tap, the valid output
    /// columns are found once and the row update runs without bounds checks.
    static func depthwiseConv(
        _ x: UnsafePointer<Float>,
        _ w: UnsafePointer<Float>,
        _ o: UnsafeMutablePointer<Float>,
        batch: Int,
        channels: Int,
        height: Int,
        width: Int,
        g: Geometry
    ) {
        let (kh, kw) = (g.kernel[0], g.kernel[1])
        let (oh, ow) = (g.output[0], g.output[1])
        let (sh, sw) = (g.strides[0], g.strides[1])
        let (dh, dw) = (g.dilations[0], g.dilations[1])
        let (ph, pw) = (g.padBegin[0], g.padBegin[1])
        // Valid output column range per kernel column.
        let ranges: [(lo: Int, hi: Int)] = (0..<kw).map { kx in
            let offset = kx * dw - pw
            var lo = 0
            while lo < ow && lo * sw + offset < 0 { lo += 1 }
            var hi = ow
            while hi > lo && (hi - 1) * sw + offset >= width { hi -= 1 }
            return (lo, hi)
        }
        let xs = SendablePointer(x)
        let ws = SendablePointer(w)
        let os = SendableMutablePointer(o)
        DispatchQueue.concurrentPerform(iterations: batch * channels) { bc in
            let x = xs.pointer
            let w = ws.pointer
            let o = os.pointer
            let c = bc % channels
            do {
                let plane = x + bc * height * width
                let kernel = w + c * kh * kw
                let out = o + bc * oh * ow
                out.initialize(repeating: 0, count: oh * ow)
                for y in 0..<oh {
                    let row = out + y * ow
                    for ky in 0..<kh {
                        let iy = y * sh - ph + ky * dh
                        if iy < 0 || iy >= height { continue }
                        let line = plane + iy * width
                        for kx in 0..<kw {
                            let weight = kernel[ky * kw + kx]
                            let offset = kx * dw - pw
                            let (lo, hi) = ranges[kx]
                            if sw == 1 {
                                let source = line + offset
                                for xo in lo..<hi { row[xo] += weight * source[xo] }
                            } else {
                                for xo in lo..<hi { row[xo] += weight * line[xo * sw + offset] }
                            }
                        }
                    }
                }
            }
        }
    }
}
