import Foundation
import LumenIO
import LumenRecs
import LumenTestSupport
import Testing

@testable import LumenServer

@Suite("Recommendation routes")
struct RecsRoutesTests {
    let server = ServerFixtures.shared
    var model: EMFModel { server.services.store.catalog.recommenders["emf-synthetic"]!.model }

    @Test("recommendations are the engines list with rationales") func recommendationsAreTheEnginesListWithRationales()
        async throws
    {
        let reply = try await server.get("/v1/recs/emf-synthetic/users/u7/recommendations?n=5")
        #expect(reply.status == 200)
        let json = try reply.json()
        let list = try #require(json["recommendations"] as? [[String: Any]])
        let expected = model.recommend(user: try model.user("u7"), n: 5)
        #expect(list.count == 5)
        for (got, want) in zip(list, expected) {
            let e = try #require(got["explanation"] as? [String: Any])
            #expect(got["rank"] as? Int == want.rank)
            #expect(e["item"] as? String == want.explanation.item)
            #expect(
                abs((e["predicted_rating"] as? Double ?? 0) - Double(want.explanation.predictedRating ?? .nan)) < 1e-5
            )
            #expect(e["sentence"] as? String == want.explanation.sentence)
        }
        #expect(json["id"] as? String == reply.header("Lumen-Explanation-Id"))
        #expect(
            json["model_version"] as? String
                == server.services.store.catalog.recommenders["emf-synthetic"]!.info.version
        )
    }

    @Test("explainable only lists only items with rationales") func explainableOnlyListsOnlyItemsWithRationales()
        async throws
    {
        let reply = try await server.get("/v1/recs/emf-synthetic/users/u3/recommendations?n=10&explainable_only=true")
        let list = try #require(try reply.json()["recommendations"] as? [[String: Any]])
        #expect(!list.isEmpty)
        #expect(list.allSatisfy { ($0["explanation"] as? [String: Any])?["explainable"] as? Bool == true })
        #expect(try reply.json()["explainable_share"] as? Double == 1)
    }

    @Test("hand written rationale JSON decodes to the engines explanation")
    func handWrittenRationaleJSONDecodesToTheEnginesExplanation() async throws {
        for (user, item) in [("u1", "i1"), ("u42", "i7"), ("u599", "i399")] {
            let reply = try await server.get("/v1/recs/emf-synthetic/users/\(user)/items/\(item)/explanation")
            #expect(reply.status == 200)
            struct Envelope: Decodable { let explanation: Explanation }
            let decoded = try JSONDecoder().decode(Envelope.self, from: Data(reply.body)).explanation
            #expect(decoded == model.explain(user: try model.user(user), item: try model.item(item)))
        }
    }

    @Test(
        "bad requests get problems",
        arguments: [
            ("/v1/recs/emf-synthetic/users/nobody/recommendations", 404),
            ("/v1/recs/emf-synthetic/users/u1/items/nothing/explanation", 404),
            ("/v1/recs/missing/users/u1/recommendations", 404),
            ("/v1/recs/emf-synthetic/users/u1/recommendations?n=0", 400),
            ("/v1/recs/emf-synthetic/users/u1/recommendations?n=abc", 400),
            ("/v1/recs/emf-synthetic/users/u1/recommendations?explainable_only=maybe", 400),
        ]
    )
    func badRequestsGetProblems(path: String, status: Int) async throws {
        let reply = try await server.get(path)
        #expect(reply.status == status)
        #expect(reply.header("Content-Type") == "application/problem+json")
        let problem = try reply.json()
        #expect(problem["status"] as? Int == status)
        #expect((problem["detail"] as? String ?? "").count > 10)
        #expect(problem["request_id"] as? String == reply.header("X-Request-Id"))
    }

    @Test("every answer is in the audit log under its ID") func everyAnswerIsInTheAuditLogUnderItsID() async throws {
        let reply = try await server.get("/v1/recs/emf-synthetic/users/u5/items/i9/explanation")
        let id = try #require(reply.header("Lumen-Explanation-Id"))
        let record = try #require(try server.auditRecords().records.first { $0.id == id })
        #expect(record.route == "/v1/recs/{model}/users/{user}/items/{item}/explanation")
        #expect(record.parameters == ["user": "u5", "item": "i9"])
        #expect(record.model == "emf-synthetic")
        #expect(record.inputsDigest == SHA256.hex("user=u5&item=i9"))
        #expect(
            record.outcome
                == (try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any]).flatMap {
                    ($0["explanation"] as? [String: Any])?["sentence"] as? String
                }
        )
    }

    @Test("path parameters are percent decoded") func pathParametersArePercentDecoded() async throws {
        let folder = try Fixtures.temporaryDirectory()
        var model = try EMFModelFile.load(
            ServerFixtures.repository.appendingPathComponent("models/emf-synthetic.safetensors")
        )
        model.users = IDMap(ids: model.users.ids.map { $0 == "u1" ? "user 1" : $0 == "u2" ? "josé" : $0 })
        try EMFModelFile.save(
            model,
            to: folder.appendingPathComponent("emf-synthetic.safetensors"),
            lumenVersion: "test"
        )
        let server = try TestServer(models: folder)
        let spaced = try await server.get("/v1/recs/emf-synthetic/users/user%201/recommendations?n=2")
        #expect(spaced.status == 200)
        #expect(try spaced.json()["user"] as? String == "user 1")
        #expect(try await server.get("/v1/recs/emf-synthetic/users/jos%C3%A9/items/i2/explanation").status == 200)
        #expect(try await server.get("/v1/recs/emf-synthetic/users/%ZZ/recommendations").status == 400)
        try? FileManager.default.removeItem(at: folder)
    }
}
