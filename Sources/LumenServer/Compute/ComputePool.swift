@preconcurrency import Dispatch
import Foundation
import NIOPosix
import Synchronization

/// Runs CPU-heavy work (image decoding, EigenCAM, the ONNX runtime, drift tests) on dedicated
/// threads, off the event loops and the Swift concurrency pool. Admission is bounded: at most
/// `threads` jobs run and `queue` wait; past that new work is refused with 503 at once. A job
/// that outlives the timeout is answered with 503 (the job finishes in the background and its
/// result is dropped; it keeps its slot until then, so a slow input cannot oversubscribe).
public final class ComputePool: Sendable {
    private let pool: NIOThreadPool
    private let admitted = Atomic<Int>(0)
    let capacity: Int
    let timeout: Double
    /// Its own (overcommitting) queue, so a busy global pool cannot delay a timeout.
    private let timers = DispatchQueue(label: "lumen.compute.timeouts", qos: .userInitiated)

    public init(threads: Int, queue: Int, timeoutSeconds: Double) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        capacity = threads + queue
        self.timeout = timeoutSeconds
    }

    /// Stops the threads (after queued work).
    public func shutdown() async throws { try await pool.shutdownGracefully() }

    /// Jobs admitted now (running or waiting).
    public var load: Int { admitted.load(ordering: .relaxed) }

    /// Runs `work` on a compute thread.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let now = admitted.add(1, ordering: .acquiringAndReleasing).newValue
        guard now <= capacity else {
            admitted.subtract(1, ordering: .acquiringAndReleasing)
            throw Problem.overloaded("\(capacity) heavy requests are already running or queued; retry shortly")
        }
        let slot = OnceContinuation<T>()
        let timeout = self.timeout
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                slot.set(continuation)
                let timer = DispatchWorkItem { slot.resume(.failure(Problem.timeout(timeout))) }
                timers.asyncAfter(deadline: .now() + timeout, execute: timer)
                pool.submit { state in
                    defer { self.admitted.subtract(1, ordering: .acquiringAndReleasing) }
                    guard state == .active, !slot.isResumed else {
                        slot.resume(.failure(CancellationError()))
                        return
                    }
                    let result = Result { try work() }
                    timer.cancel()
                    slot.resume(result)
                }
            }
        } onCancel: {
            slot.resume(.failure(CancellationError()))
        }
    }
}

/// A continuation resumed exactly once, whichever of result, timeout or cancellation comes first.
final class OnceContinuation<T: Sendable>: Sendable {
    private let state = Mutex<
        (continuation: CheckedContinuation<T, any Error>?, done: Bool, early: Result<T, any Error>?)
    >((nil, false, nil))

    var isResumed: Bool { state.withLock { $0.done } }

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        let early: Result<T, any Error>? = state.withLock { s in
            if let e = s.early {
                s.early = nil
                return e
            }
            s.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func resume(_ result: Result<T, any Error>) {
        let c: CheckedContinuation<T, any Error>? = state.withLock { s in
            guard !s.done else { return nil }
            s.done = true
            guard let c = s.continuation else {
                s.early = result
                return nil
            }
            s.continuation = nil
            return c
        }
        c?.resume(with: result)
    }
}
