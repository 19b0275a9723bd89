import Foundation
import LumenIO
import Synchronization

/// Locates committed fixtures from any test target.
public enum Fixtures {
    /// The repository's `fixtures/` folder.
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("fixtures")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("README.md").path) {
                return candidate
            }
        }
        fatalError("fixtures/ not found above \(#filePath)")
    }()

    /// A fixture file's URL.
    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// A fixture file's bytes.
    public static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(relative)))
    }

    /// A fixture tensor.
    public static func tensor(_ relative: String) throws -> Tensor {
        try TensorFile.load(url(relative))
    }

    /// A fresh temporary folder, removed when the test process exits (`withTemporaryDirectory`
    /// removes its folder as soon as the body returns).
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        TemporaryFolders.shared.register(url)
        return url
    }

    /// Runs `body` with a fresh temporary folder and removes the folder afterwards.
    public static func withTemporaryDirectory<R>(_ body: (URL) throws -> R) throws -> R {
        let url = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url)
    }

    /// An int64 `.npy` fixture (little-endian, C order) as shape and values; nil when the file
    /// holds another type. Malformed headers throw rather than trap.
    public static func int64NPY(_ relative: String) throws -> (shape: [Int], values: [Int64])? {
        let bytes = try Self.bytes(relative)
        guard bytes.count >= 10, bytes.starts(with: [0x93] + Array("NUMPY".utf8)) else {
            throw FixtureError.malformed(relative, "not an .npy file")
        }
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        guard 10 + headerLength <= bytes.count else {
            throw FixtureError.malformed(relative, "header runs past the end")
        }
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        guard header.contains("'<i8'") else { return nil }
        guard !header.contains("'fortran_order': True"),
            let shapeText = header.components(separatedBy: "'shape': (").dropFirst().first?.components(separatedBy: ")")
                .first
        else { throw FixtureError.malformed(relative, "no C-order shape in the header") }
        let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let start = 10 + headerLength
        let count = shape.reduce(1, *)
        guard bytes.count - start == count * 8 else {
            throw FixtureError.malformed(relative, "\(bytes.count - start) data bytes for \(count) int64 values")
        }
        let values = (0..<count).map { n in
            (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[start + n * 8 + $1]) << UInt64(8 * $1) }
        }
        return (shape, values.map { Int64(bitPattern: $0) })
    }
}

/// A fixture that cannot be read as the test expects.
public enum FixtureError: Error, Equatable, CustomStringConvertible {
    case malformed(String, String)

    public var description: String {
        switch self {
        case .malformed(let file, let why): "fixture \(file): \(why)"
        }
    }
}

/// Temporary folders made by the tests, removed when the process exits.
final class TemporaryFolders: Sendable {
    static let shared: TemporaryFolders = {
        let folders = TemporaryFolders()
        atexit { TemporaryFolders.shared.removeAll() }
        return folders
    }()
    private let urls = Mutex<[URL]>([])

    func register(_ url: URL) { urls.withLock { $0.append(url) } }

    func removeAll() {
        for url in urls.withLock({ $0 }) { try? FileManager.default.removeItem(at: url) }
    }
}

/// Deterministic values in [−1, 1) from a multiplicative hash of the index and `seed`: inputs
/// for kernels whose results are compared between two paths.
public func seededValues(_ count: Int, seed: UInt64) -> [Float] {
    (0..<count).map { Float((UInt64($0) &* 2_654_435_761 &+ seed &* 40_503) % 2000) / 1000 - 1 }
}

/// Largest absolute difference between two arrays; infinity when their lengths differ, so every
/// tolerance check fails (and says why) instead of the test process trapping.
public func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    var worst: Float = 0
    for i in a.indices { worst = max(worst, abs(a[i] - b[i])) }
    return worst
}
