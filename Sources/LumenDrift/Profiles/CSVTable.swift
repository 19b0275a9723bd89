import Foundation
import LumenIO

/// A CSV file with a header row: numeric columns (every non-empty cell parses as a number) and
/// categorical ones. Quoted fields may contain commas and doubled quotes.
public struct CSVTable: Sendable {
    public let header: [String]
    public let rows: [[String]]

    public static func load(_ url: URL) throws -> CSVTable {
        let bytes = try FileBytes.read(url, limit: 4 << 30)
        return try parse(String(decoding: bytes, as: UTF8.self), path: url.path)
    }

    public static func parse(_ text: String, path: String) throws(DriftError) -> CSVTable {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? $0.dropLast() : $0
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let first = lines.first else { throw .emptySample("\(path) is empty") }
        let header = fields(first).map { $0.trimmingCharacters(in: .whitespaces) }
        var rows: [[String]] = []
        for (k, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let f = fields(line)
            guard f.count == header.count else {
                throw .badInput("\(path):\(k + 1): expected \(header.count) fields, found \(f.count)")
            }
            rows.append(f)
        }
        guard !rows.isEmpty else { throw .emptySample("\(path) has a header but no rows") }
        return CSVTable(header: header, rows: rows)
    }

    static func fields(_ line: Substring) -> [String] {
        var out: [String] = []
        var current = ""
        var quoted = false
        var chars = Array(line)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" {
                        current.append("\"")
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                out.append(current)
                current = ""
            } else {
                current.append(c)
            }
            i += 1
        }
        out.append(current)
        chars.removeAll()
        return out
    }

    /// Profiles every column (or the named ones).
    public func profiles(columns wanted: [String]? = nil, seed: UInt64 = 0) throws(DriftError) -> [ColumnProfile] {
        let names = wanted ?? header
        var result: [ColumnProfile] = []
        for name in names {
            guard let j = header.firstIndex(of: name) else {
                throw .badInput("no column '\(name)'; columns are \(header.joined(separator: ", "))")
            }
            let cells = rows.map { $0[j].trimmingCharacters(in: .whitespaces) }
            let numbers = cells.map { $0.isEmpty ? Double.nan : Double($0) }
            if numbers.allSatisfy({ $0 != nil }) {
                result.append(try ColumnProfile.numeric(name, numbers.map { $0! }, seed: seed))
            } else {
                result.append(try ColumnProfile.categorical(name, cells))
            }
        }
        return result
    }
}
