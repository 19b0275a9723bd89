import Foundation

/// Data-parallel helpers over the machine's cores.
public enum Parallel {
    /// The worker count the machine suggests: its active cores, at most 8.
    public static var machineWorkers: Int { max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8)) }

    /// A worker count set by `withWorkers` for the code it runs (nil: the machine's).
    @TaskLocal static var override: Int?

    /// Number of workers parallel code splits its work into: `machineWorkers`, or the count
    /// set by the innermost `withWorkers`. Splits depend on this number only, never on how many
    /// threads actually run them, so a test can run the splits of a 16-core machine on two cores.
    public static var workers: Int { override ?? machineWorkers }

    /// Runs `body` with `workers` reporting `count` (at least 1, at most 64).
    public static func withWorkers<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
        try $override.withValue(max(1, min(count, 64)), operation: body)
    }

    /// Runs `body` for 0..<count concurrently and returns the results in index order; `workers`
    /// reads the same inside `body` as outside.
    public static func map<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let slots = Slots<T>(count)
        let override = Self.override
        DispatchQueue.concurrentPerform(iterations: count) { i in
            $override.withValue(override) { slots.set(i, body(i)) }
        }
        return slots.values
    }

    /// Runs `body(worker, workers)` for every worker in 0..<workers on the spinning pool's
    /// threads (inline when it has one), each thread taking every n-th worker, so a split of
    /// 16 workers runs unchanged on two cores. Kernels use this rather than Dispatch: a
    /// Dispatch thread competing with the pool's spinning helpers on a small machine loses
    /// whole scheduler slices.
    public static func onPool(workers: Int, _ body: (Int, Int) -> Void) {
        let count = Swift.max(1, workers)
        let threads = Swift.min(count, SpinningPool.shared.width)
        if threads <= 1 {
            for worker in 0..<count { body(worker, count) }
        } else {
            SpinningPool.shared.run(parts: threads) { thread in
                for worker in stride(from: thread, to: count, by: threads) { body(worker, count) }
            }
        }
    }

    /// Splits 0..<total into at most `parts` contiguous, non-empty ranges of near-equal size
    /// (their sizes differ by at most one); none when `total` is 0.
    public static func ranges(_ total: Int, parts: Int = Parallel.workers) -> [Range<Int>] {
        let parts = max(1, min(parts, total))
        guard total > 0 else { return [] }
        return (0..<parts).map { share(total, part: $0, of: parts) }
    }

    /// Part `part` of `0..<total` split into `parts` near-equal contiguous ranges: always inside
    /// `0..<total`, and the parts 0..<parts tile it exactly (empty parts when `parts > total`).
    @inlinable
    public static func share(_ total: Int, part: Int, of parts: Int) -> Range<Int> {
        (total * part / parts)..<(total * (part + 1) / parts)
    }
}

/// Write-once result slots; each index is written by exactly one worker, through a buffer
/// allocated up front so concurrent writes never touch shared array storage.
private final class Slots<T>: @unchecked Sendable {
    private let buffer: UnsafeMutablePointer<T?>
    private let count: Int

    init(_ count: Int) {
        self.count = count
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: nil, count: count)
    }

    deinit {
        buffer.deinitialize(count: count)
        buffer.deallocate()
    }

    func set(_ i: Int, _ value: T) { buffer[i] = value }

    var values: [T] { (0..<count).map { buffer[$0]! } }
}
