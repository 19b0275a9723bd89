import Hummingbird
import Logging
import LumenIO

/// `GET /v1/models` (viewer) and `POST /v1/admin/reload` (admin).
struct ModelRoutes {
    let services: LumenServices

    struct Listing: Encodable {
        let generation: Int
        let loadedAt: String
        let directory: String
        let models: [ModelCatalog.Info]

        init(_ catalog: ModelCatalog) {
            generation = catalog.generation
            loadedAt = catalog.loadedAt
            directory = catalog.directory
            models = catalog.infos
        }

        enum CodingKeys: String, CodingKey {
            case generation, directory, models
            case loadedAt = "loaded_at"
        }
    }

    func addViewer(to group: RouterGroup<LumenRequestContext>) {
        group.get("/v1/models") { _, _ in try Respond.json(encoding: Listing(services.store.catalog)) }
    }

    func addAdmin(to group: RouterGroup<LumenRequestContext>) {
        group.post("/v1/admin/reload") { request, context in
            let before = services.store.catalog.generation
            let catalog: ModelCatalog
            do {
                catalog = try await services.compute.run { try services.store.reload() }
            } catch let error as ServerError {
                services.metrics.reload(succeeded: false)
                services.logger.warning("reload failed", metadata: ["error": .string(error.description)])
                throw Problem(
                    .unprocessableContent,
                    "reload-failed",
                    "Reload failed",
                    detail: "\(error.description); still serving generation \(before)"
                )
            }
            services.metrics.reload(succeeded: true)
            services.publishModelMetrics(catalog)
            services.logger.info(
                "models reloaded",
                metadata: [
                    "generation": .string(String(catalog.generation)), "models": .string(String(catalog.infos.count)),
                ]
            )
            let id = services.audit.nextID()
            try services.record(
                id: id,
                request: request,
                context: context,
                model: nil,
                version: nil,
                digest: SHA256.hex(catalog.infos.map { "\($0.name)@\($0.version)" }.joined(separator: ",")),
                parameters: ["generation": String(catalog.generation)],
                outcome: "reloaded \(catalog.infos.count) model(s)"
            )
            return try Respond.json(encoding: Listing(catalog), headers: [.explanationID: id])
        }
    }
}
