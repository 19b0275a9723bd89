import LumenNumerics

extension BlockedPointwise {
    /// 32 output channels × positions 0…`last` (≤ 7) from the inputs `steps` describes,
    /// activated, into `tile`; positions past `last` repeat the last one's input and are not
    /// written. (Kept out of line: one tight loop, specialised per activation.)
    @inline(never)
    static func kernel<F: VectorFunction>(
        _ weights: UnsafePointer<SIMD16<Float>>,
        _ steps: Steps,
        depth: Int,
        last: Int,
        bias: (SIMD16<Float>, SIMD16<Float>),
        activation: F,
        into tile: UnsafeMutablePointer<SIMD16<Float>>
    ) {
        let stride = steps.positionStride
        let o1 = Swift.min(1, last) * stride
        let o2 = Swift.min(2, last) * stride
        let o3 = Swift.min(3, last) * stride
        let o4 = Swift.min(4, last) * stride
        let o5 = Swift.min(5, last) * stride
        let o6 = Swift.min(6, last) * stride
        let o7 = Swift.min(7, last) * stride
        var a0 = bias.0
        var a1 = bias.0
        var a2 = bias.0
        var a3 = bias.0
        var a4 = bias.0
        var a5 = bias.0
        var a6 = bias.0
        var a7 = bias.0
        var c0 = bias.1
        var c1 = bias.1
        var c2 = bias.1
        var c3 = bias.1
        var c4 = bias.1
        var c5 = bias.1
        var c6 = bias.1
        var c7 = bias.1
        var w = weights
        var k0 = 0
        var block = steps.input
        while k0 < depth {
            var x = block
            for _ in 0..<Swift.min(steps.blockDepth, depth - k0) {
                let w0 = w[0]
                let w1 = w[1]
                var s = SIMD16<Float>(repeating: x[0])
                a0.addProduct(s, w0)
                c0.addProduct(s, w1)
                s = SIMD16<Float>(repeating: x[o1])
                a1.addProduct(s, w0)
                c1.addProduct(s, w1)
                s = SIMD16<Float>(repeating: x[o2])
                a2.addProduct(s, w0)
                c2.addProduct(s, w1)
                s = SIMD16<Float>(repeating: x[o3])
                a3.addProduct(s, w0)
                c3.addProduct(s, w1)
                s = SIMD16<Float>(repeating: x[o4])
                a4.addProduct(s, w0)
                c4.addProduct(s, w1)
                s = SIMD16<Float>(repeating: x[o5])
                a5.addProduct(s, w0)
                c5.addProduct(s, w1)
                s = SIMD16<Float>(repeating: x[o6])
                a6.addProduct(s, w0)
                c6.addProduct(s, w1)
                s = SIMD16<Float>(repeating: x[o7])
                a7.addProduct(s, w0)
                c7.addProduct(s, w1)
                x += steps.channelStride
                w += 2
            }
            k0 += steps.blockDepth
            block += steps.blockStride
        }
        tile[0] = activation(a0)
        tile[1] = activation(c0)
        tile[2] = activation(a1)
        tile[3] = activation(c1)
        tile[4] = activation(a2)
        tile[5] = activation(c2)
        tile[6] = activation(a3)
        tile[7] = activation(c3)
        tile[8] = activation(a4)
        tile[9] = activation(c4)
        tile[10] = activation(a5)
        tile[11] = activation(c5)
        tile[12] = activation(a6)
        tile[13] = activation(c6)
        tile[14] = activation(a7)
        tile[15] = activation(c7)
    }

    /// `kernel` for a group's first 16 channels only (`tile[2j]`), when the rest are past M:
    /// half the multiply–adds for layers with 16, 24, 40, 80, 112 or 144 outputs.
    @inline(never)
    static func halfKernel<F: VectorFunction>(
        _ weights: UnsafePointer<SIMD16<Float>>,
        _ steps: Steps,
        depth: Int,
        last: Int,
        bias: SIMD16<Float>,
        activation: F,
        into tile: UnsafeMutablePointer<SIMD16<Float>>
    ) {
        let stride = steps.positionStride
        let o1 = Swift.min(1, last) * stride
        let o2 = Swift.min(2, last) * stride
        let o3 = Swift.min(3, last) * stride
        let o4 = Swift.min(4, last) * stride
        let o5 = Swift.min(5, last) * stride
        let o6 = Swift.min(6, last) * stride
        let o7 = Swift.min(7, last) * stride
        var a0 = bias
        var a1 = bias
        var a2 = bias
        var a3 = bias
        var a4 = bias
        var a5 = bias
        var a6 = bias
        var a7 = bias
        var w = weights
        var k0 = 0
        var block = steps.input
        while k0 < depth {
            var x = block
            for _ in 0..<Swift.min(steps.blockDepth, depth - k0) {
                let w0 = w[0]
                a0.addProduct(SIMD16<Float>(repeating: x[0]), w0)
                a1.addProduct(SIMD16<Float>(repeating: x[o1]), w0)
                a2.addProduct(SIMD16<Float>(repeating: x[o2]), w0)
                a3.addProduct(SIMD16<Float>(repeating: x[o3]), w0)
                a4.addProduct(SIMD16<Float>(repeating: x[o4]), w0)
                a5.addProduct(SIMD16<Float>(repeating: x[o5]), w0)
                a6.addProduct(SIMD16<Float>(repeating: x[o6]), w0)
                a7.addProduct(SIMD16<Float>(repeating: x[o7]), w0)
                x += steps.channelStride
                w += 2
            }
            k0 += steps.blockDepth
            block += steps.blockStride
        }
        tile[0] = activation(a0)
        tile[2] = activation(a1)
        tile[4] = activation(a2)
        tile[6] = activation(a3)
        tile[8] = activation(a4)
        tile[10] = activation(a5)
        tile[12] = activation(a6)
        tile[14] = activation(a7)
    }
}
