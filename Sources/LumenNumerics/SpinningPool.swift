import Foundation
import Synchronization

/// A fork–join pool for many short parallel sections (a CNN forward pass has one per layer,
/// each a few tens of microseconds): its helper threads spin for a while after each section
/// before they sleep, so the next section starts without a thread wake-up. Handing a section
/// to a sleeping Dispatch worker costs microseconds, a large share of a small model's forward
/// pass when paid per layer (docs/BENCHMARKS.md has the measured figures). One section runs at a time; a caller that finds the pool
/// busy (another request's pass) runs its section on its own thread instead.
public final class SpinningPool: @unchecked Sendable {
    /// One pool per process, with a helper per core beyond the caller's.
    public static let shared = SpinningPool(helpers: Parallel.workers - 1)

    /// How many parts a section can run at once: the helpers and the caller.
    public var width: Int { helpers + 1 }

    private let helpers: Int
    /// Bumped to publish a section; helpers run it when they see a new value.
    private let generation = Atomic<Int>(0)
    /// Helpers still inside the current section.
    private let pending = Atomic<Int>(0)
    /// Set while a caller owns the pool.
    private let busy = Atomic<Bool>(false)
    /// Helpers blocked on `wake` rather than spinning.
    private let sleepers = Atomic<Int>(0)
    private let wake = NSCondition()
    private var section: ((Int) -> Void)?
    private var parts = 0

    /// Spin iterations (atomic loads) before a helper blocks: tens of microseconds.
    private static let spinLimit = 1 << 16

    init(helpers: Int) {
        self.helpers = max(0, helpers)
        for index in 0..<self.helpers {
            let thread = Thread { [unowned self] in self.helperLoop(part: index + 1) }
            thread.name = "lumen-pool-\(index + 1)"
            thread.start()
        }
    }

    /// Runs `body(part)` for every part in 0..<parts (at most `width`) and returns when all
    /// are done; part 0 runs on the calling thread.
    public func run(parts count: Int, _ body: (Int) -> Void) {
        guard count > 1, helpers > 0,
            busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            for part in 0..<count { body(part) }
            return
        }
        precondition(count <= width, "a section has at most \(width) parts")
        withoutActuallyEscaping(body) { body in
            section = body
            parts = count
            pending.store(helpers, ordering: .relaxed)
            // Sequentially consistent with the helpers' "sleepers += 1, then check the
            // generation", so either a helper sees this section or this sees the sleeper.
            generation.add(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                wake.lock()
                wake.broadcast()
                wake.unlock()
            }
            body(0)
            while pending.load(ordering: .acquiring) > 0 {}
            section = nil
        }
        busy.store(false, ordering: .releasing)
    }

    private func helperLoop(part: Int) {
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins < Self.spinLimit { continue }
                wake.lock()
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while generation.load(ordering: .sequentiallyConsistent) == seen { wake.wait() }
                sleepers.subtract(1, ordering: .relaxed)
                wake.unlock()
            }
            seen = generation.load(ordering: .acquiring)
            if part < parts, let section { section(part) }
            pending.subtract(1, ordering: .releasing)
        }
    }
}
