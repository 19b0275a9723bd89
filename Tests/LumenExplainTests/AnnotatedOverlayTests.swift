import Foundation
import LumenCAM
import LumenIO
import LumenImaging
import LumenTestSupport
import Testing

@testable import LumenExplain

@Suite("Annotated model overlays")
struct AnnotatedOverlayTests {
    static var models: URL { Fixtures.root.deletingLastPathComponent().appendingPathComponent("models") }

    @Test("an annotated classifier overlay keeps the picture clean and puts model, layer, share and classes below it")
    func classifierCaption() throws {
        let explainer = try ModelExplainer(model: Self.models.appendingPathComponent("efficientnet-lite0.onnx"))
        let photo = try ImageDecoder().decode(contentsOf: Fixtures.url("photos/chelsea.jpg"))
        let result = try explainer.explain(photo)
        let overlay = try Overlay()
        let plain = try overlay.apply(result.map.heatmap, on: photo)

        let annotated = try LabelledOverlay(
            result,
            on: photo,
            task: .classify,
            overlay: overlay,
            caption: explainer.name
        )
        let lines = ["model efficientnet-lite0"] + result.map.captionLines + ["top: Egyptian cat"]
        let strip = OverlayCaption(lines: lines, colormap: .jet).layout(width: photo.width)
        #expect(annotated.image.height > photo.height + strip.barRows.upperBound)
        #expect(Array(annotated.image.pixels[0..<plain.pixels.count]) == plain.pixels)

        let captions = result.map.captionLines
        #expect(captions[0].contains("class-agnostic"))
        let share = (result.map.layers[0].explainedVarianceRatio * 1000).rounded() / 10
        #expect(captions[1] == "layer \(result.layer) 1280x7x7 | \(share)% of variance")

        // Without a caption the classes are written on the picture itself, as before.
        let bare = try LabelledOverlay(result, on: photo, task: .classify, overlay: overlay)
        #expect(bare.image.height == photo.height)
        #expect(bare.image != plain)
        #expect(bare.headline == annotated.headline)
    }
}
