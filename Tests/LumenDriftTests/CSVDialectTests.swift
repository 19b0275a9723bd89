import Foundation
import LumenNumerics
import Testing

@testable import LumenDrift

/// What other tools write: CRLF (Python's csv module, Excel), a byte-order mark, quoted line breaks, `NA` for
/// missing values, other delimiters — and the files a reader must refuse.
@Suite("CSV dialects and bad CSV")
struct CSVDialectTests {
    static func table(_ text: String, _ options: CSVOptions = CSVOptions()) throws -> CSVTable {
        try CSVTable.parse(text, path: "t.csv", options: options)
    }

    /// The case of a refusal, or nil when the body did not throw a `DriftError`.
    static func refusal(_ body: () throws -> Void) -> DriftError? {
        do {
            try body()
            return nil
        } catch let error as DriftError {
            return error
        } catch {
            return nil
        }
    }

    static func isBadInput(_ error: DriftError?) -> Bool {
        if case .badInput = error { true } else { false }
    }

    @Test("a random table written with LF, CRLF or CR line ends, a BOM, quoting or not, reads back cell for cell")
    func roundTrip() throws {
        var g = SeededGenerator(seed: 4180)
        for trial in 0..<60 {
            let columns = 1 + g.nextIndex(5)
            let rows = 1 + g.nextIndex(30)
            let alphabet = Array("ab ,\"\n;x1.-")
            let cells = (0..<(rows + 1)).map { r in
                (0..<columns).map { c -> String in
                    if r == 0 { return "col\(c)" }  // header names are unique
                    let length = 1 + g.nextIndex(6)
                    return String((0..<length).map { _ in alphabet[g.nextIndex(alphabet.count)] })
                        .trimmingCharacters(in: .whitespaces)
                }
            }
            let delimiter: Character = trial % 3 == 0 ? ";" : ","
            let end = ["\n", "\r\n", "\r"][trial % 3]
            let text =
                (trial % 2 == 0 ? "\u{FEFF}" : "")
                + cells.map { row in
                    row.map { cell in
                        let quote =
                            cell.contains(delimiter) || cell.contains("\"") || cell.contains("\n")
                            || cell.isEmpty || trial % 4 == 1
                        return quote ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
                    }.joined(separator: String(delimiter))
                }.joined(separator: end) + (trial % 5 == 0 ? "" : end)
            let table = try Self.table(text, CSVOptions(delimiter: delimiter.asciiValue!))
            #expect(table.header == cells[0], "trial \(trial)")
            #expect(table.rows == Array(cells.dropFirst()), "trial \(trial)")
        }
    }

    @Test("CRLF, a BOM and NA/N/A/null cells give the same numeric profile as the plain file")
    func commonDialects() throws {
        let plain = try Self.table("age,city\n31,Oslo\n,Rome\n45,Oslo\n").profiles()
        let excel = try Self.table("\u{FEFF}age,city\r\n31,Oslo\r\nNA,Rome\r\n45,Oslo\r\n").profiles()
        #expect(excel == plain)
        #expect(excel[0].name == "age" && excel[0].kind == .numeric && excel[0].missing == 1)
        let nulls = try Self.table("age\n31\nnull\nN/A\nNaN\n45\n").profiles()
        #expect(nulls[0].kind == .numeric && nulls[0].count == 2 && nulls[0].missing == 3)
        let custom = try Self.table("age\n31\n-\n45\n", CSVOptions(missingValues: ["-"])).profiles()
        #expect(custom[0].kind == .numeric && custom[0].missing == 1)
        let tsv = try Self.table("a\tb\n1\t\"x\ty\"\n", CSVOptions(delimiter: 9))
        #expect(tsv.rows == [["1", "x\ty"]])
    }

    @Test("duplicate names, unterminated quotes, text after a quote, ragged rows, 1e400 and mixed types are refused")
    func refusals() {
        #expect(Self.isBadInput(Self.refusal { _ = try Self.table("a,b,a\n1,2,3\n") }))
        #expect(Self.isBadInput(Self.refusal { _ = try Self.table("a,b\n1,\"open\n2,3\n") }))
        #expect(Self.isBadInput(Self.refusal { _ = try Self.table("a,b\n\"x\"y,2\n") }))
        #expect(Self.isBadInput(Self.refusal { _ = try Self.table("a,b\n1,2\n3\n") }))
        #expect(Self.isBadInput(Self.refusal { _ = try Self.table("a\n1\n1e400\n").profiles() }))
        let mixed = (0..<20).map { "\($0)" } + ["oops"]
        #expect(Self.isBadInput(Self.refusal { _ = try Self.table("a\n" + mixed.joined(separator: "\n")).profiles() }))
        if case .emptySample = Self.refusal({ _ = try Self.table("a,b\r\n") }) {} else { Issue.record("header only") }
        if case .emptySample = Self.refusal({ _ = try Self.table("") }) {} else { Issue.record("empty file") }
    }

    @Test("a column of mostly text with a few numbers is categorical, not an error")
    func mostlyText() throws {
        let profile = try Self.table("code\nA1\nB2\n12\nC3\n").profiles()
        #expect(profile[0].kind == .categorical && profile[0].categories?["12"] == 1)
    }

    @Test("raw data is tested on every row: 150 000 rows are not cut to a sample")
    func noSilentSampling() throws {
        var g = SeededGenerator(seed: 9)
        let text = "x\n" + (0..<150_000).map { _ in String(g.nextGaussian()) }.joined(separator: "\n")
        let table = try Self.table(text)
        let all = try table.profiles(sampleCapacity: .max)
        #expect(all[0].reservoir?.count == 150_000)
        let kept = try table.profiles()
        let drift = try ColumnComparison.compare(kept[0], all[0])
        #expect(drift.sampled && drift.referenceTested == ColumnProfile.reservoirCapacity)
        let report = DriftReport(kind: .features, reference: "r", current: "c", features: [drift])
        #expect(report.summary.contains("sample"))
    }

    @Test("a profile's per-column samples cannot be zipped back into the table's rows")
    func samplesAreNotRows() throws {
        let text = "a,b\n" + (0..<500).map { "\($0),\(1000 - 3 * $0)" }.joined(separator: "\n")
        for capacity in [ColumnProfile.reservoirCapacity, 100] {
            let profiles = try Self.table(text).profiles(sampleCapacity: capacity)
            let a = try #require(profiles[0].reservoir)
            let b = try #require(profiles[1].reservoir)
            let rows = Set((0..<500).map { "\($0),\(1000 - 3 * $0)" })
            let rebuilt = zip(a, b).filter { rows.contains("\(Int($0.0)),\(Int($0.1))") }.count
            #expect(rebuilt <= 1, "capacity \(capacity): \(rebuilt) rows rebuilt from the samples")
        }
    }
}
