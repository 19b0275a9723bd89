import Foundation
import HTTPTypes
import Hummingbird
import LumenCAM
import LumenDrift
import LumenExplain
import LumenIO
import LumenImaging
import LumenONNX
import LumenRecs
import NIOCore

/// An RFC 9457 problem: every error Lumen answers is one of these, sent as
/// `application/problem+json` with a message a person can act on.
public struct Problem: Error, Sendable, Equatable {
    public let status: HTTPResponse.Status
    /// Short slug, part of the `type` URI (`urn:lumen:problem:<slug>`).
    public let slug: String
    public let title: String
    public let detail: String
    /// Extra response headers (Retry-After, WWW-Authenticate).
    public var headers: [String: String] = [:]

    public init(
        _ status: HTTPResponse.Status,
        _ slug: String,
        _ title: String,
        detail: String,
        headers: [String: String] = [:]
    ) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.headers = headers
    }

    public static func badRequest(_ detail: String) -> Problem {
        Problem(.badRequest, "bad-request", "Malformed request", detail: detail)
    }
    public static func unauthorized(_ detail: String) -> Problem {
        Problem(
            .unauthorized,
            "unauthorized",
            "Authentication required",
            detail: detail,
            headers: ["WWW-Authenticate": "Bearer realm=\"lumen\""]
        )
    }
    public static func forbidden(_ detail: String) -> Problem {
        Problem(.forbidden, "forbidden", "Not allowed for this role", detail: detail)
    }
    public static func notFound(_ detail: String) -> Problem {
        Problem(.notFound, "not-found", "Not found", detail: detail)
    }
    public static func conflict(_ detail: String) -> Problem {
        Problem(.conflict, "conflict", "Already done", detail: detail)
    }
    public static func tooLarge(_ detail: String) -> Problem {
        Problem(.contentTooLarge, "too-large", "Request too large", detail: detail)
    }
    public static func unsupportedMediaType(_ detail: String) -> Problem {
        Problem(.unsupportedMediaType, "unsupported-media-type", "Unsupported content type", detail: detail)
    }
    public static func unprocessable(_ detail: String) -> Problem {
        Problem(.unprocessableContent, "unprocessable", "Input cannot be processed", detail: detail)
    }
    public static func overloaded(_ detail: String) -> Problem {
        Problem(.serviceUnavailable, "overloaded", "Server busy", detail: detail, headers: ["Retry-After": "1"])
    }
    public static func timeout(_ seconds: Double) -> Problem {
        Problem(
            .serviceUnavailable,
            "timeout",
            "Request timed out",
            detail: "the request took longer than \(seconds) s; try a smaller input or retry later",
            headers: ["Retry-After": "5"]
        )
    }

    /// The JSON document (RFC 9457 members plus `request_id`).
    func body(instance: String, requestID: String) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("type", "urn:lumen:problem:\(slug)")
        w.field("title", title)
        w.field("status", status.code)
        w.field("detail", detail)
        w.field("instance", instance)
        w.field("request_id", requestID)
        w.endObject()
        return w.bytes
    }

    /// Maps any error to a problem. Errors Lumen does not know become a 500 whose detail names
    /// only the request id (the cause goes to the log).
    public static func from(_ error: any Error) -> Problem? {
        switch error {
        case let p as Problem: return p
        case is NIOTooManyBytesError: return .tooLarge("the request body is larger than the server's limit")
        case let e as ImageError:
            if case .tooLarge = e { return .tooLarge(e.description) }
            if case .outOfMemory = e { return nil }
            return .unprocessable(e.description)
        case let e as TensorError: return .unprocessable(e.description)
        case let e as CAMError: return .unprocessable(e.description)
        case let e as ExplainError:
            if case .unknownLayer = e { return .notFound(e.description) }
            return .unprocessable(e.description)
        case let e as ImagingError: return .unprocessable("\(e)")
        case let e as ONNXError: return .unprocessable("\(e)")
        case let e as DriftError: return .unprocessable(e.description)
        case let e as RecsError:
            switch e {
            case .unknownUser, .unknownItem: return .notFound(e.description)
            default: return .unprocessable(e.description)
            }
        case let e as HTTPError:
            let detail = e.body ?? (e.status == .notFound ? "no such route; see /openapi.yaml" : e.status.reasonPhrase)
            if e.status == .notFound { return .notFound(detail) }
            if e.status == .methodNotAllowed {
                return Problem(.methodNotAllowed, "method-not-allowed", "Method not allowed", detail: detail)
            }
            return Problem(e.status, "http-\(e.status.code)", e.status.reasonPhrase, detail: detail)
        case let e as any HTTPResponseError where e.status.code < 500:
            return Problem(e.status, "http-\(e.status.code)", e.status.reasonPhrase, detail: e.status.reasonPhrase)
        default: return nil
        }
    }

    /// The opaque 500 for errors that must not leak.
    static func internalError(requestID: String) -> Problem {
        Problem(
            .internalServerError,
            "internal",
            "Internal server error",
            detail: "something went wrong on the server; quote request id \(requestID) to the operator"
        )
    }

    /// The response carrying this problem.
    func response(instance: String, requestID: String) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/problem+json"
        for (k, v) in headers { if let name = HTTPField.Name(k) { fields[name] = v } }
        return Response(
            status: status,
            headers: fields,
            body: .init(byteBuffer: ByteBuffer(bytes: body(instance: instance, requestID: requestID)))
        )
    }
}
