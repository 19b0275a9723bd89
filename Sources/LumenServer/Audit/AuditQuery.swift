import Foundation

/// What an auditor asks the trail for: a time range and exact field values, all optional.
public struct AuditQuery: Sendable, Equatable {
    /// Earliest record time, inclusive (the record form, e.g. `2026-11-22T10:00:00.000Z`).
    public var since: String?
    /// Latest record time, inclusive.
    public var until: String?
    public var id: String?
    /// The caller's token name.
    public var caller: String?
    public var model: String?
    /// The `user` / `item` parameter of recommender answers.
    public var user: String?
    public var item: String?
    /// Most records returned; `truncated` says whether more matched.
    public var limit = 1000
    /// Newest records first instead of oldest first.
    public var newestFirst = false

    public init(since: String? = nil, until: String? = nil, limit: Int = 1000) {
        self.since = since
        self.until = until
        self.limit = limit
    }

    /// Whether an index entry can be a match (hashes of the filtered fields).
    func admits(_ e: AuditIndexEntry) -> Bool {
        func ok(_ wanted: String?, _ hash: UInt32) -> Bool {
            wanted.map { AuditIndexEntry.hash($0) == hash } ?? true
        }
        return ok(id, e.id) && ok(caller, e.caller) && ok(model, e.model) && ok(user, e.user) && ok(item, e.item)
    }

    /// Whether a record is a match (exact text of the filtered fields).
    func matches(_ r: AuditRecord) -> Bool {
        func ok(_ wanted: String?, _ value: String?) -> Bool { wanted.map { $0 == value } ?? true }
        return ok(id, r.id) && ok(caller, r.caller) && ok(model, r.model) && ok(user, r.parameters["user"])
            && ok(item, r.parameters["item"])
    }
}

/// A consistent set of open audit files, read without holding the writer: each segment's log
/// and index descriptors were opened together, so a rotation meanwhile changes nothing here.
/// Memory stays bounded whatever the log's size: the index is read 4096 entries at a time, a
/// time range is found by binary search, and only lines whose hashes match are read and decoded.
struct AuditSnapshot {
    struct Segment {
        var log: Int32
        var index: Int32
    }
    /// Oldest first.
    var segments: [Segment]

    /// Opens every segment of the log at `path` (a missing file is an empty segment).
    static func open(path: String) throws(ServerError) -> AuditSnapshot {
        var snapshot = AuditSnapshot(segments: [])
        for p in AuditSegment.rotated(of: path).map(\.path) + [path] {
            let log = Foundation.open(p, O_RDONLY | O_CLOEXEC)
            guard log >= 0 else {
                if errno == ENOENT { continue }
                let reason = String(cString: strerror(errno))
                snapshot.close()
                throw .audit("cannot read \(p): \(reason)")
            }
            let index = Foundation.open(AuditSegment.indexPath(p), O_RDONLY | O_CLOEXEC)
            snapshot.segments.append(Segment(log: log, index: index))
        }
        return snapshot
    }

    func close() {
        for s in segments {
            _ = Foundation.close(s.log)
            if s.index >= 0 { _ = Foundation.close(s.index) }
        }
    }

    /// Runs `query` over the segments.
    func read(_ query: AuditQuery) -> AuditLog.Page {
        var page = AuditLog.Page(records: [], skippedLines: 0, truncated: false)
        let since = query.since.flatMap(AuditTime.milliseconds) ?? Int64.min
        let until = query.until.flatMap(AuditTime.milliseconds) ?? Int64.max
        guard since <= until, query.limit >= 0 else { return page }
        let decoder = JSONDecoder()
        /// Takes a candidate; false once the page is full and one more matched.
        func take(_ entry: AuditIndexEntry, _ record: AuditRecord?, log: Int32, size: UInt64) -> Bool {
            guard entry.time >= since, entry.time <= until else { return true }
            if entry.torn {
                page.skippedLines += 1
                return true
            }
            guard query.admits(entry) else { return true }
            var found = record
            if found == nil {
                // A damaged entry pointing past the segment is not followed (nor allocated for).
                guard entry.end <= size else { return true }
                var line = [UInt8](repeating: 0, count: Int(entry.length))
                let got = line.withUnsafeMutableBytes { pread(log, $0.baseAddress!, $0.count, off_t(entry.offset)) }
                found = got == line.count ? try? decoder.decode(AuditRecord.self, from: Data(line)) : nil
            }
            guard let r = found, query.matches(r) else { return true }
            if page.records.count == query.limit {
                page.truncated = true
                return false
            }
            page.records.append(r)
            return true
        }
        let order = query.newestFirst ? Array(segments.reversed()) : segments
        for segment in order {
            let size = UInt64(max(0, lseek(segment.log, 0, SEEK_END)))
            let (indexed, last) = AuditSegment.indexed(index: segment.index, logSize: size)
            let (covered, lastTime) = (last?.end ?? 0, last?.time ?? Int64.min)
            var tail: [(AuditIndexEntry, AuditRecord?)] = []
            let (_, tornTail) = AuditSegment.scan(fd: segment.log, from: covered, previousTime: lastTime) {
                tail.append(($0, $1))
                return true
            }
            if tornTail { page.skippedLines += 1 }
            let lower = firstEntry(segment.index, count: indexed) { $0.time >= since }
            let upper = firstEntry(segment.index, count: indexed) { $0.time > until }
            var going = true
            if query.newestFirst {
                for (e, r) in tail.reversed() where going { going = take(e, r, log: segment.log, size: size) }
                if going {
                    going = entries(segment.index, lower..<upper, reversed: true) {
                        take($0, nil, log: segment.log, size: size)
                    }
                }
            } else {
                going = entries(segment.index, lower..<upper, reversed: false) {
                    take($0, nil, log: segment.log, size: size)
                }
                for (e, r) in tail where going { going = take(e, r, log: segment.log, size: size) }
            }
            if !going { break }
        }
        return page
    }

    /// The first position in `0..<count` whose entry satisfies `predicate` (entries are in
    /// time order, so the predicate is false then true), by binary search.
    private func firstEntry(_ index: Int32, count: Int, _ predicate: (AuditIndexEntry) -> Bool) -> Int {
        var (lo, hi) = (0, count)
        while lo < hi {
            let mid = (lo + hi) / 2
            if let e = AuditSegment.entry(index, mid), !predicate(e) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Visits the entries at `range` in blocks of 4096, until `visit` returns false.
    private func entries(
        _ index: Int32,
        _ range: Range<Int>,
        reversed: Bool,
        _ visit: (AuditIndexEntry) -> Bool
    ) -> Bool {
        let block = 4096
        var buffer = [UInt8](repeating: 0, count: block * AuditIndexEntry.size)
        var blocks = stride(from: range.lowerBound, to: range.upperBound, by: block).map {
            $0..<min($0 + block, range.upperBound)
        }
        if reversed { blocks.reverse() }
        for part in blocks {
            let bytes = part.count * AuditIndexEntry.size
            let got = buffer.withUnsafeMutableBytes {
                pread(index, $0.baseAddress!, bytes, off_t(part.lowerBound * AuditIndexEntry.size))
            }
            guard got == bytes else { return true }
            let keepGoing = buffer.withUnsafeBytes { raw -> Bool in
                for i in reversed ? Array(part.reversed()) : Array(part) {
                    let entry = AuditIndexEntry(raw, at: (i - part.lowerBound) * AuditIndexEntry.size)
                    if !visit(entry) { return false }
                }
                return true
            }
            if !keepGoing { return false }
        }
        return true
    }
}
