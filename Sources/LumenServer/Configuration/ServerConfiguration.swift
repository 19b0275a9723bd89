import Foundation
import LumenIO

/// Everything `lumen serve` can be told: defaults, overridden by a JSON config file, then by
/// `LUMEN_*` environment variables, then by command-line flags.
public struct ServerConfiguration: Sendable, Codable, Equatable {
    /// Address to bind; loopback unless told otherwise.
    public var host = "127.0.0.1"
    public var port = 8080
    /// Folder of models (EMF .safetensors, ONNX + sidecar, drift reference profiles).
    public var models = "models"
    /// File of bearer tokens ("role name token" per line); none means no authentication.
    public var tokensFile: String?
    /// Tokens given inline ("role:name:token,…"), e.g. from `LUMEN_TOKENS`.
    public var tokens: String?
    /// Allows a non-loopback address without tokens.
    public var insecure = false
    /// Largest request body accepted (bytes).
    public var maxBodyBytes = 20_000_000
    /// Largest decoded image accepted (pixels), checked on the header before decoding.
    public var maxPixels = 40_000_000
    /// Bytes that image work in flight may hold at once (each request's estimated peak is
    /// reserved before decoding); default half the physical memory.
    public var memoryBudgetBytes = MemoryBudget.defaultBytes
    /// Longest a request may run before it is answered 503.
    public var requestTimeoutSeconds = 30.0
    /// Threads that run CPU-heavy work (CAM, ONNX, drift); 0 = one per core.
    public var computeThreads = 0
    /// Heavy requests allowed to wait for a compute thread before new ones get 503.
    public var computeQueue = 32
    /// Requests in flight at once before new ones get 503.
    public var maxInFlight = 4096
    /// A connection that sends no complete request head for this long (idle keep-alive, or a
    /// slow trickle of header bytes) is closed.
    public var idleTimeoutSeconds = 15.0
    /// Connections held at once; past it new ones are closed at accept (with a log line).
    public var maxConnections = 512
    /// Where the server keeps what it writes (the audit log unless `audit_log` names another
    /// file): `$LUMEN_DATA_DIR`, else `$XDG_STATE_HOME/lumen`, else `~/.local/state/lumen`.
    public var dataDir = ServerConfiguration.defaultDataDir(ProcessInfo.processInfo.environment)
    /// Append-only JSON-lines audit log (default: `<data_dir>/audit.jsonl`).
    public var auditLog: String?
    /// fsync the audit log after every record (survives power loss, not just a crash).
    public var auditFsync = false
    /// Size past which the audit log is rotated to `<audit_log>.000001`, … (every segment stays
    /// readable through `/v1/audit`); 0 never rotates.
    public var auditRotateBytes = 256 << 20
    /// The prediction store: every answer served and the ground truth posted for it (SQLite;
    /// default `<data_dir>/predictions.sqlite`). Several processes on one machine may share it.
    public var store: String?
    /// Stored answers older than this many days are pruned (with their feedback); 0 keeps all.
    public var storeRetentionDays = 90.0
    /// At most this many answers are kept (the oldest go first); 0 keeps all.
    public var storeMaxRows = 10_000_000
    /// Minutes between drift checks on served traffic (observed features against the reference
    /// profile named like the model); 0 turns them off.
    public var driftIntervalMinutes = 60.0
    /// How far back a served-traffic drift check looks.
    public var driftWindowHours = 24.0
    /// swift-log level for the JSON logs on stdout.
    public var logLevel = "info"
    /// One JSON log line per request.
    public var accessLog = true

    public init() {}

