import Foundation
import Synchronization

/// The append-only JSON-lines audit trail. Each record is one `write(2)` of a whole line to a
/// file opened with `O_APPEND` (optionally followed by `fsync`), so a crash can at worst leave
/// one torn last line. Reading skips lines that are not complete JSON records and reports how
/// many; reopening after a torn line starts a fresh line, so later records stay readable.
public final class AuditLog: Sendable {
    public let path: String
    private let fd: Mutex<Int32>
    private let fsyncEach: Bool

    public init(path: String, fsync: Bool = false) throws(ServerError) {
        self.path = path
        fsyncEach = fsync
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
        fd = Mutex(descriptor)
    }

    deinit { fd.withLock { _ = close($0) } }

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

    /// Appends a record: the whole line in one write, flushed to the kernel before returning.
    public func append(_ record: AuditRecord) throws(ServerError) {
        var line = record.jsonLine()
        line.append(0x0A)
        let failure: String? = fd.withLock { descriptor in
            let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress!, $0.count) }
            if written != line.count { return written < 0 ? String(cString: strerror(errno)) : "short write" }
            if fsyncEach, fsync(descriptor) != 0 { return String(cString: strerror(errno)) }
            return nil
        }
        lastFailure.withLock { $0 = failure.map { (message: $0, at: ContinuousClock.now) } }
        if let failure { throw .audit("cannot append to \(path): \(failure)") }
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

    /// Records with `time >= since` (RFC 3339 strings compare in time order), oldest first, at most `limit`.
    public static func read(path: String, since: String? = nil, limit: Int = 1000) throws(ServerError) -> Page {
        guard let data = FileManager.default.contents(atPath: path) else {
            if !FileManager.default.fileExists(atPath: path) {
                return Page(records: [], skippedLines: 0, truncated: false)
            }
            throw .audit("cannot read \(path)")
        }
        let decoder = JSONDecoder()
        var records: [AuditRecord] = []
        var skipped = 0
        var truncated = false
        let bytes = [UInt8](data)
        var start = 0
        while start < bytes.count {
            guard let end = bytes[start...].firstIndex(of: 0x0A) else {
                // No newline: a torn tail.
                skipped += 1
                break
            }
            defer { start = end + 1 }
            if end == start { continue }
            guard let record = try? decoder.decode(AuditRecord.self, from: Data(bytes[start..<end])) else {
                skipped += 1
                continue
            }
            if let since, record.time < since { continue }
            if records.count == limit {
                truncated = true
                continue
            }
            records.append(record)
        }
        return Page(records: records, skippedLines: skipped, truncated: truncated)
    }
}
