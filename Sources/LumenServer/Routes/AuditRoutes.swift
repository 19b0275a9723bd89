import Foundation
import Hummingbird

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
            let limit = try RequestInput.int(request, "limit", default: 1000, range: 1...10_000)
            var since: String?
            if let raw = request.uri.queryParameters.get("since") {
                guard let date = Self.parse(raw) else {
                    throw Problem.badRequest(
                        "'since' must be an RFC 3339 time such as 2026-11-22T10:00:00Z, got '\(raw)'"
                    )
                }
                since = JSONLogHandler.timestamp(date)
            }
            let path = services.audit.path
            let cutoff = since
            let page = try await services.compute.run { try AuditLog.read(path: path, since: cutoff, limit: limit) }
            return try Respond.json(
                encoding: Page(records: page.records, skippedLines: page.skippedLines, truncated: page.truncated)
            )
        }
    }

    /// RFC 3339 with or without fractional seconds, or a bare date.
    static func parse(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = withFraction.date(from: text) { return d }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let d = plain.date(from: text) { return d }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: text)
    }
}
