import Foundation
import Synchronization

/// The append-only JSON-lines audit trail. Each record is one `write(2)` of a whole line to a
/// file opened with `O_APPEND` (optionally followed by `fsync`), so a crash can at worst leave
/// one torn last line. Reading skips lines that are not complete records and reports how
/// many; reopening after a torn line starts a fresh line, so later records stay readable.
///
/// Every line gets an entry in the segment's index (``AuditIndexEntry``), and record times
/// never decrease (a record stamped before the one written ahead of it takes that one's time),
/// so reads find a time range by binary search and filter on hashes: bounded memory and time
/// whatever the log's size. Past `rotateAtBytes` the active file is renamed `<path>.000001`,
/// `<path>.000002`, … and a new one started; reads cover every segment, so every record stays
/// findable (Lumen never deletes a segment).
public final class AuditLog: Sendable {
    public let path: String
    private let fsyncEach: Bool
    /// Size past which the active segment is rotated; 0 never rotates.
    public let rotateAtBytes: Int

    private struct State {
        var log: Int32
        /// The active segment's index, or -1 after a failed index write (reads then scan the
        /// segment's unindexed tail; the next open rebuilds the index).
        var index: Int32
        var lastTime: Int64
        /// Whether the log is a regular file (only those are indexed and rotated).
        var regular: Bool
    }
    private let state: Mutex<State>

