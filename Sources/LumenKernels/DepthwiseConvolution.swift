import LumenNumerics

/// Depthwise convolution (one filter per channel, any kernel size, stride and dilation): each
/// channel is padded and split into stride phases (see `PhaseLayout`), then 64 output positions
/// at a time are summed over the taps in four vector registers, biased, activated and stored.
public enum DepthwiseConvolution {
    static let columns = 64

    /// `output` (C × OH × OW) from `input` (C × H × W) and `weights` (C × kh × kw).
    public static func run(
        weights: UnsafePointer<Float>,
        input: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>,
        geometry g: ConvolutionGeometry,
        bias: UnsafePointer<Float>?,
        activation: Activation,
        workers: Int
    ) {
        switch activation {
        case .none:
            run(
                weights: weights,
                input: input,
                output: output,
                geometry: g,
                bias: bias,
                activation: Linear(),
                workers: workers
            )
        case .clamp(let lower, let upper):
            run(
                weights: weights,
                input: input,
                output: output,
                geometry: g,
                bias: bias,
                activation: Clamp(lower: lower, upper: upper),
                workers: workers
            )
        case .silu:
            run(
                weights: weights,
                input: input,
                output: output,
                geometry: g,
                bias: bias,
                activation: SiLU(),
                workers: workers
            )
        }
    }

    /// `output` from `input` held channel-blocked as `layout` (`ChannelBlockedLayout(depthwiseInput: g)`,
    /// zero border), read in place. The output is C × OH × OW planes, or with `blockedOutput`
    /// channel-blocked and unpadded (what `BlockedPointwise` reads).
    public static func run(
        weights: UnsafePointer<Float>,
        blocked input: UnsafePointer<Float>,
        layout: ChannelBlockedLayout,
        output: UnsafeMutablePointer<Float>,
        blockedOutput: Bool,
        geometry g: ConvolutionGeometry,
        bias: UnsafePointer<Float>?,
        activation: Activation,
        workers: Int
    ) {
        func run<F: VectorFunction>(_ activation: F) {
            ChannelInterleavedDepthwise.run(
                weights: weights,
                blocked: input,
                layout: layout,
                output: output,
                blockedOutput: blockedOutput,
                geometry: g,
                bias: bias,
                activation: activation,
                workers: workers
            )
        }
        switch activation {
        case .none: run(Linear())
        case .clamp(let lower, let upper): run(Clamp(lower: lower, upper: upper))
        case .silu: run(SiLU())
        }
    }

    static func run<F: VectorFunction>(
        weights: UnsafePointer<Float>,
        input: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>,
        geometry g: ConvolutionGeometry,
        bias: UnsafePointer<Float>?,
        activation: F,
        workers: Int
    ) {
        precondition(g.outputs == g.channels)
        if g.outputHeight * g.outputWidth <= ChannelInterleavedDepthwise.largestPlane && g.channels >= 16 {
            ChannelInterleavedDepthwise.run(
                weights: weights,
                input: input,
                output: output,
                geometry: g,
                bias: bias,
                activation: activation,
                workers: workers
            )
            return
        }
        let single = {
            var one = g
            (one.channels, one.outputs) = (1, 1)
            return one
        }()
        let layout = PhaseLayout(single, direct: false)
        let offsets = layout.offsets(geometry: single)
        let taps = offsets.count
        let positions = g.outputHeight * layout.rowLength
        let plane = g.outputHeight * g.outputWidth
        let shared = Convolution.Shared(source: input, output: output, bias: bias)
        let filter = SendableBuffer(UnsafeBufferPointer(start: weights, count: g.channels * taps))
        offsets.withUnsafeBufferPointer { offsets in
            let offsets = SendableBuffer(offsets)
            parallel(workers: Swift.min(workers, g.channels)) { worker, count in
                // Every channel's padding lands in the same places: zero them once.
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: layout.count)
                scratch.initialize(repeating: 0, count: layout.count)
                let sums = UnsafeMutablePointer<Float>.allocate(capacity: positions + columns)
                defer {
                    scratch.deallocate()
                    sums.deallocate()
                }
                for c in (g.channels * worker / count)..<(g.channels * (worker + 1) / count) {
                    layout.fill(
                        scratch,
                        from: shared.source + c * g.height * g.width,
                        geometry: single,
                        workers: 1,
                        interiorOnly: true
                    )
                    let w = filter.buffer.baseAddress! + c * taps
                    sum(
                        UnsafePointer(scratch),
                        offsets: offsets.buffer,
                        weights: w,
                        bias: shared.bias?[c] ?? 0,
                        positions: positions,
                        activation: activation,
                        into: sums
                    )
                    // The walk runs over rows of rowLength positions; keep the first OW of each.
                    let out = shared.output + c * plane
                    for y in 0..<g.outputHeight {
                        copy(sums + y * layout.rowLength, to: out + y * g.outputWidth, count: g.outputWidth)
                    }
                }
            }
        }
    }

    /// Walks `positions` positions of one channel's phase image: the weighted taps, plus the
    /// bias, activated. 64 positions at a time in four independent sums, then 16 at a time.
    @inline(__always)
    static func sum<F: VectorFunction>(
        _ source: UnsafePointer<Float>,
        offsets: UnsafeBufferPointer<Int>,
        weights: UnsafePointer<Float>,
        bias: Float,
        positions: Int,
        activation: F,
        into sums: UnsafeMutablePointer<Float>
    ) {
        let add = SIMD16<Float>(repeating: bias)
        var q = 0
        while q + columns <= positions {
            var a0 = add
            var a1 = add
            var a2 = add
            var a3 = add
            for t in offsets.indices {
                let p = UnsafeRawPointer(source + q + offsets[t])
                let weight = SIMD16<Float>(repeating: weights[t])
                a0.addProduct(weight, p.loadUnaligned(as: SIMD16<Float>.self))
                a1.addProduct(weight, p.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
                a2.addProduct(weight, p.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self))
                a3.addProduct(weight, p.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self))
            }
            let target = UnsafeMutableRawPointer(sums + q)
            target.storeBytes(of: activation(a0), as: SIMD16<Float>.self)
            target.storeBytes(of: activation(a1), toByteOffset: 64, as: SIMD16<Float>.self)
            target.storeBytes(of: activation(a2), toByteOffset: 128, as: SIMD16<Float>.self)
            target.storeBytes(of: activation(a3), toByteOffset: 192, as: SIMD16<Float>.self)
            q += columns
        }
        while q < positions {
            var a = add
            for t in offsets.indices {
                a.addProduct(
                    SIMD16<Float>(repeating: weights[t]),
                    UnsafeRawPointer(source + q + offsets[t]).loadUnaligned(as: SIMD16<Float>.self)
                )
            }
            UnsafeMutableRawPointer(sums + q).storeBytes(of: activation(a), as: SIMD16<Float>.self)
            q += 16
        }
    }
}
