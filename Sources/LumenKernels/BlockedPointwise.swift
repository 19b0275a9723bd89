/// Weights of a 1×1 convolution (M outputs × K inputs) arranged for `BlockedPointwise`: 32
/// output channels at a time (two blocks of 16), K-major, so one step reads the 32 weights of
/// one input channel as two vectors. Channels past M are zero. Packed once when a model loads.
public final class BlockedFilter: Sendable {
    static let width = 32

    public let outputs: Int
    public let depth: Int
    let storage: [Float]

    /// Packs `weights`, row-major M × K.
    public init(weights: UnsafeBufferPointer<Float>, outputs: Int, depth: Int) {
        precondition(weights.count == outputs * depth)
        (self.outputs, self.depth) = (outputs, depth)
        let width = Self.width, groups = (outputs + width - 1) / width
        storage = [Float](unsafeUninitializedCapacity: groups * depth * width) { buffer, count in
            for group in 0..<groups {
                for k in 0..<depth {
                    for r in 0..<width {
                        let m = group * width + r
                        buffer[(group * depth + k) * width + r] = m < outputs ? weights[m * depth + k] : 0
                    }
                }
            }
            count = groups * depth * width
        }
    }

    /// Groups of 32 output channels.
    var groups: Int { (outputs + Self.width - 1) / Self.width }
}

/// A 1×1 stride-1 convolution from ordinary planes (C × H × W) to the channel-blocked layout
/// (`ChannelBlockedLayout`), the form a following depthwise convolution reads in place. The
/// kernel holds 32 output channels × 8 positions in 16 registers: each input channel adds its
/// 32 weights (two vectors) times each position's input (broadcast), so there is no waste on
/// planes whose size is not a multiple of the vector width (7 × 7, 14 × 14).
public enum BlockedPointwise {
    static let positions = 8

    /// Writes the interior of `output` (laid out as `layout`, M channels of H × W, 64-byte
    /// aligned) from `input` (K planes of H × W); the border is left as it is.
    public static func run(
        _ filter: BlockedFilter, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, layout: ChannelBlockedLayout,
        bias: UnsafePointer<Float>?, activation: Activation, workers: Int
    ) {
        switch activation {
        case .none: run(filter, input: input, output: output, layout: layout, bias: bias, activation: Linear(), workers: workers)
        case .clamp(let lower, let upper):
            run(filter, input: input, output: output, layout: layout, bias: bias, activation: Clamp(lower: lower, upper: upper), workers: workers)
        case .silu: run(filter, input: input, output: output, layout: layout, bias: bias, activation: SiLU(), workers: workers)
        }
    }

    static func run<F: VectorFunction>(
        _ filter: BlockedFilter, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, layout: ChannelBlockedLayout,
        bias: UnsafePointer<Float>?, activation: F, workers: Int
    ) {
        precondition(filter.outputs == layout.channels && Int(bitPattern: output) % 64 == 0, "blocked output must be 64-byte aligned")
        let plane = layout.height * layout.width, tiles = (plane + positions - 1) / positions
        let groups = filter.groups, lanes = ChannelBlockedLayout.lanes
        // The positions are split between the workers when there are enough of them (every
        // worker then reads all the weights, which stay in cache); otherwise the channel groups.
        let byPositions = tiles >= 8 * workers || groups < workers
        let items = byPositions ? tiles : groups
        // Biases as vectors, 32 per group (zero past M).
        var biases = [SIMD16<Float>](repeating: SIMD16<Float>(), count: 2 * groups)
        if let bias { for m in 0..<filter.outputs { biases[m / lanes][m % lanes] = bias[m] } }
        let shared = Convolution.Shared(source: input, output: output, bias: nil)
        filter.storage.withUnsafeBufferPointer { weights in
            biases.withUnsafeBufferPointer { biases in
                let weights = SendableBuffer(weights), biases = SendableBuffer(biases)
                parallel(workers: Swift.min(workers, items)) { worker, count in
                    let first = items * worker / count, end = items * (worker + 1) / count
                    let tileRange = byPositions ? first..<end : 0..<tiles, groupRange = byPositions ? 0..<groups : first..<end
                    for tile in tileRange {
                        let p0 = tile * positions, last = Swift.min(positions, plane - p0) - 1
                        // Where each of the tile's positions lands in a block.
                        var targets = (0, 0, 0, 0, 0, 0, 0, 0)
                        withUnsafeMutableBytes(of: &targets) { raw in
                            let t = raw.bindMemory(to: Int.self)
                            var (y, x) = p0.quotientAndRemainder(dividingBy: layout.width)
                            for j in 0...last {
                                t[j] = layout.pixel(y, x)
                                x += 1
                                if x == layout.width { (y, x) = (y + 1, 0) }
                            }
                        }
                        for group in groupRange {
                            let w = weights.buffer.baseAddress! + group * filter.depth * BlockedFilter.width
                            let block = shared.output + 2 * group * layout.blockStride
                            let second = 2 * group + 1 < layout.blocks ? block + layout.blockStride : nil
                            let (b0, b1) = (biases.buffer[2 * group], biases.buffer[2 * group + 1])
                            if last == positions - 1 {
                                kernel(w, shared.source + p0, plane: plane, depth: filter.depth, last: 7, targets: targets, block: block, second: second,
                                       bias: (b0, b1), activation: activation)
                            } else {
                                kernel(w, shared.source + p0, plane: plane, depth: filter.depth, last: last, targets: targets, block: block, second: second,
                                       bias: (b0, b1), activation: activation)
                            }
                        }
                    }
                }
            }
        }
    }

