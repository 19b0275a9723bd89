/// Convolution weights (M output channels × K = channels·kh·kw) rearranged for the micro-kernel:
/// blocks of `MicroKernel.rows` output channels, each stored K-major (`[block][k][row]`), so one
/// step of the kernel reads the block's weights for one k as consecutive floats. Channels past
/// M in the last block are zero. Packed once when a model loads.
public final class PackedFilter: Sendable {
    public let outputs: Int
    public let depth: Int
    let storage: [Float]

    /// Packs `weights`, row-major M × K.
    public init(weights: UnsafeBufferPointer<Float>, outputs: Int, depth: Int) {
        precondition(weights.count == outputs * depth)
        self.outputs = outputs
        self.depth = depth
        let rows = MicroKernel.rows
        let blocks = (outputs + rows - 1) / rows
        storage = [Float](unsafeUninitializedCapacity: blocks * rows * depth) { buffer, count in
            for block in 0..<blocks {
                for k in 0..<depth {
                    for r in 0..<rows {
                        let m = block * rows + r
                        buffer[(block * depth + k) * rows + r] = m < outputs ? weights[m * depth + k] : 0
                    }
                }
            }
            count = blocks * rows * depth
        }
    }

    var blocks: Int { (outputs + MicroKernel.rows - 1) / MicroKernel.rows }
}
