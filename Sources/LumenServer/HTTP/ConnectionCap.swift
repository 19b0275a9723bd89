import Logging
import NIOCore
import Synchronization

/// Bounds how many connections the server holds at once, so idle or half-open sockets cannot use
/// up the process's file descriptors. Past `limit`, a new connection takes the place of the
/// connection that has been idle longest (accepted and silent, or between requests on
/// keep-alive): that one is closed, so a real client still gets in while an attacker holds
/// hundreds of silent sockets. Only when every held connection is mid-request is the new one
/// closed at accept. Either way a log line (at most one a second) says so. Idle connections and
/// slow request heads are also closed by Hummingbird's idle timeout
/// (`ServerConfiguration.idleTimeoutSeconds`); this bounds how many there can be meanwhile.
final class ConnectionCap: Sendable {
    let limit: Int
    private let refused = Atomic<Int>(0)
    private let evicted = Atomic<Int>(0)
    private let lastLog = Mutex<ContinuousClock.Instant?>(nil)
    private let logger: Logger

    /// What the cap knows of a held connection.
    fileprivate struct Held {
        let channel: any Channel
        /// Last time bytes arrived or a response went out.
        var lastActivity: ContinuousClock.Instant
        /// A request has arrived and its response has not started.
        var busy: Bool
    }
    private let held = Mutex<[ObjectIdentifier: Held]>([:])

    init(limit: Int, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    /// Connections open now.
    var current: Int { held.withLock { $0.count } }
    /// Connections closed at accept because every held one was mid-request, since start.
    var refusedTotal: Int { refused.load(ordering: .relaxed) }
    /// Idle connections closed to make room for new ones, since start.
    var evictedTotal: Int { evicted.load(ordering: .relaxed) }

    /// A fresh handler for one connection's pipeline.
    func handler() -> Handler { Handler(cap: self) }

    /// Takes `channel` in; returns false if it must be closed (the cap is full of busy ones).
    fileprivate func admit(_ key: ObjectIdentifier, _ channel: any Channel) -> Bool {
        let (admitted, victim): (Bool, (any Channel)?) = held.withLock { table in
            var victim: (any Channel)?
            if table.count >= limit {
                guard
                    let oldest = table.filter({ !$0.value.busy }).min(by: {
                        $0.value.lastActivity < $1.value.lastActivity
                    })
                else { return (false, nil) }
                victim = oldest.value.channel
                table[oldest.key] = nil
            }
            table[key] = Held(channel: channel, lastActivity: .now, busy: false)
            return (true, victim)
        }
        if let victim {
            victim.close(promise: nil)
            note(
                "connection cap reached; closing the longest-idle connection",
                evicted.add(1, ordering: .relaxed).newValue
            )
        } else if !admitted {
            note(
                "connection cap reached and every connection is mid-request; closing new connections",
                refused.add(1, ordering: .relaxed).newValue
            )
        }
        return admitted
    }

    fileprivate func update(_ key: ObjectIdentifier, busy: Bool) {
        held.withLock { table in
            table[key]?.busy = busy
            table[key]?.lastActivity = .now
        }
    }

    fileprivate func leave(_ key: ObjectIdentifier) { held.withLock { $0[key] = nil } }

    private func note(_ message: Logger.Message, _ total: Int) {
        let shouldLog = lastLog.withLock { last in
            let now = ContinuousClock.now
            if let last, now - last < .seconds(1) { return false }
            last = now
            return true
        }
        if shouldLog {
            logger.warning(message, metadata: ["limit": .stringConvertible(limit), "total": .stringConvertible(total)])
        }
    }

    /// Counts its connection in and out, and tells the cap when it is busy (a request read and
    /// not yet answered) or idle.
    final class Handler: ChannelDuplexHandler, RemovableChannelHandler {
        // Request and response parts pass through untouched (never unwrapped), whatever their type.
        typealias InboundIn = Any
        typealias OutboundIn = Any
        private let cap: ConnectionCap
        private var counted = false
        private var key: ObjectIdentifier { ObjectIdentifier(self) }

        fileprivate init(cap: ConnectionCap) { self.cap = cap }

        func handlerAdded(context: ChannelHandlerContext) {
            counted = cap.admit(key, context.channel)
            if !counted { context.close(promise: nil) }
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            if counted { cap.leave(key) }
            counted = false
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if counted { cap.update(key, busy: true) }
            context.fireChannelRead(data)
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            if counted { cap.update(key, busy: false) }
            context.write(data, promise: promise)
        }
    }
}
