import Foundation

/// A small, fast JSON writer for Lumen's hot paths (problems, audit records, log lines, rationale
/// responses), where Foundation's encoder costs more than the work it reports on.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var first: [Bool] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        first.append(true)
    }
    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        first.removeLast()
    }
    mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        first.append(true)
    }
    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        first.removeLast()
    }

    /// Writes `"key":`; the next value belongs to it.
    mutating func key(_ name: String) {
        separate()
        string(name)
        bytes.append(UInt8(ascii: ":"))
        pendingValue = true
    }

    private var pendingValue = false

    private mutating func separate() {
        if pendingValue {
            pendingValue = false
            return
        }
        guard !first.isEmpty else { return }
        if first[first.count - 1] { first[first.count - 1] = false } else { bytes.append(UInt8(ascii: ",")) }
    }

    mutating func value(_ s: String) {
        separate()
        string(s)
    }
    mutating func value(_ n: Int) {
        separate()
        bytes.append(contentsOf: String(n).utf8)
    }
    mutating func value(_ b: Bool) {
        separate()
        bytes.append(contentsOf: (b ? "true" : "false").utf8)
    }
    mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
    }
    /// Non-finite numbers become null (JSON has no NaN).
    mutating func value(_ x: Double) {
        separate()
        guard x.isFinite else {
            bytes.append(contentsOf: "null".utf8)
            return
        }
        if x == x.rounded(), abs(x) < 1e15 {
            bytes.append(contentsOf: String(Int(x)).utf8)
        } else {
            bytes.append(contentsOf: "\(x)".utf8)
        }
    }
    mutating func value(_ x: Float) {
        separate()
        guard x.isFinite else {
            bytes.append(contentsOf: "null".utf8)
            return
        }
        if x == x.rounded(), abs(x) < 1e7 {
            bytes.append(contentsOf: String(Int(x)).utf8)
        } else {
            bytes.append(contentsOf: "\(x)".utf8)
        }
    }
    /// Embeds already-encoded JSON.
    mutating func raw(_ json: [UInt8]) {
        separate()
        bytes.append(contentsOf: json)
    }

    mutating func field(_ k: String, _ v: String) {
        key(k)
        value(v)
    }
    mutating func field(_ k: String, _ v: Int) {
        key(k)
        value(v)
    }
    mutating func field(_ k: String, _ v: Bool) {
        key(k)
        value(v)
    }
    mutating func field(_ k: String, _ v: Double) {
        key(k)
        value(v)
    }
    mutating func field(_ k: String, _ v: Float) {
        key(k)
        value(v)
    }
    mutating func field(_ k: String, _ v: String?) {
        key(k)
        if let v { value(v) } else { null() }
    }

    private mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = String(b, radix: 16)
                bytes.append(contentsOf: "\\u00".utf8)
                if hex.count == 1 { bytes.append(UInt8(ascii: "0")) }
                bytes.append(contentsOf: hex.utf8)
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
