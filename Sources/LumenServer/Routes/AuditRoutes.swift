import Foundation
import Hummingbird
import LumenMonitoring

/// `GET /v1/audit?since=…&limit=…` (auditor): the audit trail, oldest first.
struct AuditRoutes {
    let services: LumenServices

    struct Page: Encodable {
        let records: [AuditRecord]
        let skippedLines: Int
        let truncated: Bool

        enum CodingKeys: String, CodingKey {
            case records, truncated
            case skippedLines = "skipped_lines"
        }
    }

    func add(to group: RouterGroup<LumenRequestContext>) {
        group.get("/v1/audit") { request, _ in
            let query = try Self.query(request)
            let audit = services.audit
            let page = try await services.compute.run { try audit.read(query) }
            return try Respond.json(
                encoding: Page(records: page.records, skippedLines: page.skippedLines, truncated: page.truncated)
            )
        }
    }

    /// `since`, `until` (RFC 3339), `id`, `caller`, `model`, `user`, `item` (exact), `limit`
    /// (1…10 000) and `order` (`oldest` or `newest` first).
    static func query(_ request: Request) throws -> AuditQuery {
        var query = AuditQuery(limit: try RequestInput.int(request, "limit", default: 1000, range: 1...10_000))
        let parameters = request.uri.queryParameters
        func time(_ name: String) throws -> String? {
            guard let raw = parameters.get(name) else { return nil }
            guard let date = Self.parse(raw) else {
                throw Problem.badRequest(
                    "'\(name)' must be an RFC 3339 time such as 2026-11-22T10:00:00Z, got '\(raw)'"
                )
            }
            return JSONLogHandler.timestamp(date)
        }
        query.since = try time("since")
        query.until = try time("until")
        query.id = parameters.get("id")
        query.caller = parameters.get("caller")
        query.model = parameters.get("model")
        query.user = parameters.get("user")
        query.item = parameters.get("item")
        switch parameters.get("order") ?? "oldest" {
        case "oldest": query.newestFirst = false
        case "newest": query.newestFirst = true
        case let other: throw Problem.badRequest("'order' must be 'oldest' or 'newest', got '\(other)'")
        }
        return query
    }

    /// RFC 3339 with or without fractional seconds, or a bare date.
    static func parse(_ text: String) -> Date? { WindowTime.parse(text) }
}
