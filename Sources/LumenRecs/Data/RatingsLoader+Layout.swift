import Foundation

extension RatingsLoader {
    /// Column positions and separator of a ratings file.
    struct Layout {
        enum Separator { case tab, whitespace, comma, doubleColon }
        var separator: Separator
        var hasHeader: Bool
        var user = 0, item = 1, rating = 2
        var timestamp: Int? = 3

        static func detect(
            firstLine: ArraySlice<UInt8>,
            path: String,
            implicit: Bool = false
        ) throws(RecsError) -> Layout {
            let text = String(decoding: firstLine, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.contains("::") { return Layout(separator: .doubleColon, hasHeader: false) }
            if text.contains(":token") || text.contains(":float") {
                // The name before the type (`user_id:token`); a field may be just ":" or empty.
                let names = text.split(separator: "\t").map { String($0.prefix { $0 != ":" }).lowercased() }
                return try named(names, separator: .tab, path: path, implicit: implicit)
            }
            if text.contains(",") {
                let names = text.split(separator: ",", omittingEmptySubsequences: false).map {
                    $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")).lowercased()
                }
                if Number.parseDouble(ArraySlice(names[0].utf8)) == nil {
                    return try named(names, separator: .comma, path: path, implicit: implicit)
                }
                return Layout(separator: .comma, hasHeader: false)
            }
            let fields = text.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard fields.count >= (implicit ? 2 : 3) else { throw .unknownFormat(path: path) }
            return Layout(separator: text.contains("\t") ? .tab : .whitespace, hasHeader: false)
        }

        static func named(
            _ names: [String],
            separator: Separator,
            path: String,
            implicit: Bool = false
        ) throws(RecsError) -> Layout {
            func column(_ candidates: [String]) -> Int? {
                names.firstIndex { name in candidates.contains(where: { name == $0 || name.hasPrefix($0) }) }
            }
            guard let user = column(["user_id", "userid", "user"]),
                let item = column(["item_id", "itemid", "movie_id", "movieid", "item", "movie"]),
                let rating = column(["rating", "score", "weight", "count", "plays"]) ?? (implicit ? names.count : nil)
            else {
                throw .malformedLine(path: path, line: 1, reason: "header lacks user, item or rating columns: \(names)")
            }
            return Layout(
                separator: separator,
                hasHeader: true,
                user: user,
                item: item,
                rating: rating,
                timestamp: column(["timestamp", "time"])
            )
        }

        /// The line's fields, written into `fields` (reused across lines: one allocation per file,
        /// not per line).
        func split(_ line: ArraySlice<UInt8>, into fields: inout [ArraySlice<UInt8>]) {
            fields.removeAll(keepingCapacity: true)
            var line = line
            while let last = line.last, last == 0x0D || last == 0x20 { line.removeLast() }
            var start = line.startIndex
            var i = line.startIndex
            switch separator {
            case .tab, .comma:
                let mark: UInt8 = separator == .tab ? 0x09 : 0x2C
                while i < line.endIndex {
                    if line[i] == mark {
                        fields.append(line[start..<i])
                        start = i + 1
                    }
                    i += 1
                }
                fields.append(line[start..<line.endIndex])
            case .whitespace:
                while i < line.endIndex {
                    if line[i] == 0x20 || line[i] == 0x09 {
                        if start < i { fields.append(line[start..<i]) }
                        start = i + 1
                    }
                    i += 1
                }
                if start < line.endIndex { fields.append(line[start..<line.endIndex]) }
            case .doubleColon:
                while i < line.endIndex {
                    if line[i] == 0x3A, i + 1 < line.endIndex, line[i + 1] == 0x3A {
                        fields.append(line[start..<i])
                        i += 2
                        start = i
                    } else {
                        i += 1
                    }
                }
                fields.append(line[start..<line.endIndex])
            }
        }
    }
}
