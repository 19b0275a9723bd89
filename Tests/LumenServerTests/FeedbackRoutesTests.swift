import Foundation
import HTTPTypes
import LumenMonitoring
import LumenTestSupport
import Testing

@testable import LumenServer

@Suite("Feedback")
struct FeedbackRoutesTests {
    @Test("classification feedback drives accuracy") func classificationFeedbackDrivesAccuracy() async throws {
        let server = try TestServer(models: try ServerFixtures.smallModels())
        try server.services.predictions.record(
            ServerFixtures.answer("exp-a", model: "cats", label: "tabby", confidence: 0.8)
        )
        try server.services.predictions.record(
            ServerFixtures.answer("exp-b", model: "cats", label: "tabby", confidence: 0.6)
        )
        let right = try await server.post("/v1/feedback", json: ["id": "exp-a", "label": "tabby"])
        #expect(right.status == 202)
        #expect(try right.json()["accuracy"] as? Double == 1)
        let wrong = try await server.post("/v1/feedback", json: ["id": "exp-b", "label": "lynx"])
        #expect(try wrong.json()["outcome"] as? String == "incorrect")
        #expect(try wrong.json()["accuracy"] as? Double == 0.5)
        let metrics = try await server.get("/metrics").text
        #expect(metrics.contains(#"lumen_feedback_accuracy_ratio{model="cats"} 0.5"#))
        #expect(metrics.contains(#"lumen_feedback_total{model="cats",outcome="incorrect"} 1"#))
    }

    @Test("rating feedback scores the served prediction") func ratingFeedbackScoresTheServedPrediction() async throws {
        let server = try TestServer(models: try ServerFixtures.smallModels())
        let answer = try await server.get("/v1/recs/emf-synthetic/users/u4/items/i2/explanation").json()
        let predicted = (answer["explanation"] as! [String: Any])["predicted_rating"] as! Double
        let reply = try await server.post("/v1/feedback", json: ["id": answer["id"] as! String, "rating": 1.0])
        #expect(reply.status == 202)
        #expect(abs((try reply.json()["absolute_error"] as? Double ?? -1) - abs(predicted - 1)) < 1e-6)
        let list = try await server.get("/v1/recs/emf-synthetic/users/u4/recommendations?n=3").json()
        let ambiguous = try await server.post("/v1/feedback", json: ["id": list["id"] as! String, "rating": 4.0])
        #expect(ambiguous.status == 422)
    }

    @Test("feedback counts once per answer and a refused post leaves it open")
    func feedbackCountsOncePerAnswerAndARefusedPostLeavesItOpen() async throws {
        let server = try TestServer(models: try ServerFixtures.smallModels())
        try server.services.predictions.record(
            ServerFixtures.answer("exp-c", model: "cats", label: "tabby", confidence: 0.8)
        )
        #expect(try await server.post("/v1/feedback", json: ["id": "exp-c"]).status == 422)  // no label: not counted
        #expect(try await server.post("/v1/feedback", json: ["id": "exp-c", "label": "tabby"]).status == 202)
        let again = try await server.post("/v1/feedback", json: ["id": "exp-c", "label": "lynx"])
        #expect(again.status == 409)
        #expect(try again.json()["type"] as? String ?? "" != "")
        let metrics = try await server.get("/metrics").text
        #expect(metrics.contains(#"lumen_feedback_accuracy_ratio{model="cats"} 1"#))
    }

    @Test("a restarted server keeps the accuracy gauges of the stored feedback and serves window metrics")
    func restartKeepsAccuracyAndWindows() async throws {
        let data = try Fixtures.temporaryDirectory()
        let first = try TestServer(models: try ServerFixtures.smallModels()) { $0.dataDir = data.path }
        for (k, truth) in ["tabby", "tabby", "lynx", "tabby"].enumerated() {
            try first.services.predictions.record(
                ServerFixtures.answer("e\(k)", model: "cats", label: "tabby", confidence: 0.9)
            )
            #expect(try await first.post("/v1/feedback", json: ["id": "e\(k)", "label": truth]).status == 202)
        }
        let second = try TestServer(models: try ServerFixtures.smallModels()) { $0.dataDir = data.path }
        #expect(try await second.get("/metrics").text.contains(#"lumen_feedback_accuracy_ratio{model="cats"} 0.75"#))
        #expect(try await second.post("/v1/feedback", json: ["id": "e0", "label": "tabby"]).status == 409)
        let window = try await second.get("/v1/monitor/cats").json()
        #expect(window["answers"] as? Int == 4 && window["with_feedback"] as? Int == 4)
        let classification = try #require(window["classification"] as? [String: Any])
        #expect(classification["accuracy"] as? Double == 0.75)
        #expect(classification["labels"] as? [String] == ["lynx", "tabby"])
        #expect(classification["confusion"] as? [[Int]] == [[0, 1], [0, 3]])
        let empty = try await second.get("/v1/monitor/cats?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z").json()
        #expect(empty["answers"] as? Int == 0)
        #expect(try await second.get("/v1/monitor/cats?from=yesterday").status == 400)
        #expect(try await second.get("/v1/monitor/cats?from=2026-01-02&to=2026-01-01").status == 400)
    }

    @Test("answer i ds are 128 random bits") func answerIDsAre128RandomBits() {
        let ids = (0..<200).map { _ in ServerFixtures.shared.services.audit.nextID() }
        #expect(Set(ids).count == ids.count)
        #expect(
            ids.allSatisfy { $0.hasPrefix("exp-") && $0.count == 4 + 32 && $0.dropFirst(4).allSatisfy(\.isHexDigit) }
        )
        // No shared prefix between consecutive ids (a counter would share all but the last digits).
        let shared = zip(ids, ids.dropFirst()).map { a, b in
            zip(a.dropFirst(4), b.dropFirst(4)).prefix { $0 == $1 }.count
        }
        #expect(shared.max()! < 8)
    }

    @Test("unknown i ds and bad bodies are refused") func unknownIDsAndBadBodiesAreRefused() async throws {
        let server = ServerFixtures.shared
        #expect(try await server.post("/v1/feedback", json: ["id": "exp-never", "label": "x"]).status == 404)
        #expect(try await server.post("/v1/feedback", json: ["label": "x"]).status == 400)
        #expect(
            try await server.send(
                .post,
                "/v1/feedback",
                headers: ["Content-Type": "text/plain"],
                body: Array("hi".utf8)
            ).status == 415
        )
    }
}
