import Foundation

/// One fixed-size entry of an audit segment's index (`<segment>.idx`): where a line sits in the
/// segment, its time, and 32-bit hashes of the fields auditors filter on. Entries are in line
/// order and their times never decrease, so a time range is two binary searches; a field filter
/// compares hashes and reads only the lines whose hashes match (then checks the text).
/// The index is derived data: rebuilt from the segment whenever it is missing or short.
struct AuditIndexEntry: Equatable, Sendable {
    /// Bytes per entry on disk.
    static let size = 40

    /// Byte offset of the line in its segment.
    var offset: UInt64
    /// Bytes of the line, without its newline.
    var length: UInt32
    /// Milliseconds since 1970 (never less than the entry before).
    var time: Int64
    /// A line that is not a complete record (a torn write before a crash): counted, never returned.
    var torn: Bool
    var id: UInt32
    var caller: UInt32
    var model: UInt32
    var user: UInt32
    var item: UInt32

    /// The entry for a record line.
    init(record: AuditRecord, offset: UInt64, length: Int, time: Int64) {
        self.offset = offset
        self.length = UInt32(clamping: length)
        self.time = time
        torn = false
        id = Self.hash(record.id)
        caller = Self.hash(record.caller)
        model = Self.hash(record.model)
        user = Self.hash(record.parameters["user"])
        item = Self.hash(record.parameters["item"])
    }

    /// The entry for a line that is not a record.
    init(tornAt offset: UInt64, length: Int, time: Int64) {
        self.offset = offset
        self.length = UInt32(clamping: length)
        self.time = time
        torn = true
        (id, caller, model, user, item) = (0, 0, 0, 0, 0)
    }

    /// Where the next line starts (saturating: a damaged entry's end lies past any file).
    var end: UInt64 {
        let (sum, overflow) = offset.addingReportingOverflow(UInt64(length) + 1)
        return overflow ? UInt64.max : sum
    }

    /// FNV-1a over the UTF-8 bytes; 0 stands for an absent field (a real 0 becomes 1).
    static func hash(_ text: String?) -> UInt32 {
        guard let text else { return 0 }
        var h: UInt32 = 2_166_136_261
        for byte in text.utf8 { h = (h ^ UInt32(byte)) &* 16_777_619 }
        return h == 0 ? 1 : h
    }

    /// Little-endian bytes: offset u64, length u32 (top bit: torn), time i64, five u32 hashes.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.size)
        func put<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
        }
        put(offset)
        put(length | (torn ? 0x8000_0000 : 0))
        put(time)
        for h in [id, caller, model, user, item] { put(h) }
        return out
    }

    /// Decodes the entry at `start` of `buffer` (which holds at least `size` bytes from there).
    init(_ buffer: UnsafeRawBufferPointer, at start: Int) {
        func get<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
            T(littleEndian: buffer.loadUnaligned(fromByteOffset: start + at, as: T.self))
        }
        offset = get(0, UInt64.self)
        let rawLength = get(8, UInt32.self)
        length = rawLength & 0x7FFF_FFFF
        torn = rawLength & 0x8000_0000 != 0
        time = get(12, Int64.self)
        id = get(20, UInt32.self)
        caller = get(24, UInt32.self)
        model = get(28, UInt32.self)
        user = get(32, UInt32.self)
        item = get(36, UInt32.self)
    }
}

/// Audit times: RFC 3339 UTC with milliseconds ("2026-11-22T10:00:03.000Z"), as integers.
enum AuditTime {
    /// Milliseconds since 1970 of a record's time, or nil if it is not one.
    static func milliseconds(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                guard (0x30...0x39).contains(b[i]) else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard b.count >= 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A,
            let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
            let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var ms = 0
        var rest = 19
        if rest < b.count, b[rest] == 0x2E {
            rest += 1
            var scale = 100
            while rest < b.count, (0x30...0x39).contains(b[rest]) {
                ms += Int(b[rest] - 0x30) * scale
                scale /= 10
                rest += 1
            }
        }
        guard rest == b.count - 1, b[rest] == 0x5A else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Int64(timegm(&parts)) * 1000 + Int64(ms)
    }

    /// The record form of a time in milliseconds since 1970.
    static func string(_ milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds.quotientAndRemainder(dividingBy: 1000).quotient)
        var ms = Int(milliseconds % 1000)
        if ms < 0 {
            ms += 1000
            seconds -= 1
        }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
            parts.tm_year + 1900,
            parts.tm_mon + 1,
            parts.tm_mday,
            parts.tm_hour,
            parts.tm_min,
            parts.tm_sec,
            ms
        )
    }
}