    /// One position's 32 channels: 16 into the first block, 16 into the second when there is one
    /// (`target` in floats; blocks are 64-byte aligned, so are pixels).
    @inline(__always)
    static func store(_ a: SIMD16<Float>, _ c: SIMD16<Float>, at target: Int, _ first: UnsafeMutablePointer<SIMD16<Float>>, _ second: UnsafeMutablePointer<SIMD16<Float>>?) {
        first[target / 16] = a
        if let second { second[target / 16] = c }
    }

    /// 32 output channels × positions 0…`last` (≤ 7) of the tile starting at `input`; positions
    /// past `last` repeat the last one's input and are not stored.
    @inline(__always)
    static func kernel<F: VectorFunction>(
        _ weights: UnsafePointer<Float>, _ input: UnsafePointer<Float>, plane: Int, depth: Int, last: Int,
        targets: (Int, Int, Int, Int, Int, Int, Int, Int), block: UnsafeMutablePointer<Float>, second: UnsafeMutablePointer<Float>?,
        bias: (SIMD16<Float>, SIMD16<Float>), activation: F
    ) {
        let o1 = Swift.min(1, last), o2 = Swift.min(2, last), o3 = Swift.min(3, last)
        let o4 = Swift.min(4, last), o5 = Swift.min(5, last), o6 = Swift.min(6, last), o7 = Swift.min(7, last)
        var a0 = bias.0, a1 = bias.0, a2 = bias.0, a3 = bias.0, a4 = bias.0, a5 = bias.0, a6 = bias.0, a7 = bias.0
        var c0 = bias.1, c1 = bias.1, c2 = bias.1, c3 = bias.1, c4 = bias.1, c5 = bias.1, c6 = bias.1, c7 = bias.1
        var x = input, w = UnsafeRawPointer(weights)
        for _ in 0..<depth {
            let w0 = w.loadUnaligned(as: SIMD16<Float>.self), w1 = w.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
            var s = SIMD16<Float>(repeating: x[0])
            a0.addProduct(s, w0); c0.addProduct(s, w1)
            s = SIMD16<Float>(repeating: x[o1]); a1.addProduct(s, w0); c1.addProduct(s, w1)
            s = SIMD16<Float>(repeating: x[o2]); a2.addProduct(s, w0); c2.addProduct(s, w1)
            s = SIMD16<Float>(repeating: x[o3]); a3.addProduct(s, w0); c3.addProduct(s, w1)
            s = SIMD16<Float>(repeating: x[o4]); a4.addProduct(s, w0); c4.addProduct(s, w1)
            s = SIMD16<Float>(repeating: x[o5]); a5.addProduct(s, w0); c5.addProduct(s, w1)
            s = SIMD16<Float>(repeating: x[o6]); a6.addProduct(s, w0); c6.addProduct(s, w1)
            s = SIMD16<Float>(repeating: x[o7]); a7.addProduct(s, w0); c7.addProduct(s, w1)
            x += plane
            w += 128
        }
        let first = UnsafeMutableRawPointer(block).assumingMemoryBound(to: SIMD16<Float>.self)
        let other = second.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: SIMD16<Float>.self) }
        store(activation(a0), activation(c0), at: targets.0, first, other)
        if last >= 1 { store(activation(a1), activation(c1), at: targets.1, first, other) }
        if last >= 2 { store(activation(a2), activation(c2), at: targets.2, first, other) }
        if last >= 3 { store(activation(a3), activation(c3), at: targets.3, first, other) }
        if last >= 4 { store(activation(a4), activation(c4), at: targets.4, first, other) }
        if last >= 5 { store(activation(a5), activation(c5), at: targets.5, first, other) }
        if last >= 6 { store(activation(a6), activation(c6), at: targets.6, first, other) }
        if last >= 7 { store(activation(a7), activation(c7), at: targets.7, first, other) }
    }
}
