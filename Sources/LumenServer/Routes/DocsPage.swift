import Foundation

/// The small page `GET /` serves: every operation of the embedded OpenAPI document with its
/// summary, and a link to the document itself. No scripts, no network.
enum DocsPage {
    /// One row per operation, read from the document's plain two-space layout.
    struct Operation: Equatable {
        let method: String
        let path: String
        let summary: String
    }

    static func operations(in yaml: String) -> [Operation] {
        var result: [Operation] = []
        var inPaths = false
        var path: String?
        var method: String?
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" {
                inPaths = true
                continue
            }
            guard inPaths else { continue }
            if !line.hasPrefix(" "), !line.isEmpty { break }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if let m = ["get", "post", "put", "delete", "patch"].first(where: { line == "    \($0):" }) {
                method = m.uppercased()
            } else if line.hasPrefix("      summary: "), let path, let m = method {
                result.append(
                    Operation(method: m, path: path, summary: String(line.dropFirst("      summary: ".count)))
                )
                method = nil
            }
        }
        return result
    }

    static let html: String = {
        let rows = operations(in: OpenAPIDocument.yaml).map { op in
            "<tr><td><code>\(op.method)</code></td><td><code>\(escape(op.path))</code></td><td>\(escape(op.summary))</td></tr>"
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Lumen API</title>
            <style>body{font:14px/1.5 system-ui,sans-serif;margin:2em;max-width:70em}td{padding:2px 10px;vertical-align:top}
            tr:nth-child(even){background:#f4f4f5}code{font-size:13px}</style></head><body>
            <h1>Lumen API</h1>
            <p>The full contract is <a href="/openapi.yaml">/openapi.yaml</a>. Routes other than the probes,
            <code>/metrics</code>, this page and the document need <code>Authorization: Bearer &lt;token&gt;</code>
            when the server has tokens; errors are RFC 9457 problem+json.</p>
            <table><tr><th>method</th><th>path</th><th>what</th></tr>
            \(rows.joined(separator: "\n"))
            </table></body></html>
            """
    }()

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
