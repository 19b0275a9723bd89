import Foundation
import Testing

@testable import LumenServer

@Suite("Compute pool: admission and timeouts")
struct ComputePoolTests {
    @Test("work runs and returns its result") func workRunsAndReturnsItsResult() async throws {
        let pool = ComputePool(threads: 2, queue: 2, timeoutSeconds: 5)
        let sums = try await withThrowingTaskGroup(of: Int.self) { group in
            for k in 0..<4 { group.addTask { try await pool.run { (0...k * 1000).reduce(0, +) } } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }.sorted()
        }
        #expect(sums == [0, 500_500, 2_001_000, 4_501_500])
        try await pool.shutdown()
    }

    @Test("past threads plus queue new work is 503") func pastThreadsPlusQueueNewWorkIs503() async throws {
        let pool = ComputePool(threads: 1, queue: 1, timeoutSeconds: 10)
        let gate = DispatchSemaphore(value: 0)
        let first = Task {
            try await pool.run {
                gate.wait()
                return 1
            }
        }
        let second = Task { try await pool.run { 2 } }
        while pool.load < 2 { try await Task.sleep(for: .milliseconds(5)) }
        await #expect(throws: Problem.overloaded("2 heavy requests are already running or queued; retry shortly")) {
            try await pool.run { 3 }
        }
        gate.signal()
        #expect(try await first.value == 1)
        #expect(try await second.value == 2)
        #expect(try await pool.run { 4 } == 4)
        try await pool.shutdown()
    }

    @Test("slow work is answered 503 at the timeout") func slowWorkIsAnswered503AtTheTimeout() async throws {
        let pool = ComputePool(threads: 1, queue: 0, timeoutSeconds: 0.2)
        // The continuation is resumed once, by whichever comes first: getting the timeout rather
        // than the value proves the answer left before the work ended. (Wall-clock checks here
        // would measure the test runner's scheduling under the parallel suite, not the pool.)
        await #expect(throws: Problem.timeout(0.2)) {
            try await pool.run {
                Thread.sleep(forTimeInterval: 3.0)
                return 0
            }
        }
        // The slot is held until the abandoned work ends, then freed.
        while pool.load > 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try await pool.run { 5 } == 5)
        try await pool.shutdown()
    }
}
