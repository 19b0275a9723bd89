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
            guard let id = names.firstIndex(of: "item_id"),
                let title = names.firstIndex(where: { $0.contains("title") })
            else {
                throw .badMetadata(
                    path: path,
                    reason:
                        "an item file needs item_id and a title column; this one has \(names.joined(separator: ", "))"
                )
            }
            (idColumn, titleColumn) = (id, title)
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
        var rows = 0
        var unknown = 0
        var numeric = 0
        for (offset, line) in lines.enumerated().dropFirst(start) where !line.isEmpty {
            let fields = split(line)
            guard fields.count > max(idColumn, titleColumn) else {
                throw .malformedLine(path: path, line: offset + 1, reason: "expected an id and a title")
            }
            rows += 1
            if let dense = items.denseIndex(of: String(fields[idColumn])) {
                let title = String(fields[titleColumn])
                if Double(title.trimmingCharacters(in: .whitespaces)) != nil { numeric += 1 }
                titles[Int(dense)] = title
            } else {
                unknown += 1
            }
        }
        try check(path: path, rows: rows, unknown: unknown, numeric: numeric, items: items.count)
        return titles
    }

    /// Refuses a file that is not this data's item metadata: it names none of the rated items,
    /// or over 90 % of its ids are not rated items while most rated items go untitled (a catalogue
    /// larger than the ratings is fine), or the "titles" of the items it names are numbers (a
    /// user file's ages, say).
    static func check(path: String, rows: Int, unknown: Int, numeric: Int, items: Int) throws(RecsError) {
        guard rows > 0 else { throw .badMetadata(path: path, reason: "no item lines") }
        let matched = rows - unknown
        if matched == 0 || (matched * 10 < rows && matched * 2 < items) {
            throw .badMetadata(
                path: path,
                reason:
                    "\(unknown) of its \(rows) ids are not items of the ratings, and it titles \(matched) of the \(items) rated items; is it the item file of this data set?"
            )
        }
        if matched > 0, numeric * 10 > matched * 9 {
            throw .badMetadata(
                path: path,
                reason:
                    "the titles of \(numeric) of its \(matched) items are numbers; is it the item file (not the user file)?"
            )
        }
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
