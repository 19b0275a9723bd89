import Foundation
import LumenCAM
import LumenIO
import LumenONNX
import LumenTestSupport
import Testing

@testable import LumenExplain

/// A third-party ultralytics export as users bring it: dynamic batch/height/width, no sidecar,
/// its preprocessing and class names only in `metadata_props`
/// (fixtures/onnx/yolov8t_dynamic.onnx, scripts/export-yolo-dynamic-fixture.py).
@Suite("Models without a sidecar")
struct ZeroConfigModelTests {
    static let url = Fixtures.url("onnx/yolov8t_dynamic.onnx")

    @Test("an ultralytics export's metadata stands in for the sidecar: size, task, letterbox, class names")
    func metadataGivesTheSidecar() throws {
        let model = try ONNXModel.load(Self.url)
        #expect(model.inputs.first?.dimensions == [nil, 3, nil, nil])
        let (sidecar, labels) = try ModelSidecar.resolve(forModel: Self.url, model: model)
        #expect(sidecar.task == .detect && sidecar.input.width == 320 && sidecar.input.height == 320)
        #expect(
            sidecar.input.resize == .letterbox && sidecar.input.padValue == 114
                && sidecar.input.std == [255, 255, 255]
        )
        #expect(sidecar.input.name == "images" && sidecar.output == "output0")
        #expect(labels == ["cat", "cup", "rocket"])
    }

    @Test("the dynamic export matches onnxruntime at 320×320 and 256×320", arguments: ["320x320", "256x320"])
    func dynamicSizesMatchOnnxruntime(size: String) throws {
        let session = ONNXSession(model: try ONNXModel.load(Self.url))
        let x = try Fixtures.tensor("onnx/yolov8t_dynamic.\(size).in.npy")
        let expected = try Fixtures.tensor("onnx/yolov8t_dynamic.\(size).out.npy")
        let y = try #require(try session.run(["images": .float(shape: x.shape, data: x.values)]).outputs["output0"])
        #expect(y.shape == expected.shape)
        let scale = (expected.values.map(abs).max() ?? 0) + 1e-3
        let worst = zip(y.floats, expected.values).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst / scale < 1e-4, "largest difference \(worst) on a scale of \(scale)")
    }

    @Test("--layer auto explains the neck's last map before the Detect head, as pytorch-grad-cam's model[-2]")
    func automaticLayerBeforeTheHead() throws {
        let explainer = try ModelExplainer(model: Self.url)
        let rows = try explainer.session.inspect(inputShapes: ["images": [1, 3, 320, 320]])
        let pick = try #require(
            ModelExplainer.automaticLayer(rows, inputHeight: 320, inputWidth: 320, outputs: ["output0"])
        )
        let head = rows.compactMap { ModelExplainer.moduleIndex($0.node) }.max()!
        #expect(pick.hasPrefix("/model.\(head - 1)/"), "picked \(pick); the head is module \(head)")
        // The shipped YOLOv8n sidecar names the same layer by hand.
        let shipped = try ModelSidecar.load(forModel: Fixtures.url("onnx/yolov8n.onnx")).sidecar.camLayer
        let yolo = ONNXSession(model: try ONNXModel.load(Fixtures.url("onnx/yolov8n.onnx")))
        let yoloRows = try yolo.inspect(inputShapes: ["images": [1, 3, 640, 640]])
        #expect(
            ModelExplainer.automaticLayer(yoloRows, inputHeight: 640, inputWidth: 640, outputs: ["output0"]) == shipped
        )
    }

    @Test("a model with neither sidecar nor metadata says what to write")
    func noSidecarNoMetadata() throws {
        let url = Fixtures.url("onnx/ops/act_relu.onnx")
        #expect(throws: ExplainError.noSidecar(model: url.path, expected: "act_relu.json")) {
            _ = try ModelSidecar.resolve(forModel: url, model: try ONNXModel.load(url))
        }
    }

    @Test("class names parse from the Python dict literal, gaps filled with their index")
    func namesLiteral() {
        #expect(ModelSidecar.names("{0: 'person', 1: \"bi'cycle\", 3: 'car'}") == ["person", "bi'cycle", "2", "car"])
        #expect(ModelSidecar.names("garbage").isEmpty)
    }
}
