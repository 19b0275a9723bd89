import Foundation
import LumenIO

/// A versioned reference kept as statistics: one `ColumnProfile` per feature (or image property,
/// or latent dimension), so training data need not be kept.
public struct ReferenceProfile: Sendable, Codable, Equatable {
    public static let currentFormat = "lumen-drift-profile-1"

    public var format: String
    /// "features", "images" or "latent".
    public var kind: String
    public var createdAt: String
    public var source: String
    public var columns: [ColumnProfile]

    public init(kind: String, source: String, columns: [ColumnProfile]) {
        format = Self.currentFormat
        self.kind = kind
        createdAt = ISO8601DateFormatter().string(from: Date())
        self.source = source
        self.columns = columns
    }

    enum CodingKeys: String, CodingKey {
        case format, kind, source, columns
        case createdAt = "created_at"
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write([UInt8](try encoder.encode(self)), to: url)
    }

    public static func load(_ url: URL) throws -> ReferenceProfile {
        let bytes = try FileBytes.read(url, limit: 2 << 30)
        guard let profile = try? JSONDecoder().decode(ReferenceProfile.self, from: Data(bytes)) else {
            throw DriftError.badProfile("\(url.path) is not a Lumen drift profile (malformed JSON or missing fields)")
        }
        guard profile.format == currentFormat else {
            throw DriftError.badProfile("\(url.path) has format '\(profile.format)', expected '\(currentFormat)'")
        }
        return profile
    }

    /// True when the path names a profile (profiles are `.json`; raw data is CSV or a folder).
    /// `load` then checks the format tag.
    public static func isProfile(_ url: URL) -> Bool {
        url.pathExtension.lowercased() == "json"
    }
}
