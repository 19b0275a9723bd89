import Foundation
import LumenIO

/// What a caller may do. Each role includes the ones below it.
public enum Role: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    /// Explanations: CAM heatmaps, recommendations, drift checks, feedback.
    case viewer = 1
    /// Plus per-pair rationales and the audit log.
    case auditor = 2
    /// Plus model reloads.
    case admin = 3

    public static func < (a: Role, b: Role) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .viewer: "viewer"
        case .auditor: "auditor"
        case .admin: "admin"
        }
    }

    init?(name: String) {
        guard let role = Role.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = role
    }
}

/// Who is calling: a token's name and role, or "anonymous" (admin) when authentication is off.
public struct Caller: Sendable, Equatable {
    public let name: String
    public let role: Role

    public static let anonymous = Caller(name: "anonymous", role: .admin)
}

/// Bearer tokens with roles. Tokens are kept only as SHA-256 digests and compared in constant
/// time (every stored digest is compared in full, whatever matches); they are never logged.
public struct TokenStore: Sendable {
    struct Entry: Sendable {
        let name: String
        let role: Role
        let digest: [UInt8]
    }

    private let entries: [Entry]

    /// No tokens: authentication off.
    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    /// Tokens from a file (lines "role name token"; `#` comments and blank lines ignored) and/or
    /// an inline list "role:name:token,…".
    public init(file: String? = nil, inline: String? = nil) throws(ServerError) {
        var parsed: [(role: String, name: String, token: String, origin: String)] = []
        if let file {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8)
            else {
                throw .tokens("cannot read tokens file \(file)")
            }
            for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if line.isEmpty || line.hasPrefix("#") { continue }
                let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                guard parts.count == 3 else { throw .tokens("\(file):\(n + 1): expected 'role name token'") }
                parsed.append((parts[0], parts[1], parts[2], "\(file):\(n + 1)"))
            }
        }
        if let inline, !inline.isEmpty {
            for (k, item) in inline.split(separator: ",").enumerated() {
                let parts = item.split(separator: ":", maxSplits: 2).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 3 else { throw .tokens("inline token \(k + 1): expected 'role:name:token'") }
                parsed.append((parts[0], parts[1], parts[2], "inline token \(k + 1)"))
            }
        }
        var entries: [Entry] = []
        var seen = Set<String>()
        for p in parsed {
            guard let role = Role(name: p.role) else {
                throw .tokens("\(p.origin): unknown role '\(p.role)' (viewer, auditor or admin)")
            }
            guard p.token.count >= 16 else {
                throw .tokens("\(p.origin): token for '\(p.name)' is shorter than 16 characters")
            }
            let digest = SHA256.hex(p.token)
            guard seen.insert(digest).inserted else { throw .tokens("\(p.origin): the same token is listed twice") }
            var h = SHA256()
            h.update(p.token)
            entries.append(Entry(name: p.name, role: role, digest: h.finalize()))
        }
        self.entries = entries
    }

    /// The caller holding `token`, if any.
    public func caller(for token: String) -> Caller? {
        var h = SHA256()
        h.update(token)
        let presented = h.finalize()
        var found: Int = -1
        for (k, entry) in entries.enumerated() {
            var difference: UInt8 = 0
            for i in 0..<32 { difference |= entry.digest[i] ^ presented[i] }
            // Branch-free selection: every entry is compared in full.
            let match = Int(difference == 0 ? 1 : 0)
            found = match * k + (1 - match) * found
        }
        return found >= 0 ? Caller(name: entries[found].name, role: entries[found].role) : nil
    }
}
