import Foundation

/// Data-parallel helpers over the machine's cores.
public enum Parallel {
    /// Number of workers used by `map`: the active cores, at most 8.
    public static var workers: Int { max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8)) }

    /// Runs `body` for 0..<count concurrently and returns the results in index order.
    public static func map<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let slots = Slots<T>(count)
        DispatchQueue.concurrentPerform(iterations: count) { i in slots.set(i, body(i)) }
        return slots.values
    }

    /// Splits 0..<total into `workers` contiguous ranges.
    public static func ranges(_ total: Int, parts: Int = Parallel.workers) -> [Range<Int>] {
        let chunk = (total + parts - 1) / max(parts, 1)
        return stride(from: 0, to: total, by: max(chunk, 1)).map { $0..<min(total, $0 + chunk) }
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
