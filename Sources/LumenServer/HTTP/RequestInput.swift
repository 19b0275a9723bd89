import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Reading a request: the body against the size limit, its media type, JSON fields, base64 and
/// query parameters, each failure a problem a caller can act on.
struct RequestInput {
    /// Path parameter `name`, percent-decoded (`user%201` is user "user 1", `jos%C3%A9` is "josé");
    /// an invalid escape is a 400.
    static func path(_ context: LumenRequestContext, _ name: String) throws -> String {
        let raw = try context.parameters.require(name)
        guard let decoded = raw.removingPercentEncoding else {
            throw Problem.badRequest("path segment '\(raw)' is not valid percent-encoding")
        }
        return decoded
    }

    /// The body, refused with 413 past `limit` (checked on Content-Length first, then while
    /// reading) and with 503 if it has not arrived within `timeout` seconds (a slow upload cannot
    /// hold a connection and a buffer forever).
    static func body(_ request: Request, limit: Int, timeout: Double) async throws -> [UInt8] {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw Problem.tooLarge("the body is \(declared) bytes; this server accepts at most \(limit)")
        }
        let body = request.body
        do {
            return try await withThrowingTaskGroup(of: [UInt8].self) { group in
                group.addTask { Array(try await body.collect(upTo: limit).readableBytesView) }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                    throw Problem.timeout(timeout)
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
        } catch is NIOTooManyBytesError {
            throw Problem.tooLarge("the body is larger than this server's limit of \(limit) bytes")
        }
    }

    /// The media type without parameters, lower-cased ("application/json").
    static func mediaType(_ request: Request) -> String? {
        guard let value = request.headers[.contentType] else { return nil }
        return value.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// A named parameter of the Content-Type header (e.g. the multipart boundary).
    static func contentTypeParameter(_ request: Request, _ name: String) -> String? {
        guard let value = request.headers[.contentType] else { return nil }
        for part in value.split(separator: ";").dropFirst() {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if kv.count == 2, kv[0].lowercased() == name {
                return kv[1].hasPrefix("\"") && kv[1].hasSuffix("\"") && kv[1].count >= 2
                    ? String(kv[1].dropFirst().dropLast()) : kv[1]
            }
        }
        return nil
    }

    /// Refuses media types the route does not take.
    static func requireMediaType(_ request: Request, _ accepted: [String]) throws -> String {
        guard let type = mediaType(request) else {
            throw Problem.unsupportedMediaType("set Content-Type to one of: \(accepted.joined(separator: ", "))")
        }
        guard accepted.contains(type) else {
            throw Problem.unsupportedMediaType(
                "\(type) is not accepted here; use one of: \(accepted.joined(separator: ", "))"
            )
        }
        return type
    }

    /// Decodes a JSON body, with 400 for syntax and type errors naming the field.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        guard !bytes.isEmpty else { throw Problem.badRequest("the body is empty; send a JSON object") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw Problem.badRequest("malformed JSON: \(ServerError.describe(error))")
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem.badRequest("malformed JSON")
        }
    }

    /// Decodes base64 (standard or URL-safe, padding optional), naming the field on failure.
    static func base64(_ text: String, field: String) throws -> [UInt8] {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        s = s.filter { !$0.isWhitespace }
        if let comma = s.firstIndex(of: ","), s.hasPrefix("data:") { s = String(s[s.index(after: comma)...]) }
        while s.count % 4 != 0 { s += "=" }
        guard let data = Data(base64Encoded: s) else { throw Problem.badRequest("'\(field)' is not valid base64") }
        return [UInt8](data)
    }

    /// An integer query parameter within `range`, or `default`.
    static func int(_ request: Request, _ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = request.uri.queryParameters.get(name) else { return value }
        guard let n = Int(raw), range.contains(n) else {
            throw Problem.badRequest(
                "query parameter '\(name)' must be an integer in \(range.lowerBound)…\(range.upperBound), got '\(raw)'"
            )
        }
        return n
    }

    /// A boolean query parameter (true/false/1/0), or `default`.
    static func bool(_ request: Request, _ name: String, default value: Bool) throws -> Bool {
        guard let raw = request.uri.queryParameters.get(name) else { return value }
        switch raw.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw Problem.badRequest("query parameter '\(name)' must be true or false, got '\(raw)'")
        }
    }

    /// Whether the caller asked for `type` in Accept (exactly, not via */*).
    static func accepts(_ request: Request, _ type: String) -> Bool {
        guard let accept = request.headers[.accept] else { return false }
        return accept.split(separator: ",").contains {
            $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased() == type
        }
    }
}
