import Foundation
import LumenCAM
import LumenIO
import LumenONNX
import LumenTestSupport
import Testing

@testable import LumenExplain

/// `lumen model init`'s inference and the sidecar schema's refusal of unknown fields.
@Suite("Sidecar drafts and the sidecar schema")
struct SidecarDraftTests {
    static let efficientNet = Fixtures.root.deletingLastPathComponent().appendingPathComponent(
        "models/efficientnet-lite0.onnx"
    )

    @Test("an ultralytics export's draft takes task, size, letterbox and names from its metadata")
    func ultralyticsDraft() throws {
        let model = try ONNXModel.load(Fixtures.url("onnx/yolov8t_dynamic.onnx"))
        let draft = try SidecarDraft(model: model, hints: .init())
        #expect(draft.sidecar.task == .detect && draft.sidecar.input.width == 320 && draft.sidecar.input.height == 320)
        #expect(draft.sidecar.input.resize == .letterbox && draft.sidecar.input.std == [255, 255, 255])
        #expect(draft.labels == ["cat", "cup", "rocket"])
        // The neck's last map before the Detect head (module 22 of this export), as --layer auto.
        #expect(draft.sidecar.camLayer == "/model.21/cv2/act/Mul_output_0")
    }

    @Test(
        "a classifier's draft: input and output from the graph, the hand-written sidecar's layer, assumptions commented"
    )
    func classifierDraft() throws {
        let model = try ONNXModel.load(Self.efficientNet)
        let draft = try SidecarDraft(model: model, hints: .init(mean: [127, 127, 127], std: [128, 128, 128]))
        let shipped = try ModelSidecar.load(forModel: Self.efficientNet).sidecar
        var expected = shipped
        expected.labels = nil
        #expect(draft.sidecar == expected)
        #expect(draft.notes["input.mean"] == nil, "given means are not assumptions")
        #expect(draft.notes["output_kind"] != nil && draft.notes["input.channel_order"] != nil)
        let assumed = try SidecarDraft(model: model, hints: .init())
        #expect(assumed.sidecar.input.mean == SidecarDraft.imageNetMean && assumed.notes["input.mean"] != nil)
    }

    @Test("the written JSON, comments and all, parses back to the same sidecar")
    func draftRoundTrips() throws {
        let model = try ONNXModel.load(Fixtures.url("onnx/yolov8t_dynamic.onnx"))
        let draft = try SidecarDraft(model: model, hints: .init(width: 256))
        let text = try draft.json()
        #expect(text.contains("\"#cam_layer\""))
        let parsed = try ModelSidecar.parse(Array(text.utf8), path: "draft.json")
        #expect(parsed == draft.sidecar && parsed.input.width == 256)
    }

    @Test("a dynamic-size model without metadata asks for --width and --height")
    func dynamicWithoutMetadata() throws {
        var model = try ONNXModel.load(Fixtures.url("onnx/yolov8t_dynamic.onnx"))
        model.metadata = [:]
        #expect {
            try SidecarDraft(model: model, hints: .init())
        } throws: { error in
            guard case ExplainError.unsuitableModel(let why)? = error as? ExplainError else { return false }
            return why.contains("--width and --height")
        }
        let sized = try SidecarDraft(model: model, hints: .init(width: 320, height: 320))
        #expect(sized.sidecar.task == .detect, "the output [1, 4 + 3, anchors] is detector-shaped")
    }

    @Test("an unknown field is refused with the nearest known one; # keys are comments")
    func unknownFields() throws {
        let base =
            #""task": "classify", "input": {"name": "x", "width": 8, "height": 8, "resize": "stretch", "channel_order": "RGB", "mean": [0,0,0], "std": [1,1,1]PLACE}"#
        func parse(_ top: String, _ input: String = "") throws(ExplainError) -> ModelSidecar {
            let text = "{" + base.replacingOccurrences(of: "PLACE", with: input) + top + "}"
            return try ModelSidecar.parse(Array(text.utf8), path: "m.json")
        }
        #expect(try parse(##", "#": "a comment", "#task": "another""##).task == .classify)
        #expect(try parse("", ##", "#mean": "ImageNet""##).input.mean == [0, 0, 0])
        for (top, input, hint) in [
            (#", "cam_layr": "a""#, "", "did you mean 'cam_layer'"),
            ("", #", "pad_valu": 114"#, "did you mean 'input.pad_value'"),
            (#", "colour": 1"#, "", "unknown field 'colour'"),
        ] {
            do {
                _ = try parse(top, input)
                Issue.record("\(top)\(input) was accepted")
            } catch .badSidecar(let path, let reason) {
                #expect(path == "m.json" && reason.contains(hint), "\(reason)")
            } catch {
                Issue.record("\(top)\(input): \(error)")
            }
        }
    }
}
