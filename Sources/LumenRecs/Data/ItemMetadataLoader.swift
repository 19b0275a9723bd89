import Foundation

/// Reads item titles from MovieLens `u.item` (`|`), `movies.dat` (`::`), `movies.csv` (quoted CSV
/// with a header) or RecBole `.item` files. Bytes that are not UTF-8 (u.item is Latin-1) are
/// decoded as Latin-1.
enum ItemMetadataLoader {
    static func titles(_ bytes: [UInt8], path: String, items: IDMap) throws(RecsError) -> [String?] {
        let text = String(validating: bytes, as: UTF8.self) ?? String(bytes.map { Character(Unicode.Scalar($0)) })
        var titles = [String?](repeating: nil, count: items.count)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? $0.dropLast() : $0
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let first = lines.first else { throw .emptyData("\(path) is empty") }
        var idColumn = 0
        var titleColumn = 1
        var split: (Substring) -> [Substring] = { $0.split(separator: "|", omittingEmptySubsequences: false) }
        var start = 0
        if first.contains(":token") {
            let names = first.split(separator: "\t").map { $0.split(separator: ":")[0].lowercased() }
            idColumn = names.firstIndex(of: "item_id") ?? 0
            titleColumn = names.firstIndex { $0.contains("title") } ?? 1
            split = { $0.split(separator: "\t", omittingEmptySubsequences: false) }
            start = 1
        } else if first.contains("::") {
            split = { line in line.components(separatedBy: "::").map { Substring($0) } }
        } else if first.lowercased().hasPrefix("movieid,") || first.lowercased().hasPrefix("item_id,")
            || first.lowercased().hasPrefix("itemid,")
        {
            split = csvFields
            start = 1
        }
        for (offset, line) in lines.enumerated().dropFirst(start) where !line.isEmpty {
            let fields = split(line)
            guard fields.count > max(idColumn, titleColumn) else {
                throw .malformedLine(path: path, line: offset + 1, reason: "expected an id and a title")
            }
            if let dense = items.denseIndex(of: String(fields[idColumn])) {
                titles[Int(dense)] = String(fields[titleColumn])
            }
        }
        return titles
    }

    /// Splits one CSV line, honouring double quotes.
    static func csvFields(_ line: Substring) -> [Substring] {
        var fields: [Substring] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let c = iterator.next() {
            if c == "\"" {
                quoted.toggle()
            } else if c == "," && !quoted {
                fields.append(Substring(current))
                current = ""
            } else {
                current.append(c)
            }
        }
        fields.append(Substring(current))
        return fields
    }
}
