import Foundation
import GRDB
import LumenTestSupport
import Testing

@testable import LumenMonitoring
@testable import LumenServer

@Suite("Observed predictions")
struct ObserveRoutesTests {
    @Test("a prediction from a model Lumen does not run is stored with its features, scored by feedback and windowed")
    func observedPredictionsAreMonitored() async throws {
        let server = try TestServer(models: try ServerFixtures.smallModels())
        let posted = try await server.post(
            "/v1/observe",
            json: [
                "model": "fraud-v3", "id": "txn-1", "label": "fraud", "probabilities": ["fraud": 0.8, "ok": 0.2],
                "features": ["amount": 12.5, "country": "DE", "new_card": true, "device": NSNull()],
            ]
        )
        #expect(posted.status == 202, "\(posted.text)")
        #expect(try posted.json()["id"] as? String == "txn-1")
        let stored = try #require(try server.services.predictions.answer("txn-1"))
        #expect(
            stored.features == [
                "amount": .number(12.5), "country": .text("DE"), "new_card": .flag(true), "device": .missing,
            ]
        )
        #expect(stored.prediction == .label(label: "fraud", confidence: 0.8, scores: ["fraud": 0.8, "ok": 0.2]))
        let generated = try await server.post("/v1/observe", json: ["model": "fraud-v3", "label": "ok"]).json()
        #expect((generated["id"] as? String ?? "").hasPrefix("exp-"))
        #expect(
            try await server.post("/v1/observe", json: ["model": "fraud-v3", "id": "txn-1", "label": "ok"]).status
                == 409
        )
        let feedback = try await server.post("/v1/feedback", json: ["id": "txn-1", "label": "ok"])
        #expect(feedback.status == 202)
        #expect(try feedback.json()["outcome"] as? String == "incorrect")
        let window = try await server.get("/v1/monitor/fraud-v3").json()
        #expect(window["answers"] as? Int == 2 && window["with_feedback"] as? Int == 1)
        let rated = try await server.post(
            "/v1/observe",
            json: ["model": "ranker", "user": "u1", "item": "i9", "rating": 4.5]
        ).json()
        let scored = try await server.post("/v1/feedback", json: ["id": rated["id"] as! String, "rating": 3.5]).json()
        #expect(scored["absolute_error"] as? Double == 1)
    }

    @Test("observations that say nothing, or too much, are refused with the reason")
    func badObservations() async throws {
        let server = ServerFixtures.shared
        #expect(try await server.post("/v1/observe", json: ["model": "m"]).status == 422)
        #expect(try await server.post("/v1/observe", json: ["model": "", "label": "x"]).status == 400)
        #expect(
            try await server.post("/v1/observe", json: ["model": "m", "label": "x", "probabilities": ["x": 1.5]]).status
                == 422
        )
        #expect(try await server.post("/v1/observe", json: ["model": "m", "rating": 3]).status == 422)
        #expect(
            try await server.post("/v1/observe", json: ["model": "m", "label": "x", "features": ["f": [1, 2]]]).status
                == 400
        )
        let many = Dictionary(uniqueKeysWithValues: (0...1000).map { ("f\($0)", 1) })
        #expect(
            try await server.post("/v1/observe", json: ["model": "m", "label": "x", "features": many]).status == 422
        )
    }
}

@Suite("Prediction store faults")
struct StoreFaultTests {
    @Test("an answer the store cannot keep is not served (503 with Retry-After) and /readyz fails until writes work")
    func unwritableStoreRefusesAnswers() async throws {
        let server = try TestServer(models: try ServerFixtures.smallModels())
        #expect(try await server.get("/readyz").status == 200)
        // Break the store under the running server: its answer table disappears.
        try await server.services.predictions.pool.write { db in
            try db.execute(sql: "ALTER TABLE answer RENAME TO gone")
        }
        let refused = try await server.get("/v1/recs/emf-synthetic/users/u4/items/i2/explanation")
        #expect(refused.status == 503, "\(refused.text)")
        #expect(refused.header("Retry-After") == "5")
        #expect(try refused.json()["type"] as? String ?? "" != "")
        let ready = try await server.get("/readyz")
        #expect(ready.status == 503 && ready.text.contains("prediction store"))
        let observed = try await server.post("/v1/observe", json: ["model": "m", "label": "x"])
        #expect(
            observed.status == 503 && !observed.text.contains("no such table"),
            "the store's own error stays in the log"
        )
    }

    @Test("a store file deleted under the server makes /readyz fail")
    func deletedStoreIsNotReady() async throws {
        let server = try TestServer(models: try ServerFixtures.smallModels())
        try FileManager.default.removeItem(atPath: server.services.configuration.storePath)
        let ready = try await server.get("/readyz")
        #expect(ready.status == 503 && ready.text.contains("cannot be written"))
    }
}
