import Dispatch
import LumenNumerics

/// The shape of one 2-D convolution over one image: input C × H × W, M outputs of OH × OW.
public struct ConvolutionGeometry: Sendable, Equatable {
    public var channels, height, width: Int
    public var outputs, outputHeight, outputWidth: Int
    public var kernelHeight, kernelWidth: Int
    public var strideY, strideX, dilationY, dilationX: Int
    public var padTop, padLeft: Int

    public init(
        channels: Int,
        height: Int,
        width: Int,
        outputs: Int,
        outputHeight: Int,
        outputWidth: Int,
        kernelHeight: Int,
        kernelWidth: Int,
        strideY: Int,
        strideX: Int,
        dilationY: Int,
        dilationX: Int,
        padTop: Int,
        padLeft: Int
    ) {
        (self.channels, self.height, self.width) = (channels, height, width)
        (self.outputs, self.outputHeight, self.outputWidth) = (outputs, outputHeight, outputWidth)
        (self.kernelHeight, self.kernelWidth) = (kernelHeight, kernelWidth)
        (self.strideY, self.strideX, self.dilationY, self.dilationX) = (strideY, strideX, dilationY, dilationX)
        (self.padTop, self.padLeft) = (padTop, padLeft)
    }

    /// A 1×1, stride-1, unpadded convolution: a matrix product over the input planes as they are.
    public var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideY == 1 && strideX == 1 && padTop == 0 && padLeft == 0
            && outputHeight == height && outputWidth == width
    }
}

/// Dense convolution (one group) without im2col. The input is copied once into a zero-padded
/// image split into stride phases (for stride s, the s × s sub-images of every s-th row and
/// column), after which every kernel tap of output row y reads a contiguous run of one phase,
/// at a fixed offset from the run for tap (0, 0). So the whole convolution is the 8 × 32
/// micro-kernel walking the output positions, each step reading its 32 inputs straight from
/// the phase image (a 1×1 stride-1 convolution reads the input itself). Output positions are
/// numbered over phase rows (OH × Wh, Wh ≥ OW); the few columns past OW are computed and
/// dropped. Bias and activation are applied before the single store of each output.
public enum Convolution {
    /// `output` (M × OH × OW) = `filter` ⊛ `input` (C × H × W) + `bias`, then `activation`.
    public static func run(
        _ filter: PackedFilter,
        input: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>,
        geometry g: ConvolutionGeometry,
        bias: UnsafePointer<Float>?,
        activation: Activation,
        workers: Int
    ) {
        switch activation {
        case .none:
            run(filter, input: input, output: output, geometry: g, bias: bias, activation: Linear(), workers: workers)
        case .clamp(let lower, let upper):
            run(
                filter,
                input: input,
                output: output,
                geometry: g,
                bias: bias,
                activation: Clamp(lower: lower, upper: upper),
                workers: workers
            )
        case .silu:
            run(filter, input: input, output: output, geometry: g, bias: bias, activation: SiLU(), workers: workers)
        }
    }

    static func run<F: VectorFunction>(
        _ filter: PackedFilter,
        input: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>,
        geometry g: ConvolutionGeometry,
        bias: UnsafePointer<Float>?,
        activation: F,
        workers: Int
    ) {
        precondition(filter.outputs == g.outputs && filter.depth == g.channels * g.kernelHeight * g.kernelWidth)
        let layout = PhaseLayout(g)
        if g.isPointwise {
            compute(
                filter,
                source: input,
                sourceCount: g.channels * g.height * g.width,
                layout: layout,
                output: output,
                geometry: g,
                bias: bias,
                activation: activation,
                workers: workers
            )
            return
        }
        let phases = UnsafeMutablePointer<Float>.allocate(capacity: layout.count)
        defer { phases.deallocate() }
        layout.fill(phases, from: input, geometry: g, workers: workers)
        compute(
            filter,
            source: UnsafePointer(phases),
            sourceCount: layout.count,
            layout: layout,
            output: output,
            geometry: g,
            bias: bias,
            activation: activation,
            workers: workers
        )
    }

