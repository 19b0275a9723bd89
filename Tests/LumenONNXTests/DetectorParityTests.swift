import Foundation
import LumenTestSupport
import Testing

@testable import LumenONNX

@Suite("YOLOv8n-architecture export against onnxruntime")
struct DetectorParityTests {
    @Test(
        "the detector's output and the layer before its head match onnxruntime",
        arguments: ONNXSession.KernelChoice.allCases
    )
    func yolov8n(kernels: ONNXSession.KernelChoice) throws {
        let model = try ONNXModel.load(Fixtures.url("onnx/yolov8n.onnx"))
        let count = 3 * 640 * 640
        let data = (0..<count).map { Float((UInt64($0) &* 2_654_435_761) % 1000) / 1000 }
        let layer = "/model.21/cv2/act/Mul_output_0"
        let session = ONNXSession(model: model, kernels: kernels)
        #expect(session.usesFastKernels == (kernels == .automatic && FastKernel.supported))
        let result = try session.run(["images": .float(shape: [1, 3, 640, 640], data: data)], capture: [layer])
        let (ok, detail) = OperatorParityTests.matches(
            try #require(result.outputs["output0"]),
            try OperatorParityTests.value("onnx/yolov8n_output.npy")
        )
        #expect(ok, "output0: \(detail)")
        let (layerOK, layerDetail) = OperatorParityTests.matches(
            try #require(result.captured[layer]),
            try OperatorParityTests.value("onnx/yolov8n_layer.npy")
        )
        #expect(layerOK, "layer: \(layerDetail)")
    }
}
