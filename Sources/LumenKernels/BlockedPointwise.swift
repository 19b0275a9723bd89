import LumenNumerics

/// A 1×1 stride-1 convolution between planes and the channel-blocked layout
/// (`ChannelBlockedLayout`) in either direction: into blocked form for a following depthwise
/// convolution to read in place, and out of a depthwise convolution's blocked output back to
/// planes. The kernel holds 32 output channels × 8 positions in 16 registers: each input channel
/// adds its 32 weights (two vectors) times each position's input (broadcast), so there is no
/// waste on planes whose size is not a multiple of the vector width (7 × 7, 14 × 14).
public enum BlockedPointwise {
    static let positions = 8

    /// `output` (M channels of H × W, in `outputForm`) from `input` (K channels of H × W, in
    /// `inputForm`). Blocked input must be unpadded; blocked output is written in its interior
    /// only (the border is left as it is) and must be 64-byte aligned.
    public static func run(
        _ filter: BlockedFilter,
        input: UnsafePointer<Float>,
        _ inputForm: TensorForm,
        output: UnsafeMutablePointer<Float>,
        _ outputForm: TensorForm,
        height: Int,
        width: Int,
        bias: UnsafePointer<Float>?,
        activation: Activation,
        workers: Int
    ) {
        let shape = Shape(filter: filter, input: inputForm, output: outputForm, height: height, width: width)
        switch activation {
        case .none:
            run(filter, input: input, output: output, shape: shape, bias: bias, activation: Linear(), workers: workers)
        case .clamp(let lower, let upper):
            run(
                filter,
                input: input,
                output: output,
                shape: shape,
                bias: bias,
                activation: Clamp(lower: lower, upper: upper),
                workers: workers
            )
        case .silu:
            run(filter, input: input, output: output, shape: shape, bias: bias, activation: SiLU(), workers: workers)
        }
    }

    /// The forms and sizes of one run, checked.
    struct Shape {
        let input: TensorForm, output: TensorForm, height: Int, width: Int

        init(filter: BlockedFilter, input: TensorForm, output: TensorForm, height: Int, width: Int) {
            if case .blocked(let layout) = input {
                precondition(
                    layout.channels == filter.depth && layout.height == height && layout.width == width,
                    "blocked input does not match"
                )
                precondition(
                    layout.paddedHeight == height && layout.paddedWidth == width,
                    "blocked input must be unpadded"
                )
            }
            if case .blocked(let layout) = output {
                precondition(
                    layout.channels == filter.outputs && layout.height == height && layout.width == width,
                    "blocked output does not match"
                )
            }
            (self.input, self.output, self.height, self.width) = (input, output, height, width)
        }
    }

