import Foundation
import HTTPTypes
import LumenRecs
import LumenTestSupport
import Testing

@testable import LumenServer

@Suite("Model reload")
struct ReloadTests {
    @Test("reload swaps the catalog while held catalogs stay intact")
    func reloadSwapsTheCatalogWhileHeldCatalogsStayIntact() async throws {
        let models = try ServerFixtures.smallModels()
        let server = try TestServer(models: models)
        let held = server.services.store.catalog
        #expect(held.generation == 1 && held.recommenders["emf-synthetic"] != nil)
        try FileManager.default.moveItem(
            at: models.appendingPathComponent("emf-synthetic.safetensors"),
            to: models.appendingPathComponent("emf-renamed.safetensors")
        )
        let reply = try await server.send(.post, "/v1/admin/reload")
        #expect(reply.status == 200)
        #expect(try reply.json()["generation"] as? Int == 2)
        #expect(try await server.get("/v1/recs/emf-renamed/users/u1/recommendations").status == 200)
        #expect(try await server.get("/v1/recs/emf-synthetic/users/u1/recommendations").status == 404)
        // A request that took the old catalog keeps its model.
        #expect(held.recommenders["emf-synthetic"]!.model.users.count == 600)
    }

    @Test("a broken model fails the reload and the old set keeps serving")
    func aBrokenModelFailsTheReloadAndTheOldSetKeepsServing() async throws {
        let models = try ServerFixtures.smallModels()
        let server = try TestServer(models: models)
        try Data("not a model".utf8).write(to: models.appendingPathComponent("broken.safetensors"))
        let reply = try await server.send(.post, "/v1/admin/reload")
        #expect(reply.status == 422)
        let detail = try reply.json()["detail"] as? String ?? ""
        #expect(detail.contains("broken.safetensors") && detail.contains("still serving generation 1"))
        #expect(server.services.store.catalog.generation == 1)
        #expect(try await server.get("/v1/recs/emf-synthetic/users/u1/recommendations").status == 200)
        #expect(try await server.get("/metrics").text.contains(#"lumen_model_reloads_total{result="failure"} 1"#))
    }
}
