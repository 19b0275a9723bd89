import Foundation
import LumenNumerics

/// Max, average and global average pooling over N×C×H×W tensors.
enum PoolingOps {
    static let kernels: [String: Kernel] = [
        "GlobalAveragePool": { n, v, _ in
            let x = try n.floats(v, 0)
            guard x.shape.count >= 3 else { throw n.fail("GlobalAveragePool needs N×C×spatial input, got \(x.shape)") }
            let outer = x.shape[0] * x.shape[1]
            let plane = x.shape[2...].reduce(1, *)
            let data = (0..<outer).map { i in x.data[(i * plane)..<((i + 1) * plane)].reduce(0, +) / Float(plane) }
            return [
                .float(shape: [x.shape[0], x.shape[1]] + [Int](repeating: 1, count: x.shape.count - 2), data: data)
            ]
        },
        "MaxPool": { n, v, _ in
            guard n.outputs.dropFirst().allSatisfy(\.isEmpty) else {
                throw ONNXError.unsupported(node: n.name, op: n.op, reason: "MaxPool's Indices output")
            }
            return [try pool(n, v, max: true)]
        },
        "AveragePool": { n, v, _ in [try pool(n, v, max: false)] },
    ]

    static func pool(_ n: Node, _ v: [Value?], max isMax: Bool) throws -> Value {
        let x = try n.floats(v, 0)
        guard x.shape.count == 4, let kernel = n.ints("kernel_shape"), kernel.count == 2 else {
            throw n.fail("only 2-D pooling over N×C×H×W is supported")
        }
        let (height, width) = (x.shape[2], x.shape[3])
        var g = try ConvolutionOps.geometry(n, input: [height, width], kernel: kernel)
        if n.int("ceil_mode", 0) == 1 {
            for i in 0..<2 {
                let effective = (kernel[i] - 1) * g.dilations[i] + 1
                let input = [height, width][i]
                let total = input + g.padBegin[i] + g.padEnd[i] - effective
                var out = (total + g.strides[i] - 1) / g.strides[i] + 1
                // The last window must start inside the input or the left padding.
                if (out - 1) * g.strides[i] >= input + g.padBegin[i] { out -= 1 }
                g.output[i] = out
            }
        }
        let includePad = n.int("count_include_pad", 0) == 1
        let (oh, ow) = (g.output[0], g.output[1])
        guard oh > 0, ow > 0 else { throw n.fail("kernel \(kernel) does not fit input \(x.shape)") }
        _ = try n.count([x.shape[0], x.shape[1], Swift.max(oh, height), ow])
        let planes = x.shape[0] * x.shape[1]
        // Windows are rectangles, so pooling is separable: each input row is reduced over the
        // window's columns, then those row results over the window's rows. A window's element
        // count is (rows it covers) × (columns it covers).
        let columns = Window(
            size: kernel[1],
            stride: g.strides[1],
            dilation: g.dilations[1],
            pad: g.padBegin[1],
            input: width,
            output: ow,
            padEnd: g.padEnd[1]
        )
        let rows = Window(
            size: kernel[0],
            stride: g.strides[0],
            dilation: g.dilations[0],
            pad: g.padBegin[0],
            input: height,
            output: oh,
            padEnd: g.padEnd[0]
        )
        var out = [Float](repeating: 0, count: planes * oh * ow)
        x.data.withUnsafeBufferPointer { X in
            out.withUnsafeMutableBufferPointer { O in
                let xs = SendablePointer(X.baseAddress!)
                let os = SendableMutablePointer(O.baseAddress!)
                Parallel.onPool(workers: Swift.min(Parallel.workers, planes)) { worker, workers in
                    let line = UnsafeMutablePointer<Float>.allocate(capacity: width)
                    defer { line.deallocate() }
                    for p in (planes * worker / workers)..<(planes * (worker + 1) / workers) {
                        let plane = xs.pointer + p * height * width
                        let target = os.pointer + p * oh * ow
                        // A plane without NaN takes plain comparisons (no NaN test per tap, so
                        // the column pass has no branch to mispredict); one with NaN propagates it.
                        let exact = isMax && Window.containsNaN(plane, count: height * width)
                        // Rows first (whole input rows combined elementwise, which vectorises),
                        // then the columns of that one line: the strided pass runs on oh rows.
                        for y in 0..<oh {
                            rows.combine(output: y, of: plane, length: width, into: line, max: isMax, nan: exact)
                            columns.reduce(line, into: target + y * ow, max: isMax, nan: exact)
                        }
                        if !isMax {
                            for y in 0..<oh {
                                let cy = includePad ? rows.paddedCount[y] : rows.count[y]
                                for xo in 0..<ow {
                                    let count = cy * (includePad ? columns.paddedCount[xo] : columns.count[xo])
                                    target[y * ow + xo] = count > 0 ? target[y * ow + xo] / Float(count) : 0
                                }
                            }
                        }
                    }
                }
            }
        }
        return .float(shape: [x.shape[0], x.shape[1], oh, ow], data: out)
    }
}

