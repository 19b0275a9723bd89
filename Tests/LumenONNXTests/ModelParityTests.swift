import Foundation
import LumenTestSupport
import Testing

@testable import LumenONNX

@Suite("Real models against onnxruntime")
struct ModelParityTests {
    static var modelsFolder: URL { Fixtures.root.deletingLastPathComponent().appendingPathComponent("models") }

    @Test(
        "EfficientNet-Lite0: logits and the captured head activations match onnxruntime",
        arguments: ONNXSession.KernelChoice.allCases
    )
    func efficientNetLite0(kernels: ONNXSession.KernelChoice) throws {
        let model = try ONNXModel.load(Self.modelsFolder.appendingPathComponent("efficientnet-lite0.onnx"))
        let sidecar =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: Self.modelsFolder.appendingPathComponent("efficientnet-lite0.json"))
            ) as! [String: Any]
        let layer = sidecar["cam_layer"] as! String
        let input = try OperatorParityTests.value("onnx/effnet_input.npy")
        let session = ONNXSession(model: model, kernels: kernels)
        #expect(session.usesFastKernels == (kernels == .automatic && FastKernel.supported))
        let result = try session.run(["input": input], capture: [layer])
        let logits = try OperatorParityTests.value("onnx/effnet_logits.npy")
        let head = try OperatorParityTests.value("onnx/effnet_head.npy")
        let (logitsOK, logitsDetail) = OperatorParityTests.matches(try #require(result.outputs["logits"]), logits)
        #expect(logitsOK, "logits: \(logitsDetail)")
        let (headOK, headDetail) = OperatorParityTests.matches(try #require(result.captured[layer]), head)
        #expect(headOK, "head: \(headDetail)")
        // Top-1 is "Egyptian cat" (ImageNet class 285).
        let scores = result.outputs["logits"]!.floats
        #expect(scores.indices.max { scores[$0] < scores[$1] } == 285)
    }
}
