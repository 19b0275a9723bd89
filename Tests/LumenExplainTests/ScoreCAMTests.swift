import Foundation
import LumenIO
import LumenImaging
import LumenONNX
import LumenTestSupport
import Testing

@testable import LumenExplain

@Suite("Score-CAM: class-specific maps from forward passes")
struct ScoreCAMTests {
    static var explainer: ModelExplainer {
        get throws {
            try ModelExplainer(
                model: Fixtures.root.deletingLastPathComponent().appendingPathComponent(
                    "models/efficientnet-lite0.onnx"
                )
            )
        }
    }
    static let layer = "/net/_blocks.3/_project_conv/Conv_output_0"

    @Test(
        "Score-CAM and Ablation-CAM match pytorch-grad-cam's ScoreCAM and AblationCAM on the same network, layer and input, for the top class and for 'tiger cat'",
        arguments: [CAMMethod.scorecam, .ablationcam],
        [("top", nil as Int?), ("tiger_cat", 282)]
    )
    func matchesPytorchGradCAM(method: CAMMethod, target: (name: String, classIndex: Int?)) throws {
        let input = try Fixtures.tensor("onnx/effnet_input.npy")
        let map = try Self.explainer.classMap(
            method,
            input: .float(shape: input.shape, data: input.values),
            width: 224,
            height: 224,
            layer: Self.layer,
            classIndex: target.classIndex,
            jobs: 3
        )
        let weights = try Fixtures.tensor("cam/\(method.rawValue)_block3_\(target.name)_weights.npy").values
        let reference = try Fixtures.tensor("cam/\(method.rawValue)_block3_\(target.name).npy").values
        #expect(map.method == method && map.forwardPasses == 41 && map.weights.count == 40)
        #expect(map.classIndex == target.classIndex ?? 285)
        // Measured: Score-CAM 7e-6 relative on the weights, 6e-6 on the map (half-pixel upsampling
        // instead of pytorch-grad-cam's aligned corners gives 0.51 and 0.14); Ablation-CAM 7e-7 and
        // 6e-6 (ablating to 0 instead of min − 1e7 on this layer, which goes negative: 1.14, 0.76).
        let worst = zip(map.weights, weights).map { abs($0 - $1) / max(abs($1), 1e-3) }.max() ?? .infinity
        #expect(worst < 1e-4, "worst relative weight error \(worst)")
        #expect(maxAbsDifference(map.heatmap.values, reference) < 1e-4)
    }

    @Test(
        "confidence change and ROAD of a map match pytorch-grad-cam's CamMultImageConfidenceChange and ROAD (softmax target)",
        arguments: ["top", "tiger_cat"]
    )
    func confidenceChangeMatches(name: String) throws {
        let input = try Fixtures.tensor("onnx/effnet_input.npy")
        let map = try Fixtures.tensor("cam/scorecam_block3_\(name).npy")
        let expected =
            try JSONSerialization.jsonObject(with: Data(Fixtures.bytes("cam/scorecam_block3_confidence.json")))
            as! [String: [String: Any]]
        let report = try Self.explainer.faithfulness(
            input: .float(shape: input.shape, data: input.values),
            heatmap: try FloatMap(width: 224, height: 224, values: map.values),
            classIndex: expected[name]!["class"] as! Int,
            steps: 2,
            seeds: 1,
            roadPercentiles: [20, 80],
            roadNoise: 0
        )
        let reference = Float(expected[name]!["confidence_change"] as! Double)
        // ROAD with noise-free imputation (conjugate gradients here, scipy's spsolve there).
        let road = try #require(report.road)
        for (k, p) in [20, 80].enumerated() {
            let morf = Float(expected[name]!["road_morf_\(p)"] as! Double)
            let lerf = Float(expected[name]!["road_lerf_\(p)"] as! Double)
            #expect(abs(road.mostRelevantFirst[k] - morf) < 1e-3, "MoRF \(p): \(road.mostRelevantFirst[k]) vs \(morf)")
            #expect(
                abs(road.leastRelevantFirst[k] - lerf) < 1e-3,
                "LeRF \(p): \(road.leastRelevantFirst[k]) vs \(lerf)"
            )
        }
        #expect(abs(report.confidenceChange - reference) < 1e-4, "\(report.confidenceChange) vs \(reference)")
        #expect(
            report.dropInConfidence == max(-reference, 0) || abs(report.dropInConfidence - max(-reference, 0)) < 1e-4
        )
    }

    @Test("the map depends on the class: 'tiger cat' and 'Egyptian cat' weigh the channels differently")
    func dependsOnTheClass() throws {
        let input = try Fixtures.tensor("onnx/effnet_input.npy")
        let value = Value.float(shape: input.shape, data: input.values)
        let explainer = try Self.explainer
        let cat = try explainer.scoreCAM(input: value, width: 224, height: 224, layer: Self.layer, classIndex: 285)
        let tiger = try explainer.scoreCAM(input: value, width: 224, height: 224, layer: Self.layer, classIndex: 282)
        #expect(maxAbsDifference(cat.weights, tiger.weights) > 1e-3)
        #expect(cat.label == "Egyptian cat" && tiger.label == "tiger cat")
    }

    @Test("classes are named by label or index; unknown ones and detectors are refused")
    func classNames() throws {
        let explainer = try Self.explainer
        #expect(try explainer.classIndex(named: "tiger cat") == 282)
        #expect(try explainer.classIndex(named: "Tiger Cat") == 282)
        #expect(try explainer.classIndex(named: "7") == 7)
        #expect(throws: ExplainError.self) { try explainer.classIndex(named: "1000") }
        do {
            _ = try explainer.classIndex(named: "kitten cat")
            Issue.record("an unknown label was accepted")
        } catch let error as ExplainError {
            guard case .unknownClass(let what) = error else { throw error }
            #expect(what.hasPrefix("'kitten cat'"))
        }
    }
}
