import ArgumentParser
import Foundation
import LumenRecs
import LumenTestSupport
import Testing

@testable import LumenCommands

@Suite("lumen recs")
struct RecsCommandTests {
    func run(_ arguments: [String]) throws {
        var command = try Lumen.parseAsRoot(["recs"] + arguments)
        try command.run()
    }

    @Test("train writes a model that recommend, explain and inspect can read")
    func trainThenQuery() throws {
        let dir = try Fixtures.temporaryDirectory()
        let model = dir.appendingPathComponent("m.safetensors").path
        try run([
            "train", "--ratings", Fixtures.url("recs/train.tsv").path, "--out", model, "--epochs", "3", "--neighbours",
            "5", "--quiet",
        ])
        let loaded = try EMFModelFile.load(URL(fileURLWithPath: model))
        #expect(loaded.metrics["rmse"] != nil && loaded.hyperparameters.epochs == 3)
        let json = dir.appendingPathComponent("recommend.json")
        try run(["recommend", "--model", model, "--user", "u3", "-n", "4", "--json", json.path])
        let written = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [[String: Any]]
        #expect(written?.count == 4 && written?.first?["rank"] as? Int == 1)
        try run(["recommend", "--model", model, "--user", "u3", "-n", "4", "--json", "-"])
        let explained = dir.appendingPathComponent("explain.json")
        try run(["explain", "--model", model, "--user", "u3", "--item", "m5", "--json", explained.path])
        let e = try JSONSerialization.jsonObject(with: Data(contentsOf: explained)) as? [String: Any]
        #expect(e?["item"] as? String == "m5" && e?["user"] as? String == "u3")
        try run(["inspect", "--model", model])
    }

    @Test("the shipped synthetic model answers with rationales")
    func shippedModel() throws {
        let model = try EMFModelFile.load(
            Fixtures.root.deletingLastPathComponent().appendingPathComponent("models/emf-synthetic.safetensors")
        )
        let recommendations = model.recommend(user: try model.user("u7"), n: 5, explainableOnly: true)
        #expect(recommendations.count == 5)
        #expect(recommendations.allSatisfy { $0.explanation.explainable && !$0.explanation.sentence.isEmpty })
    }

    @Test(
        "unknown users, malformed ratings, missing files and bad options fail with typed errors",
        arguments: [
            ["recommend", "--model", "models/emf-synthetic.safetensors", "--user", "nobody"],
            ["explain", "--model", "models/emf-synthetic.safetensors", "--user", "u1", "--item", "nothing"],
            ["recommend", "--model", "fixtures/cam/layers.safetensors", "--user", "u1"],
            ["recommend", "--model", "models/none.safetensors", "--user", "u1"],
            ["train", "--ratings", "fixtures/imaging/codecs/bad/not_an_image.png", "--out", "/tmp/never.safetensors"],
            [
                "train", "--ratings", "fixtures/recs/train.tsv", "--out", "/tmp/never.safetensors", "--similarity",
                "euclid",
            ],
            ["evaluate", "--ratings", "fixtures/recs/train.tsv", "--lambdas", "0,-1"],
        ]
    )
    func failures(arguments: [String]) throws {
        let root = Fixtures.root.deletingLastPathComponent()
        let resolved = arguments.map {
            $0.contains("/") && !$0.hasPrefix("/") ? root.appendingPathComponent($0).path : $0
        }
        #expect(throws: (any Error).self) { try run(resolved) }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never.safetensors"))
    }
}
