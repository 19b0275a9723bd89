import Foundation
import Synchronization
import Testing

@testable import LumenNumerics

@Suite("Spinning pool")
struct SpinningPoolTests {
    @Test("every part of every section runs exactly once, sections back to back")
    func partsRunOnce() {
        let pool = SpinningPool.shared
        for round in 0..<2000 {
            let parts = 1 + round % pool.width
            var counts = [Int](repeating: 0, count: parts)
            counts.withUnsafeMutableBufferPointer { counters in
                let box = CounterBox(counters.baseAddress!)
                pool.run(parts: parts) { part in box.counters[part] += 1 }  // each part its own slot
            }
            #expect(counts == [Int](repeating: 1, count: parts), "round \(round)")
        }
    }

    @Test("sections from several threads at once all complete (a busy pool runs the caller's parts inline)")
    func concurrentCallers() async {
        let total = Tally()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<500 {
                        SpinningPool.shared.run(parts: SpinningPool.shared.width) { _ in
                            total.count.add(1, ordering: .relaxed)
                        }
                    }
                }
            }
        }
        #expect(total.count.load(ordering: .relaxed) == 4 * 500 * SpinningPool.shared.width)
    }

    @Test("helpers that fell asleep between sections wake for the next one")
    func wakesSleepingHelpers() throws {
        let seen = Tally()
        for _ in 0..<3 {
            Thread.sleep(forTimeInterval: 0.05)  // long enough for the helpers to stop spinning
            SpinningPool.shared.run(parts: SpinningPool.shared.width) { _ in seen.count.add(1, ordering: .relaxed) }
        }
        #expect(seen.count.load(ordering: .relaxed) == 3 * SpinningPool.shared.width)
    }
}

/// Counters handed to the pool's parts.
private struct CounterBox: @unchecked Sendable {
    let counters: UnsafeMutablePointer<Int>
    init(_ counters: UnsafeMutablePointer<Int>) { self.counters = counters }
}

/// A counter shared by the parts of a section.
private final class Tally: Sendable {
    let count = Atomic<Int>(0)
}
