/// Depthwise convolution for small images (the late layers of mobile networks: 14×14, 7×7 with
/// hundreds of channels), where one channel at a time leaves most vector lanes idle. Sixteen
/// channels share the lanes instead: they are interleaved into a zero-padded H × W × 16 image,
/// every output pixel is the sum over the taps of (16 weights) × (16 inputs), and the pixels are
/// scattered back to the channels' planes.
enum ChannelInterleavedDepthwise {
    /// Output planes up to this many pixels take this path.
    static let largestPlane = 256
    static let lanes = 16

    static func run<F: VectorFunction>(
        weights: UnsafePointer<Float>, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        geometry g: ConvolutionGeometry, bias: UnsafePointer<Float>?, activation: F, workers: Int
    ) {
        let lanes = Self.lanes
        let (kh, kw) = (g.kernelHeight, g.kernelWidth), taps = kh * kw
        // The padded image covers every input pixel and every position a tap reaches.
        let paddedHeight = Swift.max(g.height + g.padTop, (g.outputHeight - 1) * g.strideY + (kh - 1) * g.dilationY + 1)
        let paddedWidth = Swift.max(g.width + g.padLeft, (g.outputWidth - 1) * g.strideX + (kw - 1) * g.dilationX + 1)
        let plane = g.outputHeight * g.outputWidth, inPlane = g.height * g.width
        let groups = (g.channels + lanes - 1) / lanes
        let tapOffsets = (0..<taps).map { t in ((t / kw) * g.dilationY * paddedWidth + (t % kw) * g.dilationX) * lanes }
        let shared = Convolution.Shared(source: input, output: output, bias: bias)
        let filter = SendableBuffer(UnsafeBufferPointer(start: weights, count: g.channels * taps))
        tapOffsets.withUnsafeBufferPointer { tapOffsets in
            let tapOffsets = SendableBuffer(tapOffsets)
            parallel(workers: Swift.min(workers, groups)) { worker, count in
                let image = UnsafeMutablePointer<Float>.allocate(capacity: paddedHeight * paddedWidth * lanes)
                image.initialize(repeating: 0, count: paddedHeight * paddedWidth * lanes)  // padding stays zero
                let sums = UnsafeMutablePointer<Float>.allocate(capacity: plane * lanes)
                let packed = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: taps)
                defer { image.deallocate(); sums.deallocate(); packed.deallocate() }
                for group in (groups * worker / count)..<(groups * (worker + 1) / count) {
                    let c0 = group * lanes, width = Swift.min(lanes, g.channels - c0)
                    // Interleave: channel c of pixel (y, x) at lane c; lanes past C keep zeros.
                    for c in 0..<width {
                        let source = shared.source + (c0 + c) * inPlane
                        for y in 0..<g.height {
                            let row = image + ((y + g.padTop) * paddedWidth + g.padLeft) * lanes + c
                            let line = source + y * g.width
                            for x in 0..<g.width { row[x * lanes] = line[x] }
                        }
                    }
                    var add = SIMD16<Float>()
                    for t in 0..<taps {
                        var w = SIMD16<Float>()
                        for c in 0..<width { w[c] = filter.buffer[(c0 + c) * taps + t] }
                        packed[t] = w
                    }
                    if let bias = shared.bias { for c in 0..<width { add[c] = bias[c0 + c] } }
                    sum(image, paddedWidth: paddedWidth, taps: tapOffsets.buffer, weights: packed, bias: add, geometry: g, activation: activation, into: sums)
                    // Scatter the pixels' lanes back to the channel planes.
                    for c in 0..<width {
                        let target = shared.output + (c0 + c) * plane
                        for p in 0..<plane { target[p] = sums[p * lanes + c] }
                    }
                }
            }
        }
    }

    /// Every output pixel's 16 channels: bias + Σ taps weight × input, activated; four pixels
    /// of a row at a time so four sums are in flight.
    @inline(__always)
    static func sum<F: VectorFunction>(
        _ image: UnsafePointer<Float>, paddedWidth: Int, taps: UnsafeBufferPointer<Int>, weights: UnsafePointer<SIMD16<Float>>,
        bias: SIMD16<Float>, geometry g: ConvolutionGeometry, activation: F, into sums: UnsafeMutablePointer<Float>
    ) {
        let lanes = Self.lanes, step = g.strideX * lanes
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self) }
        @inline(__always) func store(_ v: SIMD16<Float>, _ pixel: Int) {
            UnsafeMutableRawPointer(sums + pixel * lanes).storeBytes(of: activation(v), as: SIMD16<Float>.self)
        }
        for y in 0..<g.outputHeight {
            let row = image + y * g.strideY * paddedWidth * lanes
            var x = 0
            while x + 4 <= g.outputWidth {
                let base = row + x * step
                var a0 = bias, a1 = bias, a2 = bias, a3 = bias
                for t in taps.indices {
                    let w = weights[t], p = base + taps[t]
                    a0.addProduct(w, load(p))
                    a1.addProduct(w, load(p + step))
                    a2.addProduct(w, load(p + 2 * step))
                    a3.addProduct(w, load(p + 3 * step))
                }
                let pixel = y * g.outputWidth + x
                store(a0, pixel); store(a1, pixel + 1); store(a2, pixel + 2); store(a3, pixel + 3)
                x += 4
            }
            while x < g.outputWidth {
                var a = bias
                let base = row + x * step
                for t in taps.indices { a.addProduct(weights[t], load(base + taps[t])) }
                store(a, y * g.outputWidth + x)
                x += 1
            }
        }
    }
}

