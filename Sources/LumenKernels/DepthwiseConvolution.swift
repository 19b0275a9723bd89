/// Depthwise convolution (one filter per channel, any kernel size, stride and dilation): each
/// channel is padded and split into stride phases (see `PhaseLayout`), then 64 output positions
/// at a time are summed over the taps in four vector registers, biased, activated and stored.
public enum DepthwiseConvolution {
    static let columns = 64

    /// `output` (C × OH × OW) from `input` (C × H × W) and `weights` (C × kh × kw).
    public static func run(
        weights: UnsafePointer<Float>, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        geometry g: ConvolutionGeometry, bias: UnsafePointer<Float>?, activation: Activation, workers: Int
    ) {
        precondition(g.outputs == g.channels)
        let single = {
            var one = g
            (one.channels, one.outputs) = (1, 1)
            return one
        }()
        let layout = PhaseLayout(single, direct: false)
        let offsets = layout.offsets(geometry: single), taps = offsets.count
        let positions = g.outputHeight * layout.rowLength, plane = g.outputHeight * g.outputWidth
        let shared = Convolution.Shared(source: input, output: output, bias: bias), filter = SendableBuffer(UnsafeBufferPointer(start: weights, count: g.channels * taps))
        offsets.withUnsafeBufferPointer { offsets in
            let offsets = SendableBuffer(offsets)
            parallel(workers: Swift.min(workers, g.channels)) { worker, count in
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: layout.count + columns)
                defer { scratch.deallocate() }
                withUnsafeTemporaryAllocation(of: Float.self, capacity: columns) { tile in
                    for c in (g.channels * worker / count)..<(g.channels * (worker + 1) / count) {
                        layout.fill(scratch, from: shared.source + c * g.height * g.width, geometry: single, workers: 1)
                        let source = UnsafePointer(scratch)
                        let w = filter.buffer.baseAddress! + c * taps
                        let add = SIMD16<Float>(repeating: shared.bias?[c] ?? 0)
                        let out = shared.output + c * plane
                        var q0 = 0
                        while q0 < positions {
                            var a0 = add, a1 = add, a2 = add, a3 = add
                            for t in 0..<taps {
                                let p = UnsafeRawPointer(source + q0 + offsets.buffer[t])
                                let weight = SIMD16<Float>(repeating: w[t])
                                a0.addProduct(weight, p.loadUnaligned(as: SIMD16<Float>.self))
                                a1.addProduct(weight, p.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
                                a2.addProduct(weight, p.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self))
                                a3.addProduct(weight, p.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self))
                            }
                            let segments = Segments(first: q0, columns: columns, layout: layout, geometry: single)
                            let contiguous = segments.contiguous
                            let target = UnsafeMutableRawPointer(contiguous.map { out + $0 } ?? tile.baseAddress!)
                            target.storeBytes(of: activation.apply(a0), as: SIMD16<Float>.self)
                            target.storeBytes(of: activation.apply(a1), toByteOffset: 64, as: SIMD16<Float>.self)
                            target.storeBytes(of: activation.apply(a2), toByteOffset: 128, as: SIMD16<Float>.self)
                            target.storeBytes(of: activation.apply(a3), toByteOffset: 192, as: SIMD16<Float>.self)
                            if contiguous == nil { segments.copy(from: tile.baseAddress!, rows: 1, to: out, plane: plane) }
                            q0 += columns
                        }
                    }
                }
            }
        }
    }
}
