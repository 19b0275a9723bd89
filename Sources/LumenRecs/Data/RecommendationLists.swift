import Foundation
import LumenIO

/// Top-n lists produced by any system, read from CSV or TSV: a header naming `user` and `item`
/// columns (`user_id`, `item_id`, `movie_id` too) and optionally `rank` or `score`. Lists are
/// ordered by rank, else by descending score, else by line order.
public enum RecommendationLists {
    /// Largest lists file accepted: 2 GiB.
    public static let maxBytes = 2 << 30

    public static func load(_ url: URL, users: IDMap, items: IDMap) throws -> [[Int]?] {
        try parse(try FileBytes.read(url, limit: maxBytes), path: url.path, users: users, items: items)
    }

    /// One list per dense user index (nil: no list for that user). A user or item the model does
    /// not know, a repeated (user, item) pair or an unreadable rank is refused with its line.
    public static func parse(_ bytes: [UInt8], path: String, users: IDMap, items: IDMap) throws(RecsError) -> [[Int]?] {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().lazy
            .map { ($0 + 1, $1.trimmingCharacters(in: .whitespacesAndNewlines)) }
            .filter { !$0.1.isEmpty }
            .makeIterator()
        guard let (headerLine, header) = lines.next() else { throw .emptyData("\(path) is empty") }
        let separator: Character = header.contains("\t") ? "\t" : ","
        let names = header.split(separator: separator, omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")).lowercased()
        }
        func column(_ candidates: [String]) -> Int? { names.firstIndex { candidates.contains($0) } }
        guard let userColumn = column(["user", "user_id", "userid"]),
            let itemColumn = column(["item", "item_id", "itemid", "movie_id", "movieid"])
        else {
            throw .malformedLine(
                path: path,
                line: headerLine,
                reason: "the header must name a user and an item column (e.g. user,item,rank)"
            )
        }
        let rankColumn = column(["rank", "position"])
        let scoreColumn = column(["score", "prediction"])
        var entries = [[(key: Double, line: Int, item: Int)]](repeating: [], count: users.count)
        var seen = Set<UInt64>()
        while let (number, line) = lines.next() {
            func fail(_ reason: String) -> RecsError { .malformedLine(path: path, line: number, reason: reason) }
            let fields = line.split(separator: separator, omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
            }
            let needed = [userColumn, itemColumn, rankColumn ?? 0, scoreColumn ?? 0].max()!
            guard fields.count > needed else { throw fail("expected \(needed + 1) fields, found \(fields.count)") }
            guard let u = users.denseIndex(of: fields[userColumn]) else {
                throw fail("user '\(fields[userColumn])' is not in the model")
            }
            guard let i = items.denseIndex(of: fields[itemColumn]) else {
                throw fail("item '\(fields[itemColumn])' is not in the model")
            }
            guard seen.insert(UInt64(UInt32(u)) << 32 | UInt64(UInt32(i))).inserted else {
                throw fail("user '\(fields[userColumn])' lists item '\(fields[itemColumn])' twice")
            }
            var key = Double(number)
            if let rankColumn {
                guard let rank = Double(fields[rankColumn]), rank.isFinite else {
                    throw fail("rank '\(fields[rankColumn])' is not a number")
                }
                key = rank
            } else if let scoreColumn {
                guard let score = Double(fields[scoreColumn]), score.isFinite else {
                    throw fail("score '\(fields[scoreColumn])' is not a finite number")
                }
                key = -score
            }
            entries[Int(u)].append((key, number, Int(i)))
        }
        guard entries.contains(where: { !$0.isEmpty }) else { throw .emptyData("\(path) holds no list entries") }
        return entries.map { list in
            list.isEmpty ? nil : list.sorted { ($0.key, $0.line) < ($1.key, $1.line) }.map(\.item)
        }
    }
}
