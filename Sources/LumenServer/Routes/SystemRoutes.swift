import Hummingbird
import LumenMonitoring

/// `GET /healthz`, `GET /readyz`, `GET /metrics`, `GET /openapi.yaml`, `GET /` (the docs page): open to everyone
/// (probes,
/// Prometheus, and the API's contract).
struct SystemRoutes {
    let services: LumenServices

    func add(to router: Router<LumenRequestContext>) {
        router.get("/healthz") { _, _ in
            var w = JSONWriter()
            w.beginObject()
            w.field("status", "ok")
            w.endObject()
            return Respond.json(w.bytes)
        }
        router.get("/readyz") { _, _ in
            let catalog = services.store.catalog
            guard !catalog.isEmpty else {
                throw Problem(
                    .serviceUnavailable,
                    "not-ready",
                    "Not ready",
                    detail: "no models are loaded from \(catalog.directory); add some and reload"
                )
            }
            // Every answer is recorded before it is served: without the log nothing can be answered.
            if let problem = services.audit.problem() ?? services.predictions.problem() {
                throw Problem(.serviceUnavailable, "not-ready", "Not ready", detail: problem)
            }
            var w = JSONWriter()
            w.beginObject()
            w.field("status", "ready")
            w.field("generation", catalog.generation)
            w.field("models", catalog.infos.count)
            w.endObject()
            return Respond.json(w.bytes)
        }
        router.get("/") { _, _ in
            Respond.bytes(Array(DocsPage.html.utf8), contentType: "text/html; charset=utf-8")
        }
        router.get("/openapi.yaml") { _, _ in
            Respond.bytes(Array(OpenAPIDocument.yaml.utf8), contentType: "application/yaml; charset=utf-8")
        }
        router.get("/metrics") { _, _ in
            Respond.bytes(services.metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }
}
