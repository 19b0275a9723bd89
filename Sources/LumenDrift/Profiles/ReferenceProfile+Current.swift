/// One cell of current data sent as JSON: a number, a string, or null (missing).
public enum CellValue: Sendable, Equatable, Decodable {
    case number(Double)
    case text(String)
    case missing

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .missing
        } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else {
            self = .text(try c.decode(String.self))
        }
    }

    /// The cell as a categorical value (whole numbers without a decimal point; missing is "").
    public var text: String {
        switch self {
        case .number(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case .text(let s): s
        case .missing: ""
        }
    }
}

extension ReferenceProfile {
    /// The columns of `reference` to compare: all of them, or for predictions the one named
    /// `column` (default: the last).
    public static func comparedColumns(
        of reference: ReferenceProfile,
        predictionsColumn column: String?,
        predictions: Bool
    ) throws(DriftError) -> [String] {
        let names = reference.columns.map(\.name)
        guard predictions else { return names }
        guard let chosen = column ?? names.last, names.contains(chosen) else {
            throw .badInput("the reference has no column '\(column ?? "")'")
        }
        return [chosen]
    }

    /// The current side of a features or predictions check, profiled like the reference: the
    /// `names` columns the CSV has (every value kept, no sketch, so the tests are exact).
    public static func current(
        _ table: CSVTable,
        columns names: [String]
    ) throws(DriftError) -> ReferenceProfile {
        let header = Set(table.header)
        let present = names.filter(header.contains)
        guard !present.isEmpty else {
            throw .badInput("the CSV shares no column with the reference (\(names.joined(separator: ", ")))")
        }
        return ReferenceProfile(
            kind: .features,
            source: "request",
            columns: try table.profiles(columns: present, sampleCapacity: .max, sketch: false)
        )
    }

    /// The same from JSON columns (name → cells): numeric where the reference column is numeric
    /// (a cell that is not a number is an error naming it), categorical otherwise.
    public static func current(
        _ columns: [String: [CellValue]],
        like reference: ReferenceProfile,
        columns names: [String]
    ) throws(DriftError) -> ReferenceProfile {
        var profiles: [ColumnProfile] = []
        for name in names {
            guard let values = columns[name], let ref = reference.columns.first(where: { $0.name == name }) else {
                continue
            }
            if ref.kind == .numeric {
                var numbers: [Double] = []
                numbers.reserveCapacity(values.count)
                for v in values {
                    switch v {
                    case .number(let d): numbers.append(d)
                    case .missing: numbers.append(.nan)
                    case .text(let s):
                        guard let d = Double(s) else {
                            throw .badInput("column '\(name)' is numeric in the reference; '\(s)' is not a number")
                        }
                        numbers.append(d)
                    }
                }
                profiles.append(try ColumnProfile.numeric(name, numbers))
            } else {
                profiles.append(try ColumnProfile.categorical(name, values.map(\.text)))
            }
        }
        guard !profiles.isEmpty else {
            throw .badInput("no column matches the reference (\(names.joined(separator: ", ")))")
        }
        return ReferenceProfile(kind: .features, source: "request", columns: profiles)
    }
}
