import Foundation
import LumenCAM
import LumenIO
import LumenImaging
import LumenONNX
import LumenTestSupport
import Testing

@testable import LumenExplain

@Suite("EigenCAM through the ONNX runtime")
struct ModelExplainerTests {
    static var models: URL { Fixtures.root.deletingLastPathComponent().appendingPathComponent("models") }

    @Test(
        "EfficientNet-Lite0 calls Chelsea an Egyptian cat, and its heatmap equals the activations-path CAM of onnxruntime's activations"
    )
    func explainsRealModel() throws {
        let explainer = try ModelExplainer(model: Self.models.appendingPathComponent("efficientnet-lite0.onnx"))
        let photo = try ImageDecoder().decode(contentsOf: Fixtures.url("photos/chelsea.jpg"))
        let result = try explainer.explain(photo)
        #expect(result.predictions[0].label == "Egyptian cat")
        #expect(result.predictions[0].probability > 0.5)
        #expect(result.layer == explainer.sidecar.camLayer)
        // The same layer captured by onnxruntime for the fixture's (Pillow-resized) input, through
        // the activations path, against Lumen's capture of the same input.
        let input = try TensorFile.load(Fixtures.url("onnx/effnet_input.npy"))
        let captured = try explainer.session.run(
            ["input": .float(shape: input.shape, data: input.values)],
            capture: [result.layer]
        ).captured[result.layer]!
        let ours = try CAMExplainer().explain(
            [
                NamedActivations(
                    name: "lumen",
                    batch: ActivationBatch(Tensor(shape: captured.shape, values: captured.floats))
                )
            ],
            width: 451,
            height: 300
        )
        let theirs = try CAMExplainer().explain(
            [
                NamedActivations(
                    name: "ort",
                    batch: ActivationBatch(TensorFile.load(Fixtures.url("onnx/effnet_head.npy")))
                )
            ],
            width: 451,
            height: 300
        )
        #expect(maxAbsDifference(ours[0].heatmap.values, theirs[0].heatmap.values) <= 1e-4)
    }

    @Test("the automatic layer is the last spatial block")
    func autoLayer() throws {
        let explainer = try ModelExplainer(model: Self.models.appendingPathComponent("efficientnet-lite0.onnx"))
        let last = try #require(try explainer.candidateLayers().last)
        #expect(last.shape == [1, 1280, 7, 7])
    }

    @Test("a missing sidecar, missing fields and bad values give clear errors")
    func sidecarErrors() throws {
        let dir = try Fixtures.temporaryDirectory()
        let model = dir.appendingPathComponent("m.onnx")
        try AtomicFile.write(try Fixtures.bytes("onnx/ops/act_relu.onnx"), to: model)
        #expect(throws: FileError.self) { _ = try ModelSidecar.load(forModel: model) }
        try AtomicFile.write(text: #"{"task": "classify"}"#, to: dir.appendingPathComponent("m.json"))
        #expect {
            _ = try ModelSidecar.load(forModel: model)
        } throws: { "\($0)".contains("missing field 'input'") }
        /// Writes a sidecar with one field changed and returns why loading it failed.
        func refusal(
            task: String = "classify",
            size: (Int, Int) = (4, 4),
            order: String = "RGB",
            mean: String = "0,0,0"
        )
            throws -> String?
        {
            let text =
                #"{"task": "\#(task)", "input": {"name": "x", "width": \#(size.0), "height": \#(size.1), "resize": "stretch", "channel_order": "\#(order)", "mean": [\#(mean)], "std": [1,1,1]}}"#
            try AtomicFile.write(text: text, to: dir.appendingPathComponent("m.json"))
            do {
                _ = try ModelSidecar.load(forModel: model)
                return nil
            } catch let error as ExplainError {
                guard case .badSidecar(let path, let reason) = error, path.hasSuffix("m.json") else {
                    return "\(error)"
                }
                return reason
            }
        }
        #expect(try refusal() == nil)
        #expect(try refusal(task: "segment") == "task 'segment' is not supported (classify or detect)")
        #expect(try refusal(order: "GBR") == "input.channel_order 'GBR' is not supported (RGB or BGR)")
        #expect(try refusal(mean: "0,0") == "mean and std need three values each, std non-zero")
        // Sizes whose product overflows Int, or that no model takes, are refused (they trapped).
        for size in [(1 << 40, 1 << 40), (4_611_686_018_427_387_904, 2), (20_000, 1), (0, 4)] {
            #expect(try refusal(size: size) == "input size \(size.0)x\(size.1) is invalid", "\(size)")
        }
        try? FileManager.default.removeItem(at: dir)
    }
}

@Suite("Faithfulness metrics")
struct FaithfulnessTests {
    @Test("verdicts: beyond two standard deviations of the random areas, in the direction that is better")
    func verdicts() {
        let random = RandomBaseline([0.4, 0.5, 0.6])
        #expect(abs(random.standardDeviation - 0.0816) < 1e-3)
        #expect(FaithfulnessVerdict.judge(0.2, against: random, lowerIsBetter: true) == .betterThanRandom)
        #expect(FaithfulnessVerdict.judge(0.2, against: random, lowerIsBetter: false) == .worseThanRandom)
        #expect(FaithfulnessVerdict.judge(0.6, against: random, lowerIsBetter: true) == .withinRandomSpread)
        #expect(FaithfulnessVerdict.judge(0.7, against: random, lowerIsBetter: false) == .betterThanRandom)
    }

    @Test("deleting the pixels EigenCAM highlights removes the espresso faster than deleting random pixels")
    func deletionBeatsRandom() throws {
        let explainer = try ModelExplainer(
            model: ModelExplainerTests.models.appendingPathComponent("efficientnet-lite0.onnx")
        )
        let photo = try ImageDecoder().decode(contentsOf: Fixtures.url("photos/coffee.jpg"))
        let result = try explainer.explain(photo)
        let report = try explainer.faithfulness(
            input: try explainer.preprocess(photo),
            heatmap: result.map.heatmap,
            classIndex: result.predictions[0].index,
            steps: 5,
            seeds: 3
        )
        #expect(report.deletionCurve.count == 6 && report.insertionCurve.count == 6)
        #expect(abs(report.deletionCurve[0] - result.predictions[0].probability) < 1e-5)
        #expect(report.deletionCurve.first == report.insertionCurve.last)
        #expect(report.deletionCurve.last == report.insertionCurve.first)
        #expect(report.deletionCurve.allSatisfy { (0...1).contains($0) })
        #expect(report.deletionAUC < report.randomDeletion.mean)
        #expect(report.insertionAUC > report.randomInsertion.mean)
        #expect(report.randomDeletion.areas.count == 3 && report.randomDeletion.standardDeviation > 0)
        // Measured: insertion 0.72 against random 0.12 ± 0.02; deletion 0.105 against 0.127 ± 0.020
        // (scattered random deletion wrecks the photo's texture about as fast as deleting the cup).
        #expect(report.insertionVerdict == .betterThanRandom)
        #expect(report.dropInConfidence == max(-report.confidenceChange, 0))
    }
}
