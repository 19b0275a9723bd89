import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Requests the HTTP parser refuses before any route sees them (a malformed request line,
/// oversized headers, Content-Length with Transfer-Encoding, a negative Content-Length): answered
/// like every other error, as problem+json with a request id, plus an access-log line and the
/// `lumen_http_requests_total{route="(unparsed)"}` count, then the connection is closed.
/// (Hummingbird would otherwise send a bare 400 with an empty body and log nothing.)
final class ParserRejection: Sendable {
    private let metrics: ServerMetrics
    private let logger: Logger
    private let accessLog: Bool
    private let sequence = Atomic<Int>(0)
    private let prefix = String(UInt32.random(in: 0...UInt32.max), radix: 16)

    init(metrics: ServerMetrics, logger: Logger, accessLog: Bool) {
        self.metrics = metrics
        self.logger = logger
        self.accessLog = accessLog
    }

    /// A fresh handler for one connection's pipeline (after the HTTP codec).
    func handler() -> Handler { Handler(owner: self) }

    /// The problem for a parser error.
    static func problem(_ error: HTTPParserError) -> Problem {
        switch error {
        case .headerOverflow:
            return Problem(
                .init(code: 431, reasonPhrase: "Request Header Fields Too Large"),
                "headers-too-large",
                "Request headers too large",
                detail: "the request line and headers are larger than the server accepts"
            )
        case .unexpectedContentLength:
            return .badRequest("the request has both Content-Length and Transfer-Encoding (or two lengths); send one")
        case .invalidContentLength:
            return .badRequest("the Content-Length header is not a non-negative integer")
        case .invalidMethod, .invalidURL, .invalidPath, .invalidVersion, .invalidQueryString, .invalidFragment:
            return .badRequest("the request line is not 'METHOD /path HTTP/1.1'")
        case .invalidHeaderToken, .invalidCharactersUsed, .lfExpected, .invalidConstant:
            return .badRequest("a header line is malformed")
        case .invalidChunkSize:
            return .badRequest("a chunk size in the chunked body is malformed")
        default:
            return .badRequest("the request is not valid HTTP/1.1")
        }
    }

    fileprivate func reject(_ error: HTTPParserError, remote: String) -> [UInt8] {
        let problem = Self.problem(error)
        let id = "req-\(prefix)-p\(String(sequence.add(1, ordering: .relaxed).newValue, radix: 16))"
        let body = problem.body(instance: "-", requestID: id)
        let status = Int(problem.status.code)
        metrics.request(
            route: "(unparsed)",
            method: "-",
            status: status,
            duration: .zero,
            requestBytes: 0,
            responseBytes: body.count
        )
        if accessLog {
            logger.info(
                "request",
                metadata: [
                    "request_id": .string(id), "method": "-", "route": "(unparsed)", "path": "-",
                    "status": .string(String(status)), "bytes_out": .string(String(body.count)),
                    "remote": .string(remote), "parser_error": .string("\(error)"),
                ]
            )
        }
        let head =
            "HTTP/1.1 \(status) \(problem.status.reasonPhrase)\r\ncontent-type: application/problem+json\r\n"
            + "content-length: \(body.count)\r\nconnection: close\r\nx-request-id: \(id)\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// Catches parser errors when no request is in progress on the connection (one mid-body, or
    /// while a response is being written, goes on to Hummingbird as before).
    final class Handler: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = Any
        typealias OutboundIn = Any
        private let owner: ParserRejection
        /// Request heads passed on minus responses finished: 0 means nothing is in progress.
        private var open = 0

        fileprivate init(owner: ParserRejection) { self.owner = owner }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            open += 1  // any request part: conservative, a head is never missed
            context.fireChannelRead(data)
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            open = 0  // a response is going out: Hummingbird owns this exchange
            context.write(data, promise: promise)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            guard let parserError = error as? HTTPParserError, open == 0,
                let encoder = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self)
            else {
                context.fireErrorCaught(error)
                return
            }
            let remote = context.remoteAddress?.ipAddress ?? "-"
            let bytes = owner.reject(parserError, remote: remote)
            // Written below the HTTP encoder (raw bytes), so the response state above is untouched.
            encoder.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
            context.close(promise: nil)
        }
    }
}
