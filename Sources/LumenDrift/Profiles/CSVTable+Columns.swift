import Foundation
import LumenNumerics

/// One CSV column read for drift: numbers (missing cells dropped and counted), or category labels.
public enum CSVColumn: Sendable, Equatable {
    case numeric(values: [Double], missing: Int)
    case categorical(values: [String], missing: Int)
}

extension CSVTable {
    /// Rows per parallel parsing task.
    static let chunkRows = 32_768

    /// Parses the named columns (all by default) in parallel: a column is numeric when every cell that is not a
    /// missing value is a decimal number, categorical when most of them are text. A column of mostly numbers with
    /// some text, or a number beyond a double's range (`1e400`), is refused naming the first such cell.
    public func columns(_ wanted: [String]? = nil) throws(DriftError) -> [(name: String, column: CSVColumn)] {
        let indices: [Int]
        if let wanted {
            let byName = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            indices = try wanted.map { name throws(DriftError) in
                guard let j = byName[name] else { throw .badInput(missingColumn(name)) }
                return j
            }
        } else {
            indices = Array(header.indices)
        }
        let chunks = Parallel.ranges(rowCount, parts: max(1, (rowCount + Self.chunkRows - 1) / Self.chunkRows))
        let missing = Set(options.missingValues.map { Array($0.utf8) })
        // One task per (column, chunk of rows).
        let tasks = indices.flatMap { j in chunks.map { (j, $0) } }
        let parsed = Parallel.map(tasks.count) { t in parse(column: tasks[t].0, rows: tasks[t].1, missing: missing) }
        var out: [(name: String, column: CSVColumn)] = []
        for (k, j) in indices.enumerated() {
            let parts = parsed[(k * chunks.count)..<((k + 1) * chunks.count)]
            out.append((header[j], try assemble(column: j, Array(parts))))
        }
        return out
    }

    /// What one chunk of one column holds: its numbers, the first cell that is not a number, the first number out
    /// of range, and how many cells of each kind.
    struct ChunkParse: Sendable {
        var numbers: [Double] = []
        var missing = 0
        var text = 0
        var firstText: Int?
        var firstOverflow: Int?
    }

    func parse(column j: Int, rows: Range<Int>, missing: Set<[UInt8]>) -> ChunkParse {
        let longestMissing = missing.map(\.count).max() ?? -1
        var result = ChunkParse()
        result.numbers.reserveCapacity(rows.count)
        let width = header.count
        bytes.withUnsafeBufferPointer { all in
            for r in rows {
                let i = r * width + j
                var lo = starts[i]
                var hi = ends[i]
                while lo < hi && (all[lo] == 0x20 || all[lo] == 0x09) { lo += 1 }
                while hi > lo && (all[hi - 1] == 0x20 || all[hi - 1] == 0x09) { hi -= 1 }
                let cell = UnsafeBufferPointer(rebasing: all[lo..<hi])
                if let x = Self.number(cell) {
                    if !x.isFinite { result.firstOverflow = result.firstOverflow ?? r }
                    result.numbers.append(x)
                } else if cell.count <= longestMissing && missing.contains(Array(cell)) {
                    result.missing += 1
                } else {
                    result.text += 1
                    if result.firstText == nil { result.firstText = r }
                }
            }
        }
        return result
    }

    func assemble(column j: Int, _ parts: [ChunkParse]) throws(DriftError) -> CSVColumn {
        let text = parts.reduce(0) { $0 + $1.text }
        let numbers = parts.reduce(0) { $0 + $1.numbers.count }
        let missing = parts.reduce(0) { $0 + $1.missing }
        if text == 0 {
            if let r = parts.compactMap(\.firstOverflow).first {
                throw .badInput(
                    "\(path):\(lines[r]): '\(cell(row: r, column: j))' in column '\(header[j])' is beyond the range of a double"
                )
            }
            return .numeric(values: parts.flatMap(\.numbers), missing: missing)
        }
        if numbers >= text, let r = parts.compactMap(\.firstText).first {
            throw .badInput(
                "\(path):\(lines[r]): column '\(header[j])' holds numbers and text ('\(cell(row: r, column: j))'); "
                    + "list what stands for a missing value with --na-values, or fix the file"
            )
        }
        var labels: [String] = []
        labels.reserveCapacity(rowCount - missing)
        let missingValues = options.missingValues
        for r in 0..<rowCount {
            let value = cell(row: r, column: j)
            if !missingValues.contains(value) { labels.append(value) }
        }
        return .categorical(values: labels, missing: missing)
    }

    /// A decimal number (`-1.5`, `2e-3`, `+.5`) read with the C library, or nil for anything else (text, hex,
    /// `inf`); a number whose magnitude overflows comes back infinite.
    static func number(_ cell: UnsafeBufferPointer<UInt8>) -> Double? {
        guard !cell.isEmpty, cell.count < 64 else { return nil }
        var digits = false
        for b in cell {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits = true
            case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): break
            default: return nil
            }
        }
        guard digits else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: cell.count + 1) { buffer in
            for (k, b) in cell.enumerated() { buffer[k] = CChar(bitPattern: b) }
            buffer[cell.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &end)
            guard let end, end - buffer.baseAddress! == cell.count else { return nil }
            return value
        }
    }

    /// Profiles every column (or the named ones); `sampleCapacity` bounds the values a numeric profile keeps (0:
    /// none, statistics and the sketch only); `sketch` builds the quantile sketch (not needed when all values are
    /// kept for a comparison in memory).
    public func profiles(
        columns wanted: [String]? = nil,
        seed: UInt64 = 0,
        sampleCapacity: Int = ColumnProfile.reservoirCapacity,
        sketch: Bool = true
    ) throws(DriftError) -> [ColumnProfile] {
        let parsed = try columns(wanted)
        let built = Parallel.map(parsed.count) { k -> Result<ColumnProfile, DriftError> in
            let (name, column) = parsed[k]
            switch column {
            case .numeric(let values, let missing):
                return Result { () throws(DriftError) in
                    var profile = try ColumnProfile.numeric(
                        name,
                        values,
                        seed: seed,
                        capacity: sampleCapacity,
                        sketch: sketch
                    )
                    profile.missing = missing
                    return profile
                }
            case .categorical(let values, let missing):
                return Result { () throws(DriftError) in
                    var profile = try ColumnProfile.categorical(name, values)
                    profile.missing = missing
                    return profile
                }
            }
        }
        var profiles: [ColumnProfile] = []
        for result in built { profiles.append(try result.get()) }
        return profiles
    }
}
