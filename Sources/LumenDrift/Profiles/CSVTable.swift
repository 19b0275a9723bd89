import Foundation
import LumenIO

/// How a CSV file is written: its delimiter and the cells that mean "no value".
public struct CSVOptions: Sendable, Equatable {
    /// The cells read as missing by default (as pandas' common ones): empty, NA, N/A, null, NaN.
    public static let defaultMissingValues = ["", "NA", "N/A", "null", "NaN"]

    /// The field separator (one ASCII byte; `,` by default, `\t` for TSV, `;` as Excel writes in some locales).
    public var delimiter: UInt8
    /// Cells (after trimming spaces) that count as missing rather than as a value.
    public var missingValues: Set<String>

    public init(delimiter: UInt8 = UInt8(ascii: ","), missingValues: [String] = CSVOptions.defaultMissingValues) {
        self.delimiter = delimiter
        self.missingValues = Set(missingValues)
    }
}

/// A CSV file with a header row (RFC 4180: quoted fields may hold delimiters, doubled quotes and line breaks;
/// LF, CRLF or CR line ends; a UTF-8 byte-order mark is skipped; blank lines are skipped). The file is scanned
/// once at the byte level into field offsets; columns are then parsed on demand, in parallel, without a
/// `String` per numeric cell (`CSVTable+Columns.swift`).
public struct CSVTable: Sendable {
    public let header: [String]
    public let rowCount: Int
    public let options: CSVOptions
    let path: String
    let bytes: [UInt8]
    /// Field `k` of row `r` is `bytes[starts[i] ..< ends[i]]` with `i = r · columns + k`; a quoted field's span
    /// excludes its quotes, and `quoted[i]` says doubled quotes inside it must be unescaped.
    let starts: [Int]
    let ends: [Int]
    let quoted: [Bool]
    /// The physical line (1-based) each row starts on, for error messages.
    let lines: [Int]

    /// Reads and scans a CSV file (at most 4 GiB).
    public static func load(_ url: URL, options: CSVOptions = CSVOptions()) throws -> CSVTable {
        try CSVTable(bytes: try FileBytes.read(url, limit: 4 << 30), path: url.path, options: options)
    }

    /// Scans CSV text already in memory (`path` names it in errors).
    public static func parse(
        _ text: String,
        path: String,
        options: CSVOptions = CSVOptions()
    ) throws(DriftError)
        -> CSVTable
    {
        try CSVTable(bytes: Array(text.utf8), path: path, options: options)
    }

    /// Scans CSV bytes (`path` names them in errors).
    public init(bytes: [UInt8], path: String, options: CSVOptions = CSVOptions()) throws(DriftError) {
        var scanner = CSVScanner(bytes: bytes, delimiter: options.delimiter, path: path)
        guard let headerRow = try scanner.nextRow() else { throw .emptySample("\(path) is empty") }
        let names = headerRow.fields.map { field in
            String(decoding: CSVScanner.unescaped(bytes, field), as: UTF8.self).trimmingCharacters(in: .whitespaces)
        }
        var seen: [String: Int] = [:]
        for (k, name) in names.enumerated() {
            if let first = seen[name] {
                throw .badInput("\(path): columns \(first + 1) and \(k + 1) are both named '\(name)'")
            }
            seen[name] = k
        }
        var starts: [Int] = []
        var ends: [Int] = []
        var quoted: [Bool] = []
        var lines: [Int] = []
        while let row = try scanner.nextRow() {
            guard row.fields.count == names.count else {
                throw .badInput("\(path):\(row.line): expected \(names.count) fields, found \(row.fields.count)")
            }
            for field in row.fields {
                starts.append(field.start)
                ends.append(field.end)
                quoted.append(field.quoted)
            }
            lines.append(row.line)
        }
        guard !lines.isEmpty else { throw .emptySample("\(path) has a header but no rows") }
        header = names
        rowCount = lines.count
        self.options = options
        self.path = path
        self.bytes = bytes
        self.starts = starts
        self.ends = ends
        self.quoted = quoted
        self.lines = lines
    }

    /// The index of a column by name.
    public func columnIndex(_ name: String) throws(DriftError) -> Int {
        guard let j = header.firstIndex(of: name) else { throw .badInput(missingColumn(name)) }
        return j
    }

