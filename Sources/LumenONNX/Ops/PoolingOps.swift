/// Max, average and global average pooling over N×C×H×W tensors.
enum PoolingOps {
    static let kernels: [String: Kernel] = [
        "GlobalAveragePool": { n, v, _ in
            let x = try n.floats(v, 0)
            guard x.shape.count >= 3 else { throw n.fail("GlobalAveragePool needs N×C×spatial input, got \(x.shape)") }
            let outer = x.shape[0] * x.shape[1], plane = x.shape[2...].reduce(1, *)
            let data = (0..<outer).map { i in x.data[(i * plane)..<((i + 1) * plane)].reduce(0, +) / Float(plane) }
            return [.float(shape: [x.shape[0], x.shape[1]] + [Int](repeating: 1, count: x.shape.count - 2), data: data)]
        },
        "MaxPool": { n, v, _ in [try pool(n, v, max: true)] },
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
                let effective = (kernel[i] - 1) * g.dilations[i] + 1, input = [height, width][i]
                let total = input + g.padBegin[i] + g.padEnd[i] - effective
                var out = (total + g.strides[i] - 1) / g.strides[i] + 1
                // The last window must start inside the input or the left padding.
                if (out - 1) * g.strides[i] >= input + g.padBegin[i] { out -= 1 }
                g.output[i] = out
            }
        }
        let includePad = n.int("count_include_pad", 0) == 1
        let (oh, ow) = (g.output[0], g.output[1])
        var out = [Float](repeating: 0, count: x.shape[0] * x.shape[1] * oh * ow)
        for p in 0..<(x.shape[0] * x.shape[1]) {
            let base = p * height * width
            for y in 0..<oh {
                for xo in 0..<ow {
                    var acc: Float = isMax ? -.infinity : 0
                    var count = 0
                    for ky in 0..<kernel[0] {
                        let iy = y * g.strides[0] - g.padBegin[0] + ky * g.dilations[0]
                        for kx in 0..<kernel[1] {
                            let ix = xo * g.strides[1] - g.padBegin[1] + kx * g.dilations[1]
                            let inside = iy >= 0 && iy < height && ix >= 0 && ix < width
                            if inside {
                                let value = x.data[base + iy * width + ix]
                                acc = isMax ? Swift.max(acc, value) : acc + value
                                count += 1
                            } else if includePad && iy < height + g.padEnd[0] && ix < width + g.padEnd[1] {
                                count += 1
                            }
                        }
                    }
                    out[(p * oh + y) * ow + xo] = isMax ? acc : (count > 0 ? acc / Float(count) : 0)
                }
            }
        }
        return .float(shape: [x.shape[0], x.shape[1], oh, ow], data: out)
    }
}
