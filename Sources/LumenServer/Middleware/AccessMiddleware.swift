import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Prometheus
import Synchronization

/// The outermost middleware: gives every request an id (`X-Request-Id`, the caller's if it is
/// sane), bounds requests in flight (503 past the limit), turns every error into an RFC 9457
/// problem, and records the request's metrics and one JSON access-log line.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = LumenRequestContext

    let metrics: ServerMetrics
    let logger: Logger
    let accessLog: Bool
    let maxInFlight: Int
    let routes: RouteTable
    private let counters = Counters()
    private let prefix: String

    /// Shared counters (atomics cannot live in a copyable struct).
    final class Counters: Sendable {
        let inFlight = Atomic<Int>(0)
        let sequence = Atomic<UInt64>(0)
    }

    init(metrics: ServerMetrics, logger: Logger, accessLog: Bool, maxInFlight: Int, routes: RouteTable) {
        self.routes = routes
        self.metrics = metrics
        self.logger = logger
        self.accessLog = accessLog
        self.maxInFlight = maxInFlight
        prefix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
    }

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        var context = context
        context.requestID =
            Self.sanitized(request.headers[.requestID])
            ?? "req-\(prefix)-\(String(counters.sequence.add(1, ordering: .relaxed).newValue, radix: 16))"
        let instance = request.uri.path
        let count = counters.inFlight.add(1, ordering: .relaxed).newValue
        metrics.inFlight.increment()
        defer {
            counters.inFlight.subtract(1, ordering: .relaxed)
            metrics.inFlight.decrement()
        }
        var response: Response
        if count > maxInFlight, !Self.isOperational(instance) {
            response = Problem.overloaded("the server is at its limit of \(maxInFlight) requests in flight").response(
                instance: instance,
                requestID: context.requestID
            )
        } else {
            do {
                response = try await next(request, context)
            } catch {
                if var problem = Problem.from(error) {
                    if problem.status == .notFound, let allowed = routes.methods(for: instance),
                        !allowed.contains(request.method.rawValue)
                    {
                        problem = Problem(
                            .methodNotAllowed,
                            "method-not-allowed",
                            "Method not allowed",
                            detail:
                                "\(request.method.rawValue) is not allowed on \(instance); use \(allowed.sorted().joined(separator: " or "))",
                            headers: ["Allow": allowed.sorted().joined(separator: ", ")]
                        )
                    }
                    response = problem.response(instance: instance, requestID: context.requestID)
                } else {
                    logger.error(
                        "unhandled error",
                        metadata: [
                            "request_id": .string(context.requestID), "error": .string(String(describing: error)),
                        ]
                    )
                    response = Problem.internalError(requestID: context.requestID).response(
                        instance: instance,
                        requestID: context.requestID
                    )
                }
            }
        }
        response.headers[.requestID] = context.requestID
        let elapsed = ContinuousClock.now - started
        let route = context.endpointPath ?? "unmatched"
        let requestBytes = request.headers[.contentLength].flatMap(Int.init) ?? 0
        let responseBytes = response.body.contentLength ?? 0
        metrics.request(
            route: route,
            method: request.method.rawValue,
            status: response.status.code,
            duration: elapsed,
            requestBytes: requestBytes,
            responseBytes: responseBytes
        )
        if accessLog {
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            logger.info(
                "request",
                metadata: [
                    "request_id": .string(context.requestID), "method": .string(request.method.rawValue),
                    "route": .string(route),
                    "path": .string(instance), "status": .string(String(response.status.code)),
                    "latency_ms": .string(String(format: "%.3f", ms)), "bytes_in": .string(String(requestBytes)),
                    "bytes_out": .string(String(responseBytes)), "caller": .string(context.caller.name),
                    "remote": .string(context.remoteAddress ?? "-"),
                ]
            )
        }
        return response
    }

    /// Health, readiness and metrics answer even when the server is saturated.
    static func isOperational(_ path: String) -> Bool { path == "/healthz" || path == "/readyz" || path == "/metrics" }

    /// A caller-supplied request id, if it is short and plain.
    static func sanitized(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.count <= 64,
            value.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
        else { return nil }
        return value
    }
}
