import Foundation
import LumenIO
import LumenTestSupport
import Testing

@testable import LumenRecs

@Suite("EMF model files and explanations")
struct ModelFileTests {
    static func trained() throws -> EMFModel {
        var h = EMFHyperparameters()
        h.epochs = 5
        h.neighbors = 5
        return try EMFTrainer(hyperparameters: h).train(RecsFixture.train())
    }

    @Test("a saved model loads back with identical factors, neighbours, ratings and metadata")
    func roundTrip() throws {
        var model = try Self.trained()
        model.metrics = ["rmse": 0.91]
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("m.safetensors")
        try EMFModelFile.save(model, to: url, lumenVersion: "test")
        let loaded = try EMFModelFile.load(url)
        #expect(loaded.userFactors == model.userFactors && loaded.itemFactors == model.itemFactors)
        #expect(loaded.userBias == model.userBias && loaded.itemBias == model.itemBias)
        #expect(loaded.neighborhood.neighbors == model.neighborhood.neighbors)
        #expect(loaded.training.userValues == model.training.userValues)
        #expect(loaded.hyperparameters == model.hyperparameters)
        #expect(loaded.users == model.users && loaded.items == model.items)
        #expect(loaded.metrics == ["rmse": 0.91] && loaded.fingerprint == model.fingerprint)
        for u in [0, 7, 20] { #expect(loaded.explain(user: u, item: 3) == model.explain(user: u, item: 3)) }
    }

    @Test("truncated, foreign and inconsistent files are refused with a clear error")
    func badFiles() throws {
        let model = try Self.trained()
        let dir = try Fixtures.temporaryDirectory()
        let url = dir.appendingPathComponent("m.safetensors")
        try EMFModelFile.save(model, to: url, lumenVersion: "test")
        let bytes = [UInt8](try Data(contentsOf: url))
        let truncated = dir.appendingPathComponent("t.safetensors")
        try AtomicFile.write(bytes.prefix(bytes.count / 2), to: truncated)
        #expect(throws: RecsError.self) { _ = try EMFModelFile.load(truncated) }
        // A valid safetensors file that is not a Lumen model (the CAM fixture).
        #expect(throws: RecsError.self) { _ = try EMFModelFile.load(Fixtures.url("cam/layers.safetensors")) }
        var writer = SafetensorsWriter()
        writer.add("user_factors", shape: [1, 1], floats: [0])
        writer.metadata = ["format": EMFModelFile.format]
        let partial = dir.appendingPathComponent("p.safetensors")
        try writer.write(to: partial)
        #expect(throws: RecsError.self) { _ = try EMFModelFile.load(partial) }
        #expect(throws: FileError.self) { _ = try EMFModelFile.load(dir.appendingPathComponent("missing.safetensors")) }
    }

    @Test("an explanation lists the neighbours who rated the item, their histogram and one sentence")
    func explanationContents() throws {
        let (model, _) = try RecsFixture.fixedModel()
        let u = try model.user("u0")
        var found = false
        for i in 0..<model.items.count where model.training.rating(user: u, item: Int32(i)) == nil {
            let e = model.explain(user: u, item: i)
            let raters = model.neighborhood.of(u).filter {
                model.training.rating(user: $0.user, item: Int32(i)) != nil
            }
            #expect(e.neighbors.count == raters.count)
            #expect(e.histogram.good + e.histogram.neutral + e.histogram.bad == raters.count)
            #expect(e.explainable == !raters.isEmpty)
            if raters.count >= 2 {
                found = true
                #expect(e.sentence.hasPrefix("\(raters.count) of your 5 most similar users rated it"))
                #expect(e.sentence.contains("\(e.histogram.good) of them 4★ or more"))
            }
        }
        #expect(found)
        #expect(throws: RecsError.unknownUser("nobody")) { _ = try model.user("nobody") }
        #expect(throws: RecsError.unknownItem("m-1")) { _ = try model.item("m-1") }
    }
}
