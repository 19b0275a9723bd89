import Foundation
import LumenIO

/// One line of the audit trail: enough to know who was told what, by which model, from which
/// inputs, and to ask the same question again.
public struct AuditRecord: Sendable, Codable, Equatable {
    /// The explanation id returned to the caller (`Lumen-Explanation-Id`).
    public var id: String
    /// RFC 3339 UTC with milliseconds.
    public var time: String
    /// Caller's token name and role ("anonymous"/"admin" with authentication off).
    public var caller: String
    public var role: String
    public var method: String
    /// Route template, e.g. `/v1/recs/{model}/users/{user}/recommendations`.
    public var route: String
    /// The concrete path and query.
    public var path: String
    public var model: String?
    public var modelVersion: String?
    /// SHA-256 of the inputs (request body, or the canonical query for GET routes).
    public var inputsDigest: String
    /// Small inputs worth keeping verbatim (user, item, n, options).
    public var parameters: [String: String]
    /// A one-line summary of the answer (top label, first items, drift verdict).
    public var outcome: String
    public var status: Int
    public var requestID: String

    enum CodingKeys: String, CodingKey {
        case id, time, caller, role, method, route, path, model, parameters, outcome, status
        case modelVersion = "model_version"
        case inputsDigest = "inputs_digest"
        case requestID = "request_id"
    }

    /// SHA-256 of inputs given as name/value pairs (the query string of the sorted pairs), so
    /// the same inputs always give the same digest.
    static func digest(of parameters: [String: String]) -> String {
        SHA256.hex(parameters.keys.sorted().map { "\($0)=\(parameters[$0]!)" }.joined(separator: "&"))
    }

    /// The JSON line (without the newline).
    func jsonLine() -> [UInt8] {
        var w = JSONWriter(capacity: 512)
        w.beginObject()
        w.field("id", id)
        w.field("time", time)
        w.field("caller", caller)
        w.field("role", role)
        w.field("method", method)
        w.field("route", route)
        w.field("path", path)
        w.field("model", model)
        w.field("model_version", modelVersion)
        w.field("inputs_digest", inputsDigest)
        w.key("parameters")
        w.beginObject()
        for k in parameters.keys.sorted() { w.field(k, parameters[k]!) }
        w.endObject()
        w.field("outcome", outcome)
        w.field("status", status)
        w.field("request_id", requestID)
        w.endObject()
        return w.bytes
    }
}
