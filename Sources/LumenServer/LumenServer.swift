import Dispatch
import Foundation
import Hummingbird
import Logging
import LumenNumerics
import ServiceLifecycle
import UnixSignals

/// `lumen serve`: the HTTP JSON API over the engines.
public struct LumenServer: Sendable {
    public let services: LumenServices

    public init(services: LumenServices) {
        self.services = services
        // Requests run side by side on the compute threads; each BLAS call stays on its thread.
        BLAS.useSingleThreadedBLAS()
    }

    /// Every route with its middleware: access (ids, limits, problems, metrics, logs) around all,
    /// then bearer-token roles per group.
    public func makeRouter() -> Router<LumenRequestContext> {
        let router = Router(context: LumenRequestContext.self)
        let table = RouteTable()
        router.add(
            middleware: AccessMiddleware(
                metrics: services.metrics,
                logger: services.logger,
                accessLog: services.configuration.accessLog,
                maxInFlight: services.configuration.maxInFlight,
                routes: table
            )
        )
        SystemRoutes(services: services).add(to: router)
        let viewer = router.group().add(middleware: AuthMiddleware(tokens: services.tokens, role: .viewer))
        let auditor = router.group().add(middleware: AuthMiddleware(tokens: services.tokens, role: .auditor))
        let admin = router.group().add(middleware: AuthMiddleware(tokens: services.tokens, role: .admin))
        ModelRoutes(services: services).addViewer(to: viewer)
        ModelRoutes(services: services).addAdmin(to: admin)
        CAMRoutes(services: services).add(to: viewer)
        RecsRoutes(services: services).addViewer(to: viewer)
        RecsRoutes(services: services).addAuditor(to: auditor)
        FeedbackRoutes(services: services).add(to: viewer)
        MonitorRoutes(services: services).add(to: viewer)
        ObserveRoutes(services: services).add(to: viewer)
        DriftRoutes(services: services).add(to: viewer)
        AuditRoutes(services: services).add(to: auditor)
        table.fill(router.routes.map { (method: $0.method.rawValue, path: $0.path.description) })
        return router
    }

    /// Serves until SIGTERM/SIGINT (graceful: requests in flight finish); SIGHUP reloads models.
    public func run(onRunning: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let configuration = services.configuration
        let cap = services.connections
        let rejection = ParserRejection(
            metrics: services.metrics,
            logger: services.logger,
            accessLog: configuration.accessLog
        )
        let app = Application(
            router: makeRouter(),
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [cap.handler(), rejection.handler()],
                    idleTimeout: .milliseconds(Int64(configuration.idleTimeoutSeconds * 1000))
                )
            ),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "lumen"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: services.logger
        )
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        let services = self.services
        hangup.setEventHandler {
            do {
                let catalog = try services.store.reload()
                services.metrics.reload(succeeded: true)
                services.publishModelMetrics(catalog)
                services.logger.info(
                    "models reloaded on SIGHUP",
                    metadata: ["generation": .string(String(catalog.generation))]
                )
            } catch {
                services.metrics.reload(succeeded: false)
                services.logger.error(
                    "reload on SIGHUP failed; still serving the previous models",
                    metadata: ["error": .string("\(error)")]
                )
            }
        }
        hangup.resume()
        defer { hangup.cancel() }
        // Retention of the prediction store, hourly (and once at start, in LumenServices).
        let pruner = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        pruner.schedule(deadline: .now() + 3600, repeating: 3600)
        pruner.setEventHandler { services.pruneStore() }
        pruner.resume()
        defer { pruner.cancel() }
        // Drift of the observed traffic, every drift_interval_minutes (off at 0).
        let drifter = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        if configuration.driftIntervalMinutes > 0 {
            let interval = configuration.driftIntervalMinutes * 60
            drifter.schedule(deadline: .now() + interval, repeating: interval)
            drifter.setEventHandler { services.checkServedDrift() }
            drifter.resume()
        }
        defer { if configuration.driftIntervalMinutes > 0 { drifter.cancel() } }
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        try await services.compute.shutdown()
    }
}
