import Foundation
import LumenIO

/// A versioned reference kept as statistics: one `ColumnProfile` per feature (or image property,
/// or latent dimension), so training data need not be kept.
public struct ReferenceProfile: Sendable, Codable, Equatable {
    /// Format 2 adds quantile sketches, value counts and capped categories; format 1 files still load.
    public static let currentFormat = "lumen-drift-profile-2"
    public static let readableFormats: Set<String> = ["lumen-drift-profile-1", currentFormat]

    public var format: String
    /// "features", "images" or "latent".
    public var kind: ProfileKind
    public var createdAt: String
    public var source: String
    public var columns: [ColumnProfile]

    public init(kind: ProfileKind, source: String, columns: [ColumnProfile]) {
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
        try load(bytes: try FileBytes.read(url, limit: 2 << 30), path: url.path)
    }

    /// Decodes a profile already in memory (`path` names it in errors).
    public static func load(bytes: [UInt8], path: String) throws(DriftError) -> ReferenceProfile {
        guard let profile = try? JSONDecoder().decode(ReferenceProfile.self, from: Data(bytes)) else {
            throw .badProfile("\(path) is not a Lumen drift profile (malformed JSON or missing fields)")
        }
        guard readableFormats.contains(profile.format) else {
            throw .badProfile(
                "\(path) has format '\(profile.format)', expected one of \(readableFormats.sorted().joined(separator: ", "))"
            )
        }
        for column in profile.columns {
            if let problem = column.inconsistency { throw .badProfile("\(path): column '\(column.name)' \(problem)") }
        }
        return profile
    }

    /// A latent profile: one numeric column per factor dimension. Every column's reservoir is
    /// drawn with the same seed from the same number of rows, so row k of all reservoirs is the
    /// same entity and `jointSample()` gives back a multivariate sample.
    public static func factors(_ matrix: SampleMatrix, source: String) throws(DriftError) -> ReferenceProfile {
        var columns: [ColumnProfile] = []
        for j in 0..<matrix.cols {
            columns.append(try ColumnProfile.numeric("factor \(j)", matrix.column(j), seed: 7, keepRowOrder: true))
        }
        return ReferenceProfile(kind: .latent, source: source, columns: columns)
    }

    /// The rows kept in a latent profile, as a matrix (see `factors`).
    public func jointSample() throws(DriftError) -> SampleMatrix {
        guard kind == .latent, let first = columns.first?.reservoir else {
            throw .badProfile("not a latent-factor profile")
        }
        let rows = first.count
        guard columns.allSatisfy({ $0.reservoir?.count == rows }) else {
            throw .badProfile("latent columns hold samples of different sizes")
        }
        var values = [Double](repeating: 0, count: rows * columns.count)
        for (j, column) in columns.enumerated() {
            for (r, v) in column.reservoir!.enumerated() { values[r * columns.count + j] = v }
        }
        return try SampleMatrix(rows: rows, cols: columns.count, values: values)
    }

    /// True when the path names a profile (profiles are `.json`; raw data is CSV or a folder).
    /// `load` then checks the format tag.
    public static func isProfile(_ url: URL) -> Bool {
        url.pathExtension.lowercased() == "json"
    }
}
