import ArgumentParser
import Foundation
import Logging
import LumenServer
import Metrics
import Prometheus

/// `lumen serve`: the HTTP JSON API with Prometheus metrics and an audit trail.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve explanations over HTTP (JSON API, Prometheus /metrics, audit log).",
        discussion: """
            Settings come from defaults, then --config (JSON, snake_case keys), then LUMEN_* \
            environment variables, then these flags. SIGHUP or POST /v1/admin/reload reloads the \
            models folder; SIGTERM/SIGINT stop after requests in flight finish.
            """
    )

    @Option(help: "JSON config file.") var config: String?
    @Option(help: "Folder of models to load (default: models).") var models: String?
    @Option(help: "Address to bind (default: 127.0.0.1).") var host: String?
    @Option(help: "Port (default: 8080; 0 picks a free one).") var port: Int?
    @Option(
        name: .customLong("tokens-file"),
        help: "Bearer tokens, one 'role name token' per line (roles: viewer, auditor, admin)."
    ) var tokensFile: String?
    @Flag(help: "Allow a non-loopback address without tokens.") var insecure = false
    @Option(name: .customLong("max-body-bytes"), help: "Largest request body (default: 20000000).") var maxBodyBytes:
        Int?
    @Option(name: .customLong("request-timeout"), help: "Seconds before a request is answered 503 (default: 30).")
    var requestTimeout: Double?
    @Option(name: .customLong("compute-threads"), help: "Threads for heavy work (default: one per core).")
    var computeThreads: Int?
    @Option(
        name: .customLong("idle-timeout"),
        help: "Seconds a connection may go without a complete request head (default: 15)."
    ) var idleTimeout: Double?
    @Option(
        name: .customLong("max-connections"),
        help: "Connections held at once; more are closed at accept (default: 512)."
    ) var maxConnections: Int?
    @Option(
        name: .customLong("data-dir"),
        help:
            "Folder for what the server writes (default: $LUMEN_DATA_DIR, $XDG_STATE_HOME/lumen or ~/.local/state/lumen)."
    ) var dataDir: String?
    @Option(name: .customLong("audit-log"), help: "Audit log file (default: DATA_DIR/audit.jsonl).") var auditLog:
        String?
    @Option(
        name: .customLong("audit-rotate-bytes"),
        help: "Rotate the audit log past this size to <audit-log>.000001, … (default: 268435456; 0: never)."
    ) var auditRotateBytes: Int?
    @Option(
        name: .customLong("store"),
        help:
            "Prediction store: every answer and its posted ground truth, SQLite (default: DATA_DIR/predictions.sqlite)."
    ) var store: String?
    @Option(
        name: .customLong("store-retention-days"),
        help: "Prune stored answers older than this many days (default: 90; 0: keep all)."
    ) var storeRetentionDays: Double?
    @Option(
        name: .customLong("store-max-rows"),
        help: "Keep at most this many stored answers, the newest (default: 10000000; 0: no cap)."
    ) var storeMaxRows: Int?
    @Option(
        name: .customLong("drift-interval-minutes"),
        help:
            "Minutes between drift checks of observed traffic against same-named features profiles (default: 60; 0: off)."
    ) var driftIntervalMinutes: Double?
    @Option(
        name: .customLong("max-pixels"),
        help: "Largest decoded image, in pixels (default: 40000000)."
    ) var maxPixels: Int?
    @Option(
        name: .customLong("memory-budget-mb"),
        help: "Memory for in-flight image work, in MiB; past it requests get 503 (default: half the RAM)."
    ) var memoryBudgetMB: Int?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?
    @Flag(name: .customLong("no-access-log"), help: "Do not log one line per request.") var noAccessLog = false

    func run() async throws { try await serve() }

    func serve() async throws {
        do {
            var settings = try config.map { try ServerConfiguration.load(file: $0) } ?? ServerConfiguration()
            try settings.apply(environment: ProcessInfo.processInfo.environment)
            if let models { settings.models = models }
            if let host { settings.host = host }
            if let port { settings.port = port }
            if let tokensFile { settings.tokensFile = tokensFile }
            if insecure { settings.insecure = true }
            if let maxBodyBytes { settings.maxBodyBytes = maxBodyBytes }
            if let requestTimeout { settings.requestTimeoutSeconds = requestTimeout }
            if let computeThreads { settings.computeThreads = computeThreads }
            if let idleTimeout { settings.idleTimeoutSeconds = idleTimeout }
            if let maxConnections { settings.maxConnections = maxConnections }
            if let dataDir { settings.dataDir = dataDir }
            if let auditLog { settings.auditLog = auditLog }
            if let auditRotateBytes { settings.auditRotateBytes = auditRotateBytes }
            if let store { settings.store = store }
            if let storeRetentionDays { settings.storeRetentionDays = storeRetentionDays }
            if let storeMaxRows { settings.storeMaxRows = storeMaxRows }
            if let driftIntervalMinutes { settings.driftIntervalMinutes = driftIntervalMinutes }
            if let maxPixels { settings.maxPixels = maxPixels }
            if let memoryBudgetMB {
                let (bytes, overflow) = memoryBudgetMB.multipliedReportingOverflow(by: 1 << 20)
                settings.memoryBudgetBytes = memoryBudgetMB < 0 ? -1 : (overflow ? .max : bytes)
            }
            if let logLevel { settings.logLevel = logLevel }
            if noAccessLog { settings.accessLog = false }

            // Before loading any model: a taken port is reported at once, by address.
            try PortProbe.ensureAvailable(host: settings.host, port: settings.port)
            let level = Logger.Level(rawValue: settings.logLevel) ?? .info
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
            let metrics = ServerMetrics()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
            let logger = Logger(label: "lumen")
            let services = try LumenServices(configuration: settings, logger: logger, metrics: metrics)
            let catalog = services.store.catalog
            logger.info(
                "models loaded",
                metadata: [
                    "folder": .string(settings.models),
                    "models": .string(
                        catalog.infos.map { "\($0.kind):\($0.name)@\($0.version)" }.joined(separator: " ")
                    ),
                    "auth": .string(services.tokens.isEmpty ? "off" : "\(services.tokens.count) token(s)"),
                ]
            )
            let boundHost = settings.host
            try await LumenServer(services: services).run { port in
                logger.info("listening", metadata: ["host": .string(boundHost), "port": .string(String(port))])
            }
        } catch let error as ServerError {
            throw ValidationError(error.description)
        }
    }
}