    func missingColumn(_ name: String) -> String {
        let shown =
            header.prefix(20).joined(separator: ", ") + (header.count > 20 ? ", … (\(header.count) in all)" : "")
        return "no column '\(name)' in \(path); columns are \(shown)"
    }

    /// One cell as text (quotes removed, spaces trimmed).
    public func cell(row: Int, column: Int) -> String {
        let i = row * header.count + column
        let field = CSVScanner.Field(start: starts[i], end: ends[i], quoted: quoted[i])
        return String(decoding: CSVScanner.unescaped(bytes, field), as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }

    /// Every row as text; for small tables and tests (the drift paths read columns instead).
    public var rows: [[String]] {
        (0..<rowCount).map { r in (0..<header.count).map { cell(row: r, column: $0) } }
    }
}

/// The byte-level CSV state machine behind `CSVTable`.
struct CSVScanner {
    struct Field {
        var start: Int
        var end: Int
        var quoted: Bool
    }

    let bytes: [UInt8]
    let delimiter: UInt8
    let path: String
    var position = 0
    var line = 1

    init(bytes: [UInt8], delimiter: UInt8, path: String) {
        self.bytes = bytes
        self.delimiter = delimiter
        self.path = path
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    static let quote = UInt8(ascii: "\"")
    static let lf = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")

    /// The next non-blank row and the line it starts on, or nil at the end.
    mutating func nextRow() throws(DriftError) -> (fields: [Field], line: Int)? {
        while position < bytes.count {
            let startLine = line
            if endOfLine() { continue }  // a blank line
            var fields: [Field] = []
            while true {
                fields.append(try nextField())
                if position >= bytes.count { break }
                if bytes[position] == delimiter {
                    position += 1
                    if position >= bytes.count { fields.append(Field(start: position, end: position, quoted: false)) }
                    continue
                }
                _ = endOfLine()
                break
            }
            return (fields, startLine)
        }
        return nil
    }

    /// Consumes one line end (LF, CRLF or CR) if one is here.
    mutating func endOfLine() -> Bool {
        guard position < bytes.count else { return false }
        if bytes[position] == Self.lf {
            position += 1
        } else if bytes[position] == Self.cr {
            position += 1
            if position < bytes.count && bytes[position] == Self.lf { position += 1 }
        } else {
            return false
        }
        line += 1
        return true
    }

    mutating func nextField() throws(DriftError) -> Field {
        let start = position
        // Spaces before an opening quote are allowed ( "a", "b" as some writers emit).
        var probe = position
        while probe < bytes.count && bytes[probe] == UInt8(ascii: " ") { probe += 1 }
        if probe < bytes.count && bytes[probe] == Self.quote {
            let openedOn = line
            position = probe + 1
            let contentStart = position
            while true {
                guard position < bytes.count else {
                    throw .badInput("\(path):\(openedOn): a quoted field is never closed")
                }
                let b = bytes[position]
                if b == Self.quote {
                    if position + 1 < bytes.count && bytes[position + 1] == Self.quote {
                        position += 2
                        continue
                    }
                    break
                }
                if b == Self.lf || (b == Self.cr && !(position + 1 < bytes.count && bytes[position + 1] == Self.lf)) {
                    line += 1
                }
                position += 1
            }
            let contentEnd = position
            position += 1
            while position < bytes.count && bytes[position] == UInt8(ascii: " ") { position += 1 }
            if position < bytes.count && bytes[position] != delimiter && bytes[position] != Self.lf
                && bytes[position] != Self.cr
            {
                throw .badInput("\(path):\(line): text after the closing quote of a field")
            }
            return Field(start: contentStart, end: contentEnd, quoted: true)
        }
        while position < bytes.count {
            let b = bytes[position]
            if b == delimiter || b == Self.lf || b == Self.cr { break }
            position += 1
        }
        return Field(start: start, end: position, quoted: false)
    }

    /// A field's bytes with doubled quotes undone.
    static func unescaped(_ bytes: [UInt8], _ field: Field) -> ArraySlice<UInt8> {
        let slice = bytes[field.start..<field.end]
        guard field.quoted, slice.contains(quote) else { return slice }
        var out: [UInt8] = []
        out.reserveCapacity(slice.count)
        var skip = false
        for b in slice {
            if skip {
                skip = false
                continue
            }
            out.append(b)
            if b == quote { skip = true }
        }
        return out[...]
    }
}
