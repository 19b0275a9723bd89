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

    @Test(
        "a layer replaced by its own value changes nothing; replaced by zeros, the network runs on from the zeros",
        arguments: ONNXSession.KernelChoice.allCases
    )
    func replacingALayer(kernels: ONNXSession.KernelChoice) throws {
        let model = try ONNXModel.load(Self.modelsFolder.appendingPathComponent("efficientnet-lite0.onnx"))
        let session = ONNXSession(model: model, kernels: kernels)
        let input = try OperatorParityTests.value("onnx/effnet_input.npy")
        // A convolution that ends a fused 1×1 → depthwise → 1×1 chain, and the head's Clip.
        for layer in ["/net/_blocks.3/_project_conv/Conv_output_0", "/net/_swish_1/Clip_output_0"] {
            let plain = try session.run(["input": input], capture: [layer])
            let own = try #require(plain.captured[layer])
            let same = try session.run(["input": input], replacing: [layer: own])
            #expect(same.outputs["logits"]!.floats == plain.outputs["logits"]!.floats, "\(layer)")
            let zeros = Value.float(shape: own.shape, data: [Float](repeating: 0, count: own.floats.count))
            let zeroed = try session.run(["input": input], replacing: [layer: zeros], capture: [layer])
            #expect(zeroed.captured[layer]!.floats.allSatisfy { $0 == 0 })
            #expect(maxAbsDifference(zeroed.outputs["logits"]!.floats, plain.outputs["logits"]!.floats) > 0.1)
        }
        // With the head zeroed, every logit is the classifier's bias.
        let head = "/net/_swish_1/Clip_output_0"
        let shape = try session.run(["input": input], capture: [head]).captured[head]!.shape
        let zeroed = try session.run(
            ["input": input],
            replacing: [head: .float(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)))]
        )
        let gemm = try #require(model.nodes.last { $0.op == "Gemm" })
        let bias = try #require(gemm.inputs.count > 2 ? model.initializers[gemm.inputs[2]] : nil)
        #expect(maxAbsDifference(zeroed.outputs["logits"]!.floats, bias.floats) < 1e-5)
    }
}
