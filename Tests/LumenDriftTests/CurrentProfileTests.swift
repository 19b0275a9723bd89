import Foundation
import Testing

@testable import LumenDrift

@Suite("Current data profiled like the reference")
struct CurrentProfileTests {
    static let reference = ReferenceProfile(
        kind: .features,
        source: "test",
        columns: [
            try! ColumnProfile.numeric("age", [30, 41, 52, 28]),
            try! ColumnProfile.categorical("plan", ["basic", "pro", "basic", "pro"]),
            try! ColumnProfile.numeric("score", [0.1, 0.4, 0.9, 0.5]),
        ]
    )

    @Test("JSON columns and the same CSV give the same profile") func jsonColumnsAndTheSameCSVGiveTheSameProfile()
        throws
    {
        let cells: [String: [CellValue]] = [
            "age": [.number(33), .text("45"), .missing], "plan": [.text("pro"), .number(2), .text("basic")],
        ]
        let names = try ReferenceProfile.comparedColumns(of: Self.reference, predictionsColumn: nil, predictions: false)
        let fromJSON = try ReferenceProfile.current(cells, like: Self.reference, columns: names)
        let csv = "age,plan\n33,pro\n45,2\n,basic\n"
        let fromCSV = try ReferenceProfile.current(
            try CSVTable(bytes: Array(csv.utf8), path: "t.csv"),
            columns: names
        )
        #expect(fromJSON.columns.map(\.name) == ["age", "plan"])
        #expect(fromJSON.columns.map(\.name) == fromCSV.columns.map(\.name))
        #expect(fromJSON.columns[0].count == fromCSV.columns[0].count)
        #expect(fromJSON.columns[0].missing == 1 && fromCSV.columns[0].missing == 1)
        #expect(fromJSON.columns[0].quantiles == fromCSV.columns[0].quantiles)
        #expect(fromJSON.columns[1].categories == ["pro": 1, "2": 1, "basic": 1])
        #expect(fromJSON.columns[1].categories == fromCSV.columns[1].categories)
    }

    @Test("a word in a numeric column or no shared column is an error naming it")
    func aWordInANumericColumnOrNoSharedColumnIsAnErrorNamingIt() throws {
        let names = ["age", "plan", "score"]
        #expect(
            throws: DriftError.badInput("column 'age' is numeric in the reference; 'old' is not a number")
        ) { try ReferenceProfile.current(["age": [.text("old")]], like: Self.reference, columns: names) }
        #expect(throws: DriftError.badInput("no column matches the reference (age, plan, score)")) {
            try ReferenceProfile.current(["height": [.number(1)]], like: Self.reference, columns: names)
        }
        #expect(throws: DriftError.badInput("the CSV shares no column with the reference (age, plan, score)")) {
            try ReferenceProfile.current(try CSVTable(bytes: Array("x\n1\n".utf8), path: "t.csv"), columns: names)
        }
    }

    @Test("predictions compare one column the last by default") func predictionsCompareOneColumnTheLastByDefault()
        throws
    {
        #expect(
            try ReferenceProfile.comparedColumns(of: Self.reference, predictionsColumn: nil, predictions: true)
                == ["score"]
        )
        #expect(
            try ReferenceProfile.comparedColumns(of: Self.reference, predictionsColumn: "age", predictions: true)
                == ["age"]
        )
        #expect(throws: DriftError.self) {
            try ReferenceProfile.comparedColumns(of: Self.reference, predictionsColumn: "nope", predictions: true)
        }
    }
}