    static func run<F: VectorFunction>(
        _ filter: BlockedFilter,
        input: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>,
        shape: Shape,
        bias: UnsafePointer<Float>?,
        activation: F,
        workers: Int
    ) {
        if case .blocked = shape.output {
            precondition(Int(bitPattern: output) % 64 == 0, "blocked output must be 64-byte aligned")
        }
        let plane = shape.height * shape.width
        let tiles = (plane + positions - 1) / positions
        let groups = filter.groups
        let lanes = ChannelBlockedLayout.lanes
        // The positions are split between the workers when there are enough of them (every
        // worker then reads all the weights, which stay in cache); otherwise the channel groups.
        let byPositions = tiles >= 8 * workers || groups < workers
        let items = byPositions ? tiles : groups
        let biases = biasVectors(filter, bias)
        let shared = Convolution.Shared(source: input, output: output, bias: nil)
        let weights = SendableBuffer(
            UnsafeBufferPointer(start: UnsafePointer(filter.storage), count: filter.groups * filter.depth * 2)
        )
        biases.withUnsafeBufferPointer { biases in
            let biases = SendableBuffer(biases)
            parallel(workers: Swift.min(workers, items)) { worker, count in
                let first = items * worker / count
                let end = items * (worker + 1) / count
                let tileRange = byPositions ? first..<end : 0..<tiles
                let groupRange = byPositions ? 0..<groups : first..<end
                withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 2 * positions) { tile in
                    let tile = tile.baseAddress!
                    // Split by groups, a group's weights are read once and stay in cache over
                    // the tiles; split by positions, a tile's inputs stay in cache over the groups.
                    let outer = byPositions ? tileRange : groupRange
                    let inner = byPositions ? groupRange : tileRange
                    for o in outer {
                        for i in inner {
                            let (t, group) = byPositions ? (o, i) : (i, o)
                            let p0 = t * positions
                            let last = Swift.min(positions, plane - p0) - 1
                            // The tile's first input (position p0 of channel 0) and how channels and positions step.
                            let steps: Steps
                            switch shape.input {
                            case .planes:
                                steps = Steps(
                                    input: shared.source + p0,
                                    blockDepth: filter.depth,
                                    blockStride: 0,
                                    channelStride: plane,
                                    positionStride: 1
                                )
                            case .blocked(let layout):
                                steps = Steps(
                                    input: shared.source + p0 * lanes,
                                    blockDepth: lanes,
                                    blockStride: layout.blockStride,
                                    channelStride: 1,
                                    positionStride: lanes
                                )
                            }
                            compute(
                                group: group,
                                filter,
                                weights: weights.buffer,
                                biases: biases.buffer,
                                steps,
                                last: last,
                                activation: activation,
                                into: tile
                            )
                            place(
                                tile,
                                positions: p0...(p0 + last),
                                group: group,
                                outputs: filter.outputs,
                                output: shared.output,
                                form: shape.output,
                                plane: plane
                            )
                        }
                    }
                }
            }
        }
    }

    /// Biases as vectors, 32 per group of output channels (zero past M, or all zero without bias).
    static func biasVectors(_ filter: BlockedFilter, _ bias: UnsafePointer<Float>?) -> [SIMD16<Float>] {
        let lanes = ChannelBlockedLayout.lanes
        var biases = [SIMD16<Float>](repeating: SIMD16<Float>(), count: 2 * filter.groups)
        if let bias { for m in 0..<filter.outputs { biases[m / lanes][m % lanes] = bias[m] } }
        return biases
    }

    /// One group's 32 output channels × positions 0…`last` into `tile` (`weights`: the filter's
    /// storage, `biases`: from `biasVectors`). A last group with at most 16 channels computes
    /// only its first block.
    @inline(__always)
    static func compute<F: VectorFunction>(
        group: Int,
        _ filter: BlockedFilter,
        weights: UnsafeBufferPointer<SIMD16<Float>>,
        biases: UnsafeBufferPointer<SIMD16<Float>>,
        _ steps: Steps,
        last: Int,
        activation: F,
        into tile: UnsafeMutablePointer<SIMD16<Float>>
    ) {
        let w = weights.baseAddress! + group * filter.depth * 2
        if filter.outputs - group * BlockedFilter.width <= ChannelBlockedLayout.lanes {
            halfKernel(
                w,
                steps,
                depth: filter.depth,
                last: last,
                bias: biases[2 * group],
                activation: activation,
                into: tile
            )
        } else {
            kernel(
                w,
                steps,
                depth: filter.depth,
                last: last,
                bias: (biases[2 * group], biases[2 * group + 1]),
                activation: activation,
                into: tile
            )
        }
    }

    /// Puts a computed tile (`tile[2j]`, `tile[2j + 1]`: the group's 32 channels at position j)
    /// where the output form wants it.
    @inline(__always)
    static func place(
        _ tile: UnsafeMutablePointer<SIMD16<Float>>,
        positions: ClosedRange<Int>,
        group: Int,
        outputs: Int,
        output: UnsafeMutablePointer<Float>,
        form: TensorForm,
        plane: Int
    ) {
        switch form {
        case .blocked(let layout):
            let block = UnsafeMutableRawPointer(output + 2 * group * layout.blockStride).assumingMemoryBound(
                to: SIMD16<Float>.self
            )
            let second = 2 * group + 1 < layout.blocks ? block + layout.blockStride / 16 : nil
            var (y, x) = positions.lowerBound.quotientAndRemainder(dividingBy: layout.width)
            for j in 0..<positions.count {
                let target = layout.pixel(y, x) / 16
                block[target] = tile[2 * j]
                if let second { second[target] = tile[2 * j + 1] }
                x += 1
                if x == layout.width { (y, x) = (y + 1, 0) }
            }
        case .planes:
            let m0 = 2 * group * ChannelBlockedLayout.lanes
            let floats = UnsafeMutableRawPointer(tile).assumingMemoryBound(to: Float.self)
            for m in 0..<Swift.min(32, outputs - m0) {
                let row = output + (m0 + m) * plane + positions.lowerBound
                for j in 0..<positions.count { row[j] = floats[32 * j + m] }
            }
        }
    }

    /// Where a tile's inputs are: channel k of position j at
    /// `input + (k / blockDepth)·blockStride + (k % blockDepth)·channelStride + j·positionStride`.
    /// Planes are one block of K channels, the blocked layout blocks of 16.
    struct Steps {
        let input: UnsafePointer<Float>
        let blockDepth, blockStride, channelStride, positionStride: Int
    }
}
