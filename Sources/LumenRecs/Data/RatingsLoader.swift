import Foundation
import LumenIO

/// Reads ratings in the common public formats, detected from the first line:
/// MovieLens-100k `u.data` (tab or whitespace, no header), ML-1M/10M `ratings.dat` (`::`),
/// `ratings.csv` with a header naming user, item/movie, rating and optional timestamp columns, and
/// RecBole atomic `.inter` files (tab, typed header such as `user_id:token`).
public enum RatingsLoader {
    /// Largest ratings file accepted: 4 GiB.
    public static let maxBytes = 4 << 30

    /// Loads ratings, plus titles from an optional item metadata file.
    public static func load(
        ratings url: URL,
        items itemsURL: URL? = nil,
        options: RatingsOptions = RatingsOptions()
    ) throws -> RatingsData {
        let bytes = try FileBytes.read(url, limit: maxBytes)
        var data = try parse(bytes, path: url.path, options: options)
        if let itemsURL {
            let meta = try FileBytes.read(itemsURL, limit: maxBytes)
            data.titles = try ItemMetadataLoader.titles(meta, path: itemsURL.path, items: data.items)
        }
        return data
    }

    /// Parses in-memory ratings file contents. Every rating must lie on the declared scale, or on
    /// the one inferred from the file (`RatingsData.scaleInferred` says which); a timestamp must be
    /// a whole number of seconds within Int64; a pair rated twice follows `options.duplicates`.
    public static func parse(
        _ bytes: [UInt8],
        path: String,
        options: RatingsOptions = RatingsOptions()
    ) throws(RecsError) -> RatingsData {
        var lines = LineReader(bytes)
        guard let (_, first) = lines.peekFirstNonEmpty() else { throw .emptyData("\(path) is empty") }
        let implicit = options.feedback == .implicit
        let layout = try Layout.detect(firstLine: first, path: path, implicit: implicit)
        var users = options.knownIDs?.users ?? IDMap()
        var items = options.knownIDs?.items ?? IDMap()
        var ratings: [Rating] = []
        ratings.reserveCapacity(bytes.count / 12)
        var lineOf: [Int] = []
        lineOf.reserveCapacity(bytes.count / 12)
        var fields: [ArraySlice<UInt8>] = []
        // Files are usually grouped by user: the previous line's user is looked up once.
        var previousUser: (field: ArraySlice<UInt8>, index: Int32)?
        var skippedHeader = !layout.hasHeader
        while let (number, line) = lines.next() {
            if line.isEmpty || line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
            if !skippedHeader {
                skippedHeader = true
                continue
            }
            layout.split(line, into: &fields)
            func fail(_ reason: String) -> RecsError { .malformedLine(path: path, line: number, reason: reason) }
            let needed = implicit ? max(layout.user, layout.item) : max(layout.user, layout.item, layout.rating)
            guard fields.count > needed else {
                throw fail("expected at least \(needed + 1) fields, found \(fields.count)")
            }
            let userField = fields[layout.user]
            let itemField = fields[layout.item]
            guard !userField.isEmpty, !itemField.isEmpty else { throw fail("empty user or item id") }
            let value: Double
            if implicit && (layout.rating >= fields.count || fields[layout.rating].isEmpty) {
                value = 1
            } else {
                guard let parsed = Number.parseDouble(fields[layout.rating]), parsed.isFinite else {
                    throw fail(
                        "\(implicit ? "weight" : "rating") '\(String(decoding: fields[layout.rating], as: UTF8.self))' is not a finite number"
                    )
                }
                value = parsed
            }
            if implicit && !(value > 0 && value < 1e30) {
                throw fail("weight \(value) must be positive (an interaction's count or strength)")
            }
            var timestamp: Int64 = 0
            if let t = layout.timestamp, t < fields.count, !fields[t].isEmpty {
                guard let parsed = Number.parseDouble(fields[t]) else {
                    throw fail("timestamp '\(String(decoding: fields[t], as: UTF8.self))' is not a number")
                }
                guard parsed.isFinite, let whole = Int64(exactly: parsed.rounded(.down)) else {
                    throw fail(
                        "timestamp '\(String(decoding: fields[t], as: UTF8.self))' is not a whole number of seconds"
                    )
                }
                timestamp = whole
            }
            if let scale = options.scale, !scale.contains(Float(value)) {
                throw fail("rating \(value) is outside the declared scale \(scale)")
            }
            let u: Int32
            let i: Int32
            if let previousUser, previousUser.field.elementsEqual(userField) {
                u = previousUser.index
            } else if let known = options.knownIDs {
                let user = String(decoding: userField, as: UTF8.self)
                guard let ku = known.users.denseIndex(of: user) else {
                    throw fail("user '\(user)' is not in \(known.userSource)")
                }
                u = ku
            } else {
                u = users.intern(Substring(decoding: userField, as: UTF8.self))
            }
            previousUser = (userField, u)
            if let known = options.knownIDs {
                let item = String(decoding: itemField, as: UTF8.self)
                guard let ki = known.items.denseIndex(of: item) else {
                    throw fail("item '\(item)' is not in \(known.itemSource)")
                }
                i = ki
            } else {
                i = items.intern(Substring(decoding: itemField, as: UTF8.self))
            }
            let rating = Rating(user: u, item: i, value: Float(value), timestamp: timestamp)
            lineOf.append(number)
            ratings.append(rating)
        }
        guard !ratings.isEmpty else { throw .emptyData("\(path) holds no rating lines") }
        (ratings, lineOf) = try Self.resolveRepeats(
            ratings,
            lines: lineOf,
            users: users.count,
            policy: options.duplicates,
            path: path,
            names: (users, items)
        )
        var data = RatingsData(users: users, items: items, ratings: ratings)
        if implicit {
            data.feedback = .implicit
            return data
        }
        if let declared = options.scale {
            data.scale = declared
        } else if let inferred = RatingScale.infer(ratings.map(\.value)) {
            if let k = ratings.firstIndex(where: { !inferred.contains($0.value) }) {
                throw .malformedLine(
                    path: path,
                    line: lineOf[k],
                    reason:
                        "rating \(ratings[k].value) is outside the scale \(inferred) the other ratings lie on (declare the scale with --rating-scale MIN..MAX)"
                )
            }
            data.scale = inferred
            data.scaleInferred = true
        }
        if let threshold = options.positiveThreshold {
            data.ratings = data.ratings.filter { $0.value >= threshold }.map {
                Rating(user: $0.user, item: $0.item, value: 1, timestamp: $0.timestamp)
            }
            guard !data.ratings.isEmpty else { throw .emptyData("\(path): no rating reaches \(threshold)") }
            data.feedback = .implicit
            data.scale = nil
            data.scaleInferred = false
        }
        return data
    }

