import Foundation
import HTTPTypes
import LumenTestSupport
import Testing

@testable import LumenServer

@Suite("Feedback")
struct FeedbackRoutesTests {
    @Test("classification feedback drives accuracy") func classificationFeedbackDrivesAccuracy() async throws {
        let server = try TestServer(models: try ServerFixtures.smallModels())
        server.services.ledger.record("exp-a", .label(model: "cats", label: "tabby", confidence: 0.8))
        server.services.ledger.record("exp-b", .label(model: "cats", label: "tabby", confidence: 0.6))
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
        server.services.ledger.record("exp-c", .label(model: "cats", label: "tabby", confidence: 0.8))
        #expect(try await server.post("/v1/feedback", json: ["id": "exp-c"]).status == 422)  // no label: not counted
        #expect(try await server.post("/v1/feedback", json: ["id": "exp-c", "label": "tabby"]).status == 202)
        let again = try await server.post("/v1/feedback", json: ["id": "exp-c", "label": "lynx"])
        #expect(again.status == 409)
        #expect(try again.json()["type"] as? String ?? "" != "")
        let metrics = try await server.get("/metrics").text
        #expect(metrics.contains(#"lumen_feedback_accuracy_ratio{model="cats"} 1"#))
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
