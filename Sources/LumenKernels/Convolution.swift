import Dispatch

/// The shape of one 2-D convolution over one image: input C × H × W, M outputs of OH × OW.
public struct ConvolutionGeometry: Sendable, Equatable {
    public var channels, height, width: Int
    public var outputs, outputHeight, outputWidth: Int
    public var kernelHeight, kernelWidth: Int
    public var strideY, strideX, dilationY, dilationX: Int
    public var padTop, padLeft: Int

    public init(
        channels: Int, height: Int, width: Int, outputs: Int, outputHeight: Int, outputWidth: Int,
        kernelHeight: Int, kernelWidth: Int, strideY: Int, strideX: Int, dilationY: Int, dilationX: Int,
        padTop: Int, padLeft: Int
    ) {
        (self.channels, self.height, self.width) = (channels, height, width)
        (self.outputs, self.outputHeight, self.outputWidth) = (outputs, outputHeight, outputWidth)
        (self.kernelHeight, self.kernelWidth) = (kernelHeight, kernelWidth)
        (self.strideY, self.strideX, self.dilationY, self.dilationX) = (strideY, strideX, dilationY, dilationX)
        (self.padTop, self.padLeft) = (padTop, padLeft)
    }

    /// A 1×1, stride-1, unpadded convolution: a matrix product over the input planes as they are.
    var isPointwise: Bool {
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
        _ filter: PackedFilter, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        geometry g: ConvolutionGeometry, bias: UnsafePointer<Float>?, activation: Activation, workers: Int
    ) {
        switch activation {
        case .none: run(filter, input: input, output: output, geometry: g, bias: bias, activation: Linear(), workers: workers)
        case .clamp(let lower, let upper):
            run(filter, input: input, output: output, geometry: g, bias: bias, activation: Clamp(lower: lower, upper: upper), workers: workers)
        case .silu: run(filter, input: input, output: output, geometry: g, bias: bias, activation: SiLU(), workers: workers)
        }
    }

    static func run<F: VectorFunction>(
        _ filter: PackedFilter, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        geometry g: ConvolutionGeometry, bias: UnsafePointer<Float>?, activation: F, workers: Int
    ) {
        precondition(filter.outputs == g.outputs && filter.depth == g.channels * g.kernelHeight * g.kernelWidth)
        let layout = PhaseLayout(g)
        if g.isPointwise {
            compute(filter, source: input, sourceCount: g.channels * g.height * g.width, layout: layout, output: output, geometry: g,
                    bias: bias, activation: activation, workers: workers)
            return
        }
        let phases = UnsafeMutablePointer<Float>.allocate(capacity: layout.count)
        defer { phases.deallocate() }
        layout.fill(phases, from: input, geometry: g, workers: workers)
        compute(filter, source: UnsafePointer(phases), sourceCount: layout.count, layout: layout, output: output, geometry: g,
                bias: bias, activation: activation, workers: workers)
    }

    static func compute<F: VectorFunction>(
        _ filter: PackedFilter, source: UnsafePointer<Float>, sourceCount: Int, layout: PhaseLayout,
        output: UnsafeMutablePointer<Float>, geometry g: ConvolutionGeometry, bias: UnsafePointer<Float>?,
        activation: F, workers: Int
    ) {
        let columns = MicroKernel.columns, rows = MicroKernel.rows
        let positions = g.outputHeight * layout.rowLength
        let panels = (positions + columns - 1) / columns
        let blocks = filter.blocks
        // Enough work items for every worker, splitting the output channels when there are few panels.
        let split = Swift.max(1, Swift.min(blocks, (4 * workers + panels - 1) / panels))
        let blocksPerItem = (blocks + split - 1) / split
        let items = panels * split
        let offsets = layout.offsets(geometry: g)
        let plane = g.outputHeight * g.outputWidth
        let shared = Shared(source: source, output: output, bias: bias)
        filter.storage.withUnsafeBufferPointer { weights in
            offsets.withUnsafeBufferPointer { offsets in
                let weights = SendableBuffer(weights), offsets = SendableBuffer(offsets)
                parallel(workers: Swift.min(workers, items)) { worker, count in
                    let first = items * worker / count, last = items * (worker + 1) / count
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: rows * columns) { tile in
                        var packed: UnsafeMutablePointer<Float>? = nil, packedSteps: UnsafeMutablePointer<Int>? = nil
                        defer { packed?.deallocate(); packedSteps?.deallocate() }
                        for item in first..<last {
                            let panel = item / split, firstBlock = (item % split) * blocksPerItem
                            let q0 = panel * columns
                            var base = shared.source + q0, step = offsets.buffer.baseAddress!
                            if q0 + columns + offsets.buffer.last! > sourceCount {
                                // The last panel of a 1×1 convolution would read past the input: copy it.
                                let buffer = packed ?? .allocate(capacity: filter.depth * columns)
                                let steps = packedSteps ?? .allocate(capacity: filter.depth)
                                (packed, packedSteps) = (buffer, steps)
                                for k in 0..<filter.depth { steps[k] = k * columns }
                                pack(shared.source + q0, count: positions - q0, depth: filter.depth, stride: g.height * g.width, into: buffer)
                                base = UnsafePointer(buffer)
                                step = UnsafePointer(steps)
                            }
                            let segments = Segments(first: q0, layout: layout, geometry: g)
                            for block in firstBlock..<Swift.min(blocks, firstBlock + blocksPerItem) {
                                let m0 = block * rows, valid = Swift.min(rows, g.outputs - m0)
                                let w = weights.buffer.baseAddress! + block * filter.depth * rows
                                let b = shared.bias.map { $0 + m0 }
                                if let start = segments.contiguous {
                                    MicroKernel.run(
                                        weights: w, base: base, offsets: step, depth: filter.depth, bias: b, activation: activation,
                                        destination: shared.output + m0 * plane + start, stride: plane, validRows: valid)
                                } else {
                                    MicroKernel.run(
                                        weights: w, base: base, offsets: step, depth: filter.depth, bias: b, activation: activation,
                                        destination: tile.baseAddress!, stride: columns, validRows: valid)
                                    segments.copy(from: tile.baseAddress!, rows: valid, to: shared.output + m0 * plane, plane: plane)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Copies `count` (< 32) positions of every input plane into a K × 32 panel, zero-filled.
    static func pack(_ source: UnsafePointer<Float>, count: Int, depth: Int, stride: Int, into panel: UnsafeMutablePointer<Float>) {
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

/// A buffer handed to workers that only read it.
struct SendableBuffer<T>: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<T>
    init(_ buffer: UnsafeBufferPointer<T>) { self.buffer = buffer }
}

/// Runs `body(worker, workers)` on `workers` threads at once (inline when there is one).
func parallel(workers: Int, _ body: @Sendable (Int, Int) -> Void) {
    if workers <= 1 {
        body(0, 1)
    } else {
        DispatchQueue.concurrentPerform(iterations: workers) { body($0, workers) }
    }
}
