import Foundation
import LumenIO

/// Reads id lists exported beside factor matrices: one id per line (row order of the factors),
/// surrounding whitespace and a CR ignored, a final newline optional.
public enum IDListReader {
    /// Largest id file accepted: 1 GiB.
    public static let maxBytes = 1 << 30

    public static func load(_ url: URL) throws -> [String] {
        try parse(try FileBytes.read(url, limit: maxBytes), path: url.path)
    }

    /// Every line's id; an empty line, except trailing ones, is refused with its number.
    public static func parse(_ bytes: [UInt8], path: String) throws(RecsError) -> [String] {
        var ids: [String] = []
        var blank: Int?
        var number = 0
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            let id = Self.trimmed(line)
            if id.isEmpty {
                blank = blank ?? number
                continue
            }
            if let blank { throw .malformedLine(path: path, line: blank, reason: "empty id (one id per line)") }
            ids.append(id)
        }
        guard !ids.isEmpty else { throw .emptyData("\(path) lists no ids") }
        return ids
    }

    /// The line without surrounding whitespace: ASCII trimmed on the bytes (the common case, and
    /// fast for million-id files), other Unicode whitespace by Foundation.
    static func trimmed(_ line: ArraySlice<UInt8>) -> String {
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }
        var line = line
        while let b = line.first, isSpace(b) { line.removeFirst() }
        while let b = line.last, isSpace(b) { line.removeLast() }
        let text = String(decoding: line, as: UTF8.self)
        if let first = line.first, let last = line.last, first < 0x80, last < 0x80 { return text }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