    enum CodingKeys: String, CodingKey {
        case host, port, models, tokens, insecure
        case tokensFile = "tokens_file"
        case maxBodyBytes = "max_body_bytes"
        case maxPixels = "max_pixels"
        case memoryBudgetBytes = "memory_budget_bytes"
        case requestTimeoutSeconds = "request_timeout_seconds"
        case computeThreads = "compute_threads"
        case computeQueue = "compute_queue"
        case idleTimeoutSeconds = "idle_timeout_seconds"
        case maxConnections = "max_connections"
        case maxInFlight = "max_in_flight"
        case dataDir = "data_dir"
        case auditLog = "audit_log"
        case auditFsync = "audit_fsync"
        case auditRotateBytes = "audit_rotate_bytes"
        case store
        case storeRetentionDays = "store_retention_days"
        case storeMaxRows = "store_max_rows"
        case driftIntervalMinutes = "drift_interval_minutes"
        case driftWindowHours = "drift_window_hours"
        case logLevel = "log_level"
        case accessLog = "access_log"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ServerConfiguration()
        host = try c.decodeIfPresent(String.self, forKey: .host) ?? d.host
        port = try c.decodeIfPresent(Int.self, forKey: .port) ?? d.port
        models = try c.decodeIfPresent(String.self, forKey: .models) ?? d.models
        tokensFile = try c.decodeIfPresent(String.self, forKey: .tokensFile)
        tokens = try c.decodeIfPresent(String.self, forKey: .tokens)
        insecure = try c.decodeIfPresent(Bool.self, forKey: .insecure) ?? d.insecure
        maxBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? d.maxBodyBytes
        maxPixels = try c.decodeIfPresent(Int.self, forKey: .maxPixels) ?? d.maxPixels
        memoryBudgetBytes = try c.decodeIfPresent(Int.self, forKey: .memoryBudgetBytes) ?? d.memoryBudgetBytes
        requestTimeoutSeconds =
            try c.decodeIfPresent(Double.self, forKey: .requestTimeoutSeconds) ?? d.requestTimeoutSeconds
        computeThreads = try c.decodeIfPresent(Int.self, forKey: .computeThreads) ?? d.computeThreads
        computeQueue = try c.decodeIfPresent(Int.self, forKey: .computeQueue) ?? d.computeQueue
        maxInFlight = try c.decodeIfPresent(Int.self, forKey: .maxInFlight) ?? d.maxInFlight
        idleTimeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .idleTimeoutSeconds) ?? d.idleTimeoutSeconds
        maxConnections = try c.decodeIfPresent(Int.self, forKey: .maxConnections) ?? d.maxConnections
        dataDir = try c.decodeIfPresent(String.self, forKey: .dataDir) ?? d.dataDir
        auditLog = try c.decodeIfPresent(String.self, forKey: .auditLog) ?? d.auditLog
        auditFsync = try c.decodeIfPresent(Bool.self, forKey: .auditFsync) ?? d.auditFsync
        auditRotateBytes = try c.decodeIfPresent(Int.self, forKey: .auditRotateBytes) ?? d.auditRotateBytes
        store = try c.decodeIfPresent(String.self, forKey: .store) ?? d.store
        storeRetentionDays = try c.decodeIfPresent(Double.self, forKey: .storeRetentionDays) ?? d.storeRetentionDays
        storeMaxRows = try c.decodeIfPresent(Int.self, forKey: .storeMaxRows) ?? d.storeMaxRows
        driftIntervalMinutes =
            try c.decodeIfPresent(Double.self, forKey: .driftIntervalMinutes) ?? d.driftIntervalMinutes
        driftWindowHours = try c.decodeIfPresent(Double.self, forKey: .driftWindowHours) ?? d.driftWindowHours
        logLevel = try c.decodeIfPresent(String.self, forKey: .logLevel) ?? d.logLevel
        accessLog = try c.decodeIfPresent(Bool.self, forKey: .accessLog) ?? d.accessLog
    }

    /// Reads a JSON config file (snake_case keys, every key optional).
    public static func load(file: String) throws(ServerError) -> ServerConfiguration {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .configuration("cannot read config file \(file)")
        }
        do {
            return try JSONDecoder().decode(ServerConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw .configuration("config file \(file): \(ServerError.describe(error))")
        } catch {
            throw .configuration("config file \(file) is not valid JSON")
        }
    }

    /// Applies `LUMEN_HOST`, `LUMEN_PORT`, `LUMEN_MODELS`, `LUMEN_TOKENS_FILE`, `LUMEN_TOKENS`,
    /// `LUMEN_INSECURE`, `LUMEN_MAX_BODY_BYTES`, `LUMEN_MAX_PIXELS`, `LUMEN_MEMORY_BUDGET_BYTES`,
    /// `LUMEN_REQUEST_TIMEOUT_SECONDS`,
    /// `LUMEN_COMPUTE_THREADS`, `LUMEN_COMPUTE_QUEUE`, `LUMEN_MAX_IN_FLIGHT`, `LUMEN_DATA_DIR`, `LUMEN_AUDIT_LOG`,
    /// `LUMEN_AUDIT_FSYNC`, `LUMEN_AUDIT_ROTATE_BYTES`, `LUMEN_STORE`, `LUMEN_LOG_LEVEL`, `LUMEN_ACCESS_LOG`.
    public mutating func apply(environment: [String: String]) throws(ServerError) {
        func int(_ key: String) throws(ServerError) -> Int? {
            guard let v = environment[key] else { return nil }
            guard let n = Int(v) else { throw .configuration("\(key)=\(v) is not an integer") }
            return n
        }
        func bool(_ key: String) throws(ServerError) -> Bool? {
            guard let v = environment[key]?.lowercased() else { return nil }
            switch v {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default: throw .configuration("\(key)=\(v) is not a boolean (true/false)")
            }
        }
        if let v = environment["LUMEN_HOST"] { host = v }
        if let v = try int("LUMEN_PORT") { port = v }
        if let v = environment["LUMEN_MODELS"] { models = v }
        if let v = environment["LUMEN_TOKENS_FILE"] { tokensFile = v }
        if let v = environment["LUMEN_TOKENS"] { tokens = v }
        if let v = try bool("LUMEN_INSECURE") { insecure = v }
        if let v = try int("LUMEN_MAX_BODY_BYTES") { maxBodyBytes = v }
        if let v = try int("LUMEN_MAX_PIXELS") { maxPixels = v }
        if let v = try int("LUMEN_MEMORY_BUDGET_BYTES") { memoryBudgetBytes = v }
        if let v = environment["LUMEN_REQUEST_TIMEOUT_SECONDS"] {
            guard let t = Double(v) else { throw .configuration("LUMEN_REQUEST_TIMEOUT_SECONDS=\(v) is not a number") }
            requestTimeoutSeconds = t
        }
        if let v = try int("LUMEN_COMPUTE_THREADS") { computeThreads = v }
        if let v = try int("LUMEN_COMPUTE_QUEUE") { computeQueue = v }
        if let v = try int("LUMEN_MAX_IN_FLIGHT") { maxInFlight = v }
        if let v = try int("LUMEN_MAX_CONNECTIONS") { maxConnections = v }
        if let v = environment["LUMEN_IDLE_TIMEOUT_SECONDS"] {
            guard let t = Double(v) else { throw .configuration("LUMEN_IDLE_TIMEOUT_SECONDS=\(v) is not a number") }
            idleTimeoutSeconds = t
        }
        if let v = environment["LUMEN_DATA_DIR"] { dataDir = v }
        if let v = environment["LUMEN_AUDIT_LOG"] { auditLog = v }
        if let v = try bool("LUMEN_AUDIT_FSYNC") { auditFsync = v }
        if let v = try int("LUMEN_AUDIT_ROTATE_BYTES") { auditRotateBytes = v }
        if let v = environment["LUMEN_STORE"] { store = v }
        if let v = environment["LUMEN_LOG_LEVEL"] { logLevel = v }
        if let v = try bool("LUMEN_ACCESS_LOG") { accessLog = v }
    }

    /// Threads for heavy work after resolving 0 to the core count.
    /// The audit log's path: `audit_log`, or `audit.jsonl` in the data folder.
    public var auditLogPath: String {
        auditLog ?? URL(fileURLWithPath: dataDir).appendingPathComponent("audit.jsonl").path
    }

    /// The prediction store's file: `store`, else `<data_dir>/predictions.sqlite`.
    public var storePath: String {
        store ?? URL(fileURLWithPath: dataDir).appendingPathComponent("predictions.sqlite").path
    }

    /// The data folder a server uses when nothing says otherwise.
    public static func defaultDataDir(_ environment: [String: String]) -> String {
        if let dir = environment["LUMEN_DATA_DIR"], !dir.isEmpty { return dir }
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/lumen" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/lumen"
    }

    public var resolvedComputeThreads: Int {
        computeThreads > 0 ? computeThreads : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Whether `host` only accepts connections from this machine.
    /// Decided on the parsed address: "localhost", an IPv4 address in 127.0.0.0/8 (four decimal
    /// octets, so "127.example.com" is not one) or ::1.
    public var bindsLoopback: Bool {
        let name = host.lowercased()
        if name == "localhost" || name == "::1" || name == "[::1]" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4,
            octets.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) && UInt8($0) != nil })
        else { return false }
        return octets[0] == "127"
    }

    /// Refuses settings that cannot work or are unsafe.
    public func validate(tokens: TokenStore) throws(ServerError) {
        guard (0...65535).contains(port) else { throw .configuration("port \(port) is outside 0…65535") }
        guard maxBodyBytes >= 1024 else { throw .configuration("max_body_bytes must be at least 1024") }
        guard maxPixels >= 1 else { throw .configuration("max_pixels must be positive") }
        guard memoryBudgetBytes >= 1 << 20 else { throw .configuration("memory_budget_bytes must be at least 1 MiB") }
        guard requestTimeoutSeconds > 0 else { throw .configuration("request_timeout_seconds must be positive") }
        guard idleTimeoutSeconds > 0, idleTimeoutSeconds <= 3600 else {
            throw .configuration("idle_timeout_seconds must lie in (0, 3600]")
        }
        guard auditRotateBytes == 0 || auditRotateBytes >= 4096 else {
            throw .configuration("audit_rotate_bytes must be 0 (never rotate) or at least 4096")
        }
        guard maxConnections >= 1 else { throw .configuration("max_connections must be at least 1") }
        guard driftIntervalMinutes >= 0, driftIntervalMinutes.isFinite, driftWindowHours > 0, driftWindowHours.isFinite
        else {
            throw .configuration("drift_interval_minutes must be ≥ 0 (0: off) and drift_window_hours > 0")
        }
        guard storeRetentionDays >= 0, storeRetentionDays.isFinite, storeMaxRows >= 0 else {
            throw .configuration("store_retention_days and store_max_rows must be ≥ 0 (0 keeps everything)")
        }
        guard computeThreads >= 0, computeQueue >= 0, maxInFlight >= 1 else {
            throw .configuration("compute_threads and compute_queue must be ≥ 0 and max_in_flight ≥ 1")
        }
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw .configuration("unknown log level '\(logLevel)'")
        }
        if tokensFile != nil && tokens.isEmpty {
            throw .configuration(
                "the tokens file \(tokensFile!) lists no tokens: authentication would be off; add tokens or drop --tokens-file"
            )
        }
        if !bindsLoopback && tokens.isEmpty && !insecure {
            throw .configuration(
                "refusing to listen on \(host) without bearer tokens: give --tokens-file (or LUMEN_TOKENS), or --insecure to accept anyone who can reach the port"
            )
        }
    }
}
