import Logging
import NIOCore
import Synchronization

/// Bounds how many connections the server holds at once: past `limit` a new connection is
/// closed as soon as it is accepted, with a log line (at most one a second), so idle or
/// half-open sockets cannot use up the process's file descriptors and starve `/healthz`.
/// Idle connections and slow request heads are closed by Hummingbird's idle timeout
/// (`ServerConfiguration.idleTimeoutSeconds`); this bounds how many there can be meanwhile.
final class ConnectionCap: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)
    private let lastLog = Mutex<ContinuousClock.Instant?>(nil)
    private let logger: Logger

    init(limit: Int, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    /// Connections open now.
    var current: Int { open.load(ordering: .relaxed) }
    /// Connections closed at accept because the cap was reached, since start.
    var refusedTotal: Int { refused.load(ordering: .relaxed) }

    /// A fresh handler for one connection's pipeline.
    func handler() -> Handler { Handler(cap: self) }

    fileprivate func admit() -> Bool {
        let now = open.add(1, ordering: .relaxed).newValue
        guard now > limit else { return true }
        let total = refused.add(1, ordering: .relaxed).newValue
        let shouldLog = lastLog.withLock { last in
            let now = ContinuousClock.now
            if let last, now - last < .seconds(1) { return false }
            last = now
            return true
        }
        if shouldLog {
            logger.warning(
                "connection cap reached; closing new connections",
                metadata: ["limit": .stringConvertible(limit), "refused_total": .stringConvertible(total)]
            )
        }
        return false
    }

    fileprivate func leave() { open.subtract(1, ordering: .relaxed) }

    /// Counts its connection in and out; closes it at once when over the cap.
    final class Handler: ChannelInboundHandler, RemovableChannelHandler {
        // Request parts pass through untouched (never unwrapped), whatever their type.
        typealias InboundIn = Any
        private let cap: ConnectionCap
        private var counted = false

        fileprivate init(cap: ConnectionCap) { self.cap = cap }

        func handlerAdded(context: ChannelHandlerContext) {
            counted = true
            if !cap.admit() { context.close(promise: nil) }
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            if counted { cap.leave() }
            counted = false
        }
    }
}