    static func compute<F: VectorFunction>(
        _ filter: PackedFilter,
        source: UnsafePointer<Float>,
        sourceCount: Int,
        layout: PhaseLayout,
        output: UnsafeMutablePointer<Float>,
        geometry g: ConvolutionGeometry,
        bias: UnsafePointer<Float>?,
        activation: F,
        workers: Int
    ) {
        let columns = MicroKernel.columns
        let rows = MicroKernel.rows
        let positions = g.outputHeight * layout.rowLength
        let panels = (positions + columns - 1) / columns
        let blocks = filter.blocks
        // Weights larger than the input (deep layers on small images): each worker takes a
        // share of the output channels and runs every panel with a block's weights while they
        // are in cache, so the weights are read once. Otherwise panels are the outer loop and a
        // panel's inputs stay in cache across the blocks; with few panels the channels are
        // split too, so every worker has work.
        let weightsMajor = filter.storage.count > filter.depth * positions
        let split =
            weightsMajor
            ? Swift.min(blocks, 4 * workers) : Swift.max(1, Swift.min(blocks, (4 * workers + panels - 1) / panels))
        let items = weightsMajor ? split : panels * split
        let offsets = layout.offsets(geometry: g)
        let plane = g.outputHeight * g.outputWidth
        let shared = Shared(source: source, output: output, bias: bias)
        filter.storage.withUnsafeBufferPointer { weights in
            offsets.withUnsafeBufferPointer { offsets in
                let weights = SendableBuffer(weights)
                let offsets = SendableBuffer(offsets)
                parallel(workers: Swift.min(workers, items)) { worker, count in
                    let first = items * worker / count
                    let last = items * (worker + 1) / count
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: rows * columns) { tile in
                        var packed: UnsafeMutablePointer<Float>? = nil
                        var packedSteps: UnsafeMutablePointer<Int>? = nil
                        defer {
                            packed?.deallocate()
                            packedSteps?.deallocate()
                        }
                        /// One 8 × 32 block of outputs.
                        func run(panel: Int, block: Int) {
                            let q0 = panel * columns
                            var base = shared.source + q0
                            var step = offsets.buffer.baseAddress!
                            if q0 + columns + offsets.buffer.last! > sourceCount {
                                // The last panel of a 1×1 convolution would read past the input: use a copy.
                                if packed == nil {
                                    let buffer = UnsafeMutablePointer<Float>.allocate(capacity: filter.depth * columns)
                                    let steps = UnsafeMutablePointer<Int>.allocate(capacity: filter.depth)
                                    for k in 0..<filter.depth { steps[k] = k * columns }
                                    pack(
                                        shared.source + q0,
                                        count: positions - q0,
                                        depth: filter.depth,
                                        stride: g.height * g.width,
                                        into: buffer
                                    )
                                    (packed, packedSteps) = (buffer, steps)
                                }
                                base = UnsafePointer(packed!)
                                step = UnsafePointer(packedSteps!)
                            }
                            let segments = Segments(first: q0, layout: layout, geometry: g)
                            let m0 = block * rows
                            let valid = Swift.min(rows, g.outputs - m0)
                            let w = weights.buffer.baseAddress! + block * filter.depth * rows
                            let b = shared.bias.map { $0 + m0 }
                            if let start = segments.contiguous {
                                MicroKernel.run(
                                    weights: w,
                                    base: base,
                                    offsets: step,
                                    depth: filter.depth,
                                    bias: b,
                                    activation: activation,
                                    destination: shared.output + m0 * plane + start,
                                    stride: plane,
                                    validRows: valid
                                )
                            } else {
                                MicroKernel.run(
                                    weights: w,
                                    base: base,
                                    offsets: step,
                                    depth: filter.depth,
                                    bias: b,
                                    activation: activation,
                                    destination: tile.baseAddress!,
                                    stride: columns,
                                    validRows: valid
                                )
                                segments.copy(
                                    from: tile.baseAddress!,
                                    rows: valid,
                                    to: shared.output + m0 * plane,
                                    plane: plane
                                )
                            }
                        }
                        for item in first..<last {
                            let chunk = weightsMajor ? item : item % split
                            let blockRange = Parallel.share(blocks, part: chunk, of: split)
                            if weightsMajor {
                                for block in blockRange { for panel in 0..<panels { run(panel: panel, block: block) } }
                            } else {
                                for block in blockRange { run(panel: item / split, block: block) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Copies `count` (< 32) positions of every input plane into a K × 32 panel, zero-filled.
    static func pack(
        _ source: UnsafePointer<Float>,
        count: Int,
        depth: Int,
        stride: Int,
        into panel: UnsafeMutablePointer<Float>
    ) {
        let columns = MicroKernel.columns
        for k in 0..<depth {
            let row = panel + k * columns
            row.update(from: source + k * stride, count: count)
            (row + count).initialize(repeating: 0, count: columns - count)
        }
    }

    struct Shared: @unchecked Sendable {
        let source: UnsafePointer<Float>
        let output: UnsafeMutablePointer<Float>
        let bias: UnsafePointer<Float>?
    }
}

/// Runs `body(worker, workers)` for every worker on the spinning pool (`Parallel.onPool`): the
/// split a kernel makes depends on `workers` alone, whatever the thread count.
@inline(__always)
func parallel(workers: Int, _ body: (Int, Int) -> Void) { Parallel.onPool(workers: workers, body) }
