import Foundation
import Logging
import Synchronization

/// A swift-log handler writing one JSON object per line (time, level, message, label, metadata),
/// which Loki/Promtail ingest as is. Writes go through one lock, so lines never interleave.
public struct JSONLogHandler: LogHandler {
    /// Where lines go: stdout by default; tests pass a collecting sink.
    public final class Sink: Sendable {
        private let lock = Mutex<[String]?>(nil)
        private let fd: Int32

        /// Writes to a file descriptor (1 = stdout).
        public init(fileDescriptor: Int32 = 1) { fd = fileDescriptor }
        /// Keeps lines in memory (for tests).
        public static func memory() -> Sink {
            let s = Sink(fileDescriptor: -1)
            s.lock.withLock { $0 = [] }
            return s
        }

        func write(_ line: [UInt8]) {
            lock.withLock { memory in
                if memory != nil {
                    memory!.append(String(decoding: line, as: UTF8.self))
                    return
                }
                line.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                        if n <= 0 {
                            if n < 0, errno == EINTR { continue }
                            return
                        }
                        offset += n
                    }
                }
            }
        }

        /// Lines kept by a memory sink.
        public var lines: [String] { lock.withLock { $0 ?? [] } }
    }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: Sink

    public init(label: String, level: Logger.Level = .info, sink: Sink = Sink()) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var w = JSONWriter(capacity: 256)
        w.beginObject()
        w.field("time", Self.timestamp())
        w.field("level", event.level.rawValue)
        w.field("message", event.message.description)
        w.field("logger", label)
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for key in merged.keys.sorted() { Self.write(key, merged[key]!, into: &w) }
        w.endObject()
        var line = w.bytes
        line.append(0x0A)
        sink.write(line)
    }

    private static func write(_ key: String, _ value: Logger.Metadata.Value, into w: inout JSONWriter) {
        switch value {
        case .string(let s):
            // Numbers logged as strings stay numbers in the JSON (latency, status, sizes).
            if let n = Int(s), !s.hasPrefix("0") || s == "0" {
                w.field(key, n)
            } else if let d = Double(s), s.contains("."), d.isFinite {
                w.field(key, d)
            } else {
                w.field(key, s)
            }
        case .stringConvertible(let c): w.field(key, c.description)
        case .array(let a): w.field(key, a.map(\.description).joined(separator: ","))
        case .dictionary(let d): w.field(key, d.description)
        }
    }

    /// RFC 3339 UTC with milliseconds (the audit trail's time form).
    static func timestamp(_ date: Date = Date()) -> String {
        AuditTime.string(Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
