import LumenNumerics

/// Weights of a 1×1 convolution (M outputs × K inputs) arranged for `BlockedPointwise`: 32
/// output channels at a time (two blocks of 16), K-major, so one step reads the 32 weights of
/// one input channel as two vectors. Channels past M are zero. Packed once when a model loads.
public final class BlockedFilter: @unchecked Sendable {
    static let width = 32

    public let outputs: Int
    public let depth: Int
    /// `groups × depth × 2` vectors (64-byte aligned, read-only after init).
    let storage: UnsafeMutablePointer<SIMD16<Float>>

    /// Packs `weights`, row-major M × K.
    public init(weights: UnsafeBufferPointer<Float>, outputs: Int, depth: Int) {
        precondition(weights.count == outputs * depth)
        (self.outputs, self.depth) = (outputs, depth)
        let width = Self.width
        let groups = (outputs + width - 1) / width
        let raw = UnsafeMutableRawPointer.allocate(byteCount: groups * depth * width * 4, alignment: 64)
        let floats = raw.bindMemory(to: Float.self, capacity: groups * depth * width)
        for group in 0..<groups {
            for k in 0..<depth {
                for r in 0..<width {
                    let m = group * width + r
                    floats[(group * depth + k) * width + r] = m < outputs ? weights[m * depth + k] : 0
                }
            }
        }
        storage = raw.bindMemory(to: SIMD16<Float>.self, capacity: groups * depth * 2)
    }

    deinit { storage.deallocate() }

    /// Groups of 32 output channels.
    var groups: Int { (outputs + Self.width - 1) / Self.width }
}

/// How a C × H × W tensor is laid out in memory for `BlockedPointwise`: ordinary planes
/// (channel after channel) or channel-blocked (`ChannelBlockedLayout`).
public enum TensorForm: Sendable, Equatable {
    case planes
    case blocked(ChannelBlockedLayout)
}
