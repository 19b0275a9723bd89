import Foundation
import LumenCAM
import LumenIO
import LumenImaging
import LumenTestSupport
import Testing

@testable import LumenExplain

@Suite("Detections")
struct DetectionTests {
    @Test("per-class NMS keeps the same boxes as torchvision's batched_nms")
    func nmsMatchesTorchvision() throws {
        let ref =
            try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("onnx/nms_reference.json")))
            as! [String: Any]
        let boxes = ref["boxes"] as! [[Double]]
        let scores = ref["scores"] as! [Double]
        let classes = ref["classes"] as! [Int]
        let detections = boxes.indices.map { k in
            Detection(
                classIndex: classes[k],
                label: "\(classes[k])",
                confidence: Float(scores[k]),
                x0: Float(boxes[k][0]),
                y0: Float(boxes[k][1]),
                x1: Float(boxes[k][2]),
                y1: Float(boxes[k][3])
            )
        }
        let kept = DetectionDecoder.nonMaximumSuppression(detections, iou: Float(ref["iou"] as! Double))
        let expected = (ref["kept"] as! [Int]).map { detections[$0] }
        #expect(kept == expected)
    }

    @Test("decoding maps boxes back through the letterbox and drops low scores")
    func decodeThroughLetterbox() throws {
        // A 200×100 image letterboxed into 64×64: scale 0.32, 32×... vertical padding.
        let box = Letterbox(imageWidth: 200, imageHeight: 100, inputWidth: 64, inputHeight: 64)
        #expect(box.scale == 0.32 && box.width == 64 && box.height == 32 && box.padY == 16)
        // Two anchors, two classes: anchor 0 is class 1 at 0.9, anchor 1 scores below threshold.
        let output: [Float] = [32, 10, 48, 20, 16, 5, 16, 4, 0.1, 0.2, 0.9, 0.1]
        let detections = try DetectionDecoder.decode(
            output,
            shape: [1, 6, 2],
            labels: ["cat", "dog"],
            letterbox: box,
            imageWidth: 200,
            imageHeight: 100,
            confidence: 0.25,
            iou: 0.45
        )
        #expect(detections.count == 1)
        let d = detections[0]
        #expect(d.label == "dog" && abs(d.confidence - 0.9) < 1e-6)
        // cx 32, cy 48, w 16, h 16 in input pixels → x 24…40, y 40…56 → image (x/0.32, (y−16)/0.32).
        #expect(abs(d.x0 - 75) < 1e-3 && abs(d.x1 - 125) < 1e-3 && abs(d.y0 - 75) < 1e-3 && abs(d.y1 - 100) < 1e-3)
    }

    @Test("per-box renormalisation zeroes everything outside the boxes")
    func perBox() throws {
        let heat = try FloatMap(width: 10, height: 10, values: (0..<100).map { Float($0) / 100 })
        let d = Detection(classIndex: 0, label: "x", confidence: 1, x0: 2, y0: 2, x1: 4, y1: 4)
        let out = try DetectionDecoder.perBox(heat, boxes: [d])
        #expect(out[0, 0] == 0 && out[9, 9] == 0)
        #expect(abs(out[4, 4] - 1) < 1e-5 && out[2, 2] == 0)
    }

    @Test("a detector explains through the letterbox and reports its detections")
    func detectorEndToEnd() throws {
        let explainer = try ModelExplainer(model: Fixtures.url("onnx/yolov8n.onnx"))
        let photo = try LumenIO.ImageDecoder().decode(contentsOf: Fixtures.url("photos/chelsea.jpg"))
        let result = try explainer.explain(photo)
        #expect(result.layer == "/model.21/cv2/act/Mul_output_0")
        #expect(result.map.heatmap.width == photo.width && result.map.heatmap.height == photo.height)
        #expect(result.map.layers[0].channels == 256)
        #expect(result.predictions.isEmpty)
    }

    @Test("--layer scales averages the neck maps the Detect head reads, one per scale; a classifier refuses it")
    func scalesAverageTheHeadInputs() throws {
        let explainer = try ModelExplainer(model: Fixtures.url("onnx/yolov8n.onnx"))
        let photo = try LumenIO.ImageDecoder().decode(contentsOf: Fixtures.url("photos/chelsea.jpg"))
        let scales = try explainer.explain(photo, layer: "scales")
        let names = try explainer.resolvedLayers("scales")
        // YOLOv8n's Detect head (module 22) reads modules 15, 18 and 21: strides 8, 16 and 32.
        #expect(names.map { ModelExplainer.moduleIndex($0) } == [15, 18, 21])
        #expect(names.last == "/model.21/cv2/act/Mul_output_0")
        #expect(scales.layer == names.joined(separator: " + "))
        #expect(scales.map.layers.count == 3)
        #expect(Set(scales.map.layers.map(\.height)) == [80, 40, 20])
        let single = try explainer.explain(photo)
        let difference = zip(scales.map.heatmap.values, single.map.heatmap.values).map { abs($0 - $1) }.max() ?? 0
        #expect(difference > 0.05, "the averaged map should differ from the last scale's alone")
        let classifier = try ModelExplainer(model: Fixtures.url("../models/efficientnet-lite0.onnx"))
        #expect(throws: ExplainError.self) { _ = try classifier.explain(photo, layer: "scales") }
    }
}