    /// Applies the policy to (user, item) pairs listed more than once, after parsing: the pair
    /// keeps its first line's place with the last value, the sum or the mean (in file order), or
    /// the earliest repeated line is refused. Grouping by user (a counting sort) and each user's
    /// short run by item (`RatingMatrix.userMajorOrder`) replaces a hash map of every pair, which dominated reading
    /// large files.
    static func resolveRepeats(
        _ ratings: [Rating],
        lines: [Int],
        users: Int,
        policy: DuplicatePolicy,
        path: String,
        names: (users: IDMap, items: IDMap)
    ) throws(RecsError) -> ([Rating], [Int]) {
        let (start, order) = RatingMatrix.userMajorOrder(ratings, users: users)
        // Each repeated pair as its lines in file order.
        var groups: [[Int]] = []
        for u in 0..<users where start[u + 1] - start[u] > 1 {
            var p = start[u]
            while p < start[u + 1] {
                var q = p + 1
                while q < start[u + 1], ratings[order[q]].item == ratings[order[p]].item { q += 1 }
                if q - p > 1 { groups.append(Array(order[p..<q])) }
                p = q
            }
        }
        if groups.isEmpty { return (ratings, lines) }
        var out = ratings
        var dropped = [Bool](repeating: false, count: ratings.count)
        if policy == .error, let group = groups.min(by: { $0[1] < $1[1] }) {
            let r = ratings[group[0]]
            throw .malformedLine(
                path: path,
                line: lines[group[1]],
                reason:
                    "user '\(names.users[Int(r.user)])' rated item '\(names.items[Int(r.item)])' already on line \(lines[group[0]]) (choose --duplicates last or mean)"
            )
        }
        for group in groups {
            let first = group[0]
            for (n, k) in group.dropFirst().enumerated() {
                dropped[k] = true
                switch policy {
                case .error, .last:
                    out[first] = ratings[k]
                case .sum:
                    out[first].value += ratings[k].value
                    out[first].timestamp = Swift.max(out[first].timestamp, ratings[k].timestamp)
                case .mean:
                    let seen = Float(n + 1)
                    out[first].value = (out[first].value * seen + ratings[k].value) / (seen + 1)
                    out[first].timestamp = Swift.max(out[first].timestamp, ratings[k].timestamp)
                }
            }
        }
        var kept: [Rating] = []
        var keptLines: [Int] = []
        kept.reserveCapacity(ratings.count)
        keptLines.reserveCapacity(ratings.count)
        for k in out.indices where !dropped[k] {
            kept.append(out[k])
            keptLines.append(lines[k])
        }
        return (kept, keptLines)
    }
}