/// One axis of a pooling window: for each output position, the input positions it covers.
struct Window {
    let size: Int, stride: Int, dilation: Int, pad: Int, input: Int, output: Int
    /// First and one-past-last window tap inside the input, per output position.
    let first: [Int], last: [Int]
    /// Taps inside the input, and inside the input or its padding, per output position.
    let count: [Int], paddedCount: [Int]

    init(size: Int, stride: Int, dilation: Int, pad: Int, input: Int, output: Int, padEnd: Int) {
        (self.size, self.stride, self.dilation, self.pad, self.input, self.output) = (
            size, stride, dilation, pad, input, output
        )
        var first = [Int]()
        var last = [Int]()
        var count = [Int]()
        var paddedCount = [Int]()
        for o in 0..<output {
            let taps = (0..<size).map { o * stride - pad + $0 * dilation }
            let inside = taps.indices.filter { taps[$0] >= 0 && taps[$0] < input }
            first.append(inside.first ?? 0)
            last.append((inside.last ?? -1) + 1)
            count.append(inside.count)
            paddedCount.append(taps.filter { $0 < input + padEnd }.count)
        }
        (self.first, self.last, self.count, self.paddedCount) = (first, last, count, paddedCount)
    }

    /// Whether any of `count` floats is NaN or infinite (x − x is 0 for every other value): one
    /// vector pass, no branch. An infinity only sends its plane down the NaN-propagating path,
    /// which is right for every input.
    static func containsNaN(_ values: UnsafePointer<Float>, count: Int) -> Bool {
        var lanes = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            let v = UnsafeRawPointer(values + i).loadUnaligned(as: SIMD16<Float>.self)
            lanes += v - v
            i += 16
        }
        var rest: Float = 0
        while i < count {
            rest += values[i] - values[i]
            i += 1
        }
        return !(lanes.sum() + rest).isFinite
    }

    /// Max or sum over each output position's taps of the row `source`; with `nan`, max propagates
    /// NaN (the row may hold one), else plain comparisons suffice.
    @inline(__always)
    func reduce(
        _ source: UnsafePointer<Float>,
        into target: UnsafeMutablePointer<Float>,
        max isMax: Bool,
        nan: Bool
    ) {
        first.withUnsafeBufferPointer { first in
            last.withUnsafeBufferPointer { last in
                for o in 0..<output {
                    var position = o &* stride &- pad &+ first[o] &* dilation
                    let taps = last[o] &- first[o]
                    var acc: Float = isMax ? -.infinity : 0
                    if isMax && nan {
                        for _ in 0..<taps {
                            let value = source[position]
                            acc = value > acc || value.isNaN ? value : acc
                            position &+= dilation
                        }
                    } else if isMax {
                        for _ in 0..<taps {
                            let value = source[position]
                            acc = value > acc ? value : acc
                            position &+= dilation
                        }
                    } else {
                        for _ in 0..<taps {
                            acc += source[position]
                            position &+= dilation
                        }
                    }
                    target[o] = acc
                }
            }
        }
    }

    /// The max or sum of the input rows `first[o]..<last[o]` (dilated) of `rows`, each `length`
    /// long, combined elementwise into `row`.
    func combine(
        output o: Int,
        of rows: UnsafePointer<Float>,
        length: Int,
        into row: UnsafeMutablePointer<Float>,
        max isMax: Bool,
        nan: Bool
    ) {
        guard first[o] < last[o] else {
            row.update(repeating: isMax ? -.infinity : 0, count: length)
            return
        }
        var position = o * stride - pad + first[o] * dilation
        row.update(from: rows + position * length, count: length)
        for _ in (first[o] + 1)..<last[o] {
            position += dilation
            let source = rows + position * length
            if isMax && nan {
                for i in 0..<length {
                    let (a, b) = (row[i], source[i])
                    row[i] = b > a || b.isNaN ? b : a
                }
            } else if isMax {
                for i in 0..<length {
                    let (a, b) = (row[i], source[i])
                    row[i] = b > a ? b : a
                }
            } else {
                for i in 0..<length { row[i] += source[i] }
            }
        }
    }
}
