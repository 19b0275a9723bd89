import LumenKernels
import Synchronization

/// A node's output in channel-blocked form, waiting for its one reader. Its storage comes from
/// the session's `BlockedBufferPool` and goes back there when the reader has run.
final class BlockedTensor: @unchecked Sendable {
    let layout: ChannelBlockedLayout
    let batch: Int
    /// The depthwise convolution that will read it (nil when a 1×1 convolution will).
    let geometry: ConvolutionGeometry?
    let storage: UnsafeMutablePointer<Float>
    private let capacity: Int
    private let pool: BlockedBufferPool

    init(layout: ChannelBlockedLayout, batch: Int, geometry: ConvolutionGeometry?, pool: BlockedBufferPool) {
        (self.layout, self.batch, self.geometry, self.pool) = (layout, batch, geometry, pool)
        (storage, capacity) = pool.take(layout, batch: batch)
    }

    deinit { pool.give(storage, capacity: capacity, layout: layout, batch: batch) }
}

/// Buffers for blocked tensors, reused run after run by one session: `take` hands out the
/// smallest idle buffer that is big enough, so a pass cycles through a few buffers instead of
/// one per layer (EfficientNet-Lite0's hand-overs total ~15 MB, its widest one 5 MB) and its
/// weights stay in the last-level cache. A buffer remembers the layout whose zero border it
/// holds (no kernel writes a border) and is re-zeroed only when a different layout takes it.
/// Reuse also spares the page faults of fresh memory on every run.
final class BlockedBufferPool: Sendable {
    private struct Buffer: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<Float>
        let capacity: Int
        var layout: ChannelBlockedLayout
        var batch: Int
    }
    /// At most this many idle buffers (a chain has two or three blocked tensors alive at once).
    private static let keep = 4
    private let idle = Mutex<[Buffer]>([])

    init() {}

    /// A 64-byte aligned buffer for `batch` images in `layout` with a zero border, and its capacity.
    func take(_ layout: ChannelBlockedLayout, batch: Int) -> (UnsafeMutablePointer<Float>, capacity: Int) {
        let count = batch * layout.count
        let reused = idle.withLock { idle -> Buffer? in
            var best: Int? = nil
            for i in idle.indices
            where idle[i].capacity >= count && best.map({ idle[i].capacity < idle[$0].capacity }) ?? true { best = i }
            return best.map { idle.remove(at: $0) }
        }
        if let reused {
            if reused.layout != layout || reused.batch != batch {
                for b in 0..<batch { layout.zeroBorder(reused.pointer + b * layout.count) }
            }
            return (reused.pointer, reused.capacity)
        }
        // 64-byte aligned: the 1×1 kernel stores whole pixels (16 floats) as aligned vectors.
        let storage = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64).bindMemory(
            to: Float.self,
            capacity: count
        )
        for b in 0..<batch { layout.zeroBorder(storage + b * layout.count) }
        return (storage, count)
    }

    /// Takes back a buffer from `take` whose tensor (of `layout`, `batch` images) has been read.
    func give(_ storage: UnsafeMutablePointer<Float>, capacity: Int, layout: ChannelBlockedLayout, batch: Int) {
        let dropped = idle.withLock { idle -> Buffer? in
            idle.append(Buffer(pointer: storage, capacity: capacity, layout: layout, batch: batch))
            guard idle.count > Self.keep, let i = idle.indices.min(by: { idle[$0].capacity < idle[$1].capacity }) else {
                return nil
            }
            return idle.remove(at: i)
        }
        dropped?.pointer.deallocate()
    }

    deinit {
        idle.withLock { idle in for buffer in idle { buffer.pointer.deallocate() } }
    }
}