    public init(path: String, fsync: Bool = false, rotateAtBytes: Int = 256 << 20) throws(ServerError) {
        self.path = path
        fsyncEach = fsync
        self.rotateAtBytes = max(0, rotateAtBytes)
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw .audit("cannot create folder \(directory)")
            }
        }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw .audit("cannot open \(path): \(String(cString: strerror(errno)))") }
        // A torn last line (crash mid-write) is sealed with a newline so the next record starts clean.
        let size = lseek(descriptor, 0, SEEK_END)
        if size > 0 {
            let reader = open(path, O_RDONLY | O_CLOEXEC)
            var last: UInt8 = 0
            if reader >= 0 {
                _ = pread(reader, &last, 1, size - 1)
                close(reader)
            }
            if last != 0x0A {
                var newline: UInt8 = 0x0A
                _ = write(descriptor, &newline, 1)
            }
        }
        // Indexes are derived data: bring each segment's up to date (a rebuild if missing).
        // A log that is not a regular file (a pipe, a device) gets no index and no rotation.
        let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
        guard type == .typeRegular else {
            state = Mutex(State(log: descriptor, index: -1, lastTime: Int64.min, regular: false))
            return
        }
        var lastTime = Int64.min
        for segment in AuditSegment.rotated(of: path) {
            do {
                let (index, time) = try AuditSegment.catchUp(segment: segment.path)
                close(index)
                lastTime = max(lastTime, time)
            } catch {
                // A rotated segment whose index cannot be written is still read, by scanning it.
            }
        }
        let index: Int32
        do {
            let (fd, time) = try AuditSegment.catchUp(segment: path)
            index = fd
            lastTime = max(lastTime, time)
        } catch {
            close(descriptor)
            throw error
        }
        state = Mutex(State(log: descriptor, index: index, lastTime: lastTime, regular: true))
    }

    deinit {
        state.withLock {
            close($0.log)
            if $0.index >= 0 { close($0.index) }
        }
    }

    /// A new explanation id: 128 random bits (the system generator): an id cannot be guessed from another one, so a
    /// caller cannot reach someone else's answer through `/v1/feedback`.
    public func nextID() -> String {
        var generator = SystemRandomNumberGenerator()
        let hi = generator.next() as UInt64
        let lo = generator.next() as UInt64
        func hex(_ v: UInt64) -> String {
            let digits = String(v, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return "exp-" + hex(hi) + hex(lo)
    }

    /// Appends a record: the whole line in one write, flushed to the kernel before returning,
    /// then its index entry; rotates the segment once it passes `rotateAtBytes`.
    public func append(_ record: AuditRecord) throws(ServerError) {
        var record = record
        let failure: String? = state.withLock { s in
            var time = AuditTime.milliseconds(record.time) ?? s.lastTime
            if time < s.lastTime {
                time = s.lastTime
                record.time = AuditTime.string(time)
            }
            var line = record.jsonLine()
            line.append(0x0A)
            let written = line.withUnsafeBytes { write(s.log, $0.baseAddress!, $0.count) }
            if written != line.count { return written < 0 ? String(cString: strerror(errno)) : "short write" }
            if fsyncEach, fsync(s.log) != 0 { return String(cString: strerror(errno)) }
            s.lastTime = time
            let end = lseek(s.log, 0, SEEK_CUR)
            let offset = UInt64(max(0, Int(end) - line.count))
            if s.index >= 0 {
                let entry = AuditIndexEntry(record: record, offset: offset, length: line.count - 1, time: time).bytes
                if entry.withUnsafeBytes({ write(s.index, $0.baseAddress!, $0.count) }) != entry.count {
                    close(s.index)
                    s.index = -1
                }
            }
            if s.regular, rotateAtBytes > 0, end >= rotateAtBytes { rotate(&s) }
            return nil
        }
        lastFailure.withLock { $0 = failure.map { (message: $0, at: ContinuousClock.now) } }
        if let failure { throw .audit("cannot append to \(path): \(failure)") }
    }

    /// Renames the active segment and its index to the next `<path>.NNNNNN` and starts new ones.
    /// If the rename fails the active segment simply keeps growing.
    private func rotate(_ s: inout State) {
        let target = AuditSegment.nextRotated(of: path)
        guard rename(path, target) == 0 else { return }
        if s.index >= 0 { _ = rename(AuditSegment.indexPath(path), AuditSegment.indexPath(target)) }
        let log = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard log >= 0 else { return }  // keep appending to the renamed file
        let index = open(AuditSegment.indexPath(path), O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        close(s.log)
        if s.index >= 0 { close(s.index) }
        s.log = log
        s.index = index
    }

    /// The last append's failure, kept for `problem` (cleared by the next successful append).
    private let lastFailure = Mutex<(message: String, at: ContinuousClock.Instant)?>(nil)

    /// Why answers cannot be recorded now, or nil: the log file is gone or not writable, or an
    /// append failed in the last `window` (after which `/readyz` lets traffic try again, so a
    /// replica whose disk recovers comes back).
    public func problem(window: Duration = .seconds(10)) -> String? {
        if access(path, W_OK) != 0 {
            return "the audit log \(path) cannot be written: \(String(cString: strerror(errno)))"
        }
        if let failure = lastFailure.withLock({ $0 }), ContinuousClock.now - failure.at < window {
            return "the last append to the audit log failed: \(failure.message)"
        }
        return nil
    }

    /// What a read found.
    public struct Page: Sendable {
        public var records: [AuditRecord]
        /// Lines that were not complete records (a torn tail after a crash).
        public var skippedLines: Int
        /// Whether more records matched than `limit`.
        public var truncated: Bool
    }

    /// Records matching `query` from every segment, read from a consistent set of files opened
    /// under the writer's lock (so a rotation during the read changes nothing).
    public func read(_ query: AuditQuery) throws(ServerError) -> Page {
        let snapshot = try state.withLock { _ throws(ServerError) in try AuditSnapshot.open(path: path) }
        defer { snapshot.close() }
        return snapshot.read(query)
    }

    /// Records matching `query` in the log at `path`, with no writer in this process.
    public static func read(path: String, query: AuditQuery) throws(ServerError) -> Page {
        let snapshot = try AuditSnapshot.open(path: path)
        defer { snapshot.close() }
        return snapshot.read(query)
    }

    /// Records with `time >= since`, oldest first, at most `limit`.
    public static func read(path: String, since: String? = nil, limit: Int = 1000) throws(ServerError) -> Page {
        try read(path: path, query: AuditQuery(since: since, limit: limit))
    }
}
