import Foundation

/// The files of an audit log: the active segment (the configured path), rotated segments
/// `<path>.000001`, `<path>.000002`, … (oldest first; never deleted by Lumen), and beside each
/// its index `<segment>.idx` of ``AuditIndexEntry`` values.
enum AuditSegment {
    static func indexPath(_ segment: String) -> String { segment + ".idx" }

    /// Rotated segments of the log at `path`, oldest first.
    static func rotated(of path: String) -> [(number: Int, path: String)] {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + "."
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix(prefix) else { return nil }
            let suffix = name.dropFirst(prefix.count)
            guard suffix.count >= 6, suffix.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(suffix) else {
                return nil
            }
            return (n, (folder as NSString).appendingPathComponent(name))
        }.sorted { $0.0 < $1.0 }
    }

    /// The name the next rotation gives the active segment.
    static func nextRotated(of path: String) -> String {
        let n = (rotated(of: path).last?.number ?? 0) + 1
        return path + "." + String(format: "%06d", n)
    }

    /// Reads the lines of the segment open at `fd` from byte `from` to its end (its size when the scan starts), in 1
    /// MiB reads,
    /// and calls `visit` with each complete line's entry (times made non-decreasing from
    /// `previousTime`) and its record (nil for a torn line). Returns where the complete lines end
    /// and whether a last line without a newline follows (a torn tail).
    @discardableResult
    static func scan(
        fd: Int32,
        from: UInt64,
        previousTime: Int64,
        _ visit: (AuditIndexEntry, AuditRecord?) -> Bool
    ) -> (end: UInt64, tornTail: Bool) {
        let decoder = JSONDecoder()
        var buffer: [UInt8] = []
        var bufferStart = from
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var time = previousTime
        // Up to the size when the scan starts (a device such as /dev/full never ends).
        let size = UInt64(max(0, lseek(fd, 0, SEEK_END)))
        var eof = false
        while true {
            let next = bufferStart + UInt64(buffer.count)
            if !eof, next < size {
                let want = Int(min(UInt64(chunk.count), size - next))
                let got = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, want, off_t(next)) }
                if got <= 0 { eof = true } else { buffer.append(contentsOf: chunk[0..<got]) }
            } else {
                eof = true
            }
            var start = 0
            while let newline = buffer[start...].firstIndex(of: 0x0A) {
                let offset = bufferStart + UInt64(start)
                let line = buffer[start..<newline]
                start = newline + 1
                if line.isEmpty { continue }
                let record = try? decoder.decode(AuditRecord.self, from: Data(line))
                let entry: AuditIndexEntry
                if let record, let t = AuditTime.milliseconds(record.time) {
                    time = max(time, t)
                    entry = AuditIndexEntry(record: record, offset: offset, length: line.count, time: time)
                } else {
                    entry = AuditIndexEntry(tornAt: offset, length: line.count, time: time)
                }
                if !visit(entry, entry.torn ? nil : record) {
                    return (bufferStart + UInt64(start), false)
                }
            }
            buffer.removeFirst(start)
            bufferStart += UInt64(start)
            if eof { return (bufferStart, !buffer.isEmpty) }
        }
    }

    /// Brings the index of `segment` up to date with it (entries for lines written since; a
    /// rebuild from the first entry that does not fit the segment, or of all when it is missing) and returns the index
    /// open
    /// for appending (`O_APPEND`) with the last entry's time. Used when the writer opens the log.
    static func catchUp(segment: String) throws(ServerError) -> (indexFD: Int32, lastTime: Int64) {
        let log = open(segment, O_RDONLY | O_CLOEXEC)
        guard log >= 0 else { throw .audit("cannot read \(segment): \(String(cString: strerror(errno)))") }
        defer { close(log) }
        let path = indexPath(segment)
        let index = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard index >= 0 else { throw .audit("cannot open \(path): \(String(cString: strerror(errno)))") }
        let logSize = UInt64(max(0, lseek(log, 0, SEEK_END)))
        let count = consistentPrefix(index: index, logSize: logSize)
        let last = count > 0 ? entry(index, count - 1) : nil
        // Drop a half-written entry and everything from the first damaged one on.
        if ftruncate(index, off_t(count * AuditIndexEntry.size)) != 0 {
            close(index)
            throw .audit("cannot repair \(path): \(String(cString: strerror(errno)))")
        }
        var lastTime = last?.time ?? Int64.min
        var pending: [UInt8] = []
        var failed = false
        func flush() {
            guard !pending.isEmpty, !failed else { return }
            let ok = pending.withUnsafeBytes { write(index, $0.baseAddress!, $0.count) }
            failed = ok != pending.count
            pending.removeAll(keepingCapacity: true)
        }
        scan(fd: log, from: last?.end ?? 0, previousTime: lastTime) { entry, _ in
            pending.append(contentsOf: entry.bytes)
            lastTime = entry.time
            if pending.count >= 1 << 20 { flush() }
            return true
        }
        flush()
        if failed {
            close(index)
            throw .audit("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return (index, lastTime)
    }

    /// How many entries of the index open at `index` describe a segment of `logSize` bytes, and
    /// the last of them: all whole entries when the last one ends inside the segment, none when
    /// the index is empty, unreadable or does not fit (the segment is then scanned instead).
    static func indexed(index: Int32, logSize: UInt64) -> (count: Int, last: AuditIndexEntry?) {
        guard index >= 0 else { return (0, nil) }
        let count = Int(max(0, lseek(index, 0, SEEK_END))) / AuditIndexEntry.size
        guard count > 0, let last = entry(index, count - 1), last.end <= logSize else { return (0, nil) }
        return (count, last)
    }

    /// How many leading entries of the index open at `index` are consistent with a segment of
    /// `logSize` bytes: each line starts at or after the end of the one before (blank lines have
    /// no entry), ends inside the segment, and is no older than the one before. Reads the whole
    /// index in 1 MiB blocks (about 40 bytes per record), once per segment when the writer opens.
    static func consistentPrefix(index: Int32, logSize: UInt64) -> Int {
        guard index >= 0 else { return 0 }
        let total = Int(max(0, lseek(index, 0, SEEK_END))) / AuditIndexEntry.size
        let perBlock = (1 << 20) / AuditIndexEntry.size
        var block = [UInt8](repeating: 0, count: perBlock * AuditIndexEntry.size)
        var (previousEnd, previousTime): (UInt64, Int64) = (0, .min)
        var n = 0
        while n < total {
            let want = min(perBlock, total - n) * AuditIndexEntry.size
            let got = block.withUnsafeMutableBytes {
                pread(index, $0.baseAddress!, want, off_t(n * AuditIndexEntry.size))
            }
            guard got == want else { return n }
            let ok = block.withUnsafeBytes { raw in
                for k in 0..<(want / AuditIndexEntry.size) {
                    let e = AuditIndexEntry(raw, at: k * AuditIndexEntry.size)
                    guard e.offset >= previousEnd, e.end <= logSize, e.time >= previousTime else { return false }
                    (previousEnd, previousTime) = (e.end, e.time)
                    n += 1
                }
                return true
            }
            if !ok { return n }
        }
        return n
    }

    /// The entry at position `n` of the index open at `fd`, or nil if it cannot be read.
    static func entry(_ fd: Int32, _ n: Int) -> AuditIndexEntry? {
        var raw = [UInt8](repeating: 0, count: AuditIndexEntry.size)
        let got = raw.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off_t(n * AuditIndexEntry.size)) }
        guard got == AuditIndexEntry.size else { return nil }
        return raw.withUnsafeBytes { AuditIndexEntry($0, at: 0) }
    }
}
