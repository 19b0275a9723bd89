import LumenNumerics

/// A dense convolution over few input channels (a network's stem: 3 × 3, stride 2 over RGB)
/// written straight into the channel-blocked layout, so the depthwise convolution after it reads
/// its input in place. Each output row gathers the C × kh input rows its taps read into one
/// small zero-padded buffer; the taps are then K = C·kh·kw "channels" at fixed strides (a row of
/// kw taps, rows `width` apart) and `BlockedPointwise`'s kernel sums them, 32 output channels ×
/// 8 positions at a time.
public enum BlockedStem {
    /// `output` (M channels of OH × OW, in `layout`, 64-byte aligned; only the interior is
    /// written) = `filter` (M × C·kh·kw, ONNX order) ⊛ `input` (C × H × W planes) + `bias`, activated.
    public static func run(
        _ filter: BlockedFilter,
        input: UnsafePointer<Float>,
        geometry g: ConvolutionGeometry,
        output: UnsafeMutablePointer<Float>,
        layout: ChannelBlockedLayout,
        bias: UnsafePointer<Float>?,
        activation: Activation,
        workers: Int
    ) {
        switch activation {
        case .none:
            run(
                filter,
                input: input,
                geometry: g,
                output: output,
                layout: layout,
                bias: bias,
                activation: Linear(),
                workers: workers
            )
        case .clamp(let lower, let upper):
            run(
                filter,
                input: input,
                geometry: g,
                output: output,
                layout: layout,
                bias: bias,
                activation: Clamp(lower: lower, upper: upper),
                workers: workers
            )
        case .silu:
            run(
                filter,
                input: input,
                geometry: g,
                output: output,
                layout: layout,
                bias: bias,
                activation: SiLU(),
                workers: workers
            )
        }
    }

    static func run<F: VectorFunction>(
        _ filter: BlockedFilter,
        input: UnsafePointer<Float>,
        geometry g: ConvolutionGeometry,
        output: UnsafeMutablePointer<Float>,
        layout: ChannelBlockedLayout,
        bias: UnsafePointer<Float>?,
        activation: F,
        workers: Int
    ) {
        precondition(
            filter.outputs == g.outputs && filter.depth == g.channels * g.kernelHeight * g.kernelWidth,
            "filter does not match"
        )
        precondition(
            layout.channels == g.outputs && layout.height == g.outputHeight && layout.width == g.outputWidth,
            "layout does not match"
        )
        precondition(Int(bitPattern: output) % 64 == 0, "blocked output must be 64-byte aligned")
        let positions = BlockedPointwise.positions
        // One gathered row: every tap of output columns 0..<OW, padding included.
        let rowWidth = (g.outputWidth - 1) * g.strideX + (g.kernelWidth - 1) * g.dilationX + 1
        let rows = g.channels * g.kernelHeight
        let groups = filter.groups
        let plane = g.outputHeight * g.outputWidth
        let biases = BlockedPointwise.biasVectors(filter, bias)
        let shared = Convolution.Shared(source: input, output: output, bias: nil)
        let weights = SendableBuffer(
            UnsafeBufferPointer(start: UnsafePointer(filter.storage), count: groups * filter.depth * 2)
        )
        biases.withUnsafeBufferPointer { biases in
            let biases = SendableBuffer(biases)
            parallel(workers: Swift.min(workers, g.outputHeight)) { worker, count in
                let gathered = UnsafeMutablePointer<Float>.allocate(capacity: rows * rowWidth)
                defer { gathered.deallocate() }
                withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 2 * positions) { tile in
                    let tile = tile.baseAddress!
                    for y in (g.outputHeight * worker / count)..<(g.outputHeight * (worker + 1) / count) {
                        gather(shared.source, geometry: g, outputRow: y, rowWidth: rowWidth, into: gathered)
                        let steps = { (x0: Int) in
                            BlockedPointwise.Steps(
                                input: UnsafePointer(gathered) + x0 * g.strideX,
                                blockDepth: g.kernelWidth,
                                blockStride: rowWidth,
                                channelStride: g.dilationX,
                                positionStride: g.strideX
                            )
                        }
                        for x0 in stride(from: 0, to: g.outputWidth, by: positions) {
                            let last = Swift.min(positions, g.outputWidth - x0) - 1
                            let p0 = y * g.outputWidth + x0
                            for group in 0..<groups {
                                BlockedPointwise.compute(
                                    group: group,
                                    filter,
                                    weights: weights.buffer,
                                    biases: biases.buffer,
                                    steps(x0),
                                    last: last,
                                    activation: activation,
                                    into: tile
                                )
                                BlockedPointwise.place(
                                    tile,
                                    positions: p0...(p0 + last),
                                    group: group,
                                    outputs: filter.outputs,
                                    output: shared.output,
                                    form: .blocked(layout),
                                    plane: plane
                                )
                            }
                        }
                    }
                }
            }
        }
    }

    /// Row (c·kh + ky) of `gathered`: input row y·sy − padTop + ky·dy of channel c, from column
    /// −padLeft on, `rowWidth` values, zero outside the image.
    static func gather(
        _ input: UnsafePointer<Float>,
        geometry g: ConvolutionGeometry,
        outputRow y: Int,
        rowWidth: Int,
        into gathered: UnsafeMutablePointer<Float>
    ) {
        let from = Swift.max(0, g.padLeft)
        let to = Swift.min(rowWidth, g.width + g.padLeft)
        for c in 0..<g.channels {
            for ky in 0..<g.kernelHeight {
                let row = gathered + (c * g.kernelHeight + ky) * rowWidth
                let iy = y * g.strideY - g.padTop + ky * g.dilationY
                guard iy >= 0 && iy < g.height && to > from else {
                    row.initialize(repeating: 0, count: rowWidth)
                    continue
                }
                row.initialize(repeating: 0, count: from)
                (row + from).initialize(
                    from: input + (c * g.height + iy) * g.width + (from - g.padLeft),
                    count: to - from
                )
                (row + to).initialize(repeating: 0, count: rowWidth - to)
            }
        }
    }
}
