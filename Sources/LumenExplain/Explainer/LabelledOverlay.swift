import Foundation
import LumenCAM
import LumenIO
import LumenImaging

/// The picture a reviewer sees for a model explanation: the heatmap overlay with the top classes
/// written on it (classifiers) or the detected boxes and their labels (detectors), plus a
/// one-line headline. Shared by `lumen cam --model` and `POST /v1/cam/model/{name}`.
public struct LabelledOverlay: Sendable {
    /// The overlay with labels drawn on it.
    public let image: RGBImage
    /// "tabby (0.83)" or "3 detection(s), best person (0.91)".
    public let headline: String

    /// Renders `result` on `picture`; with `perBox` a detector's heatmap is renormalised inside
    /// each box and zeroed outside.
    public init(
        _ result: ModelExplainer.Result,
        on picture: RGBImage,
        task: ModelTask,
        overlay: Overlay,
        perBox: Bool = false
    ) throws {
        let heatmap =
            perBox && !result.detections.isEmpty
            ? try DetectionDecoder.perBox(result.map.heatmap, boxes: result.detections) : result.map.heatmap
        var labelled = try overlay.apply(heatmap, on: picture)
        let scale = max(1, min(picture.width, picture.height) / 150)
        if task == .detect {
            for d in result.detections {
                labelled.drawBox(
                    PixelBox(x0: Int(d.x0), y0: Int(d.y0), x1: Int(d.x1), y1: Int(d.y1)),
                    color: (255, 255, 255),
                    thickness: scale + 1
                )
                labelled.drawText(
                    "\(d.label) \(String(format: "%.2f", d.confidence))",
                    x: Int(d.x0) + 2 * scale,
                    y: Int(d.y0) + 2 * scale,
                    scale: scale
                )
            }
            headline =
                "\(result.detections.count) detection(s)"
                + (result.detections.first.map { ", best \($0.label) (\(String(format: "%.2f", $0.confidence)))" } ?? "")
        } else {
            // The top classes, one line each (at most three on the picture; all of them in the JSON).
            for (line, p) in result.predictions.prefix(3).enumerated() {
                labelled.drawText(
                    "\(p.label) \(String(format: "%.2f", p.probability))",
                    x: 4 * scale,
                    y: 4 * scale + line * 10 * scale,
                    scale: scale
                )
            }
            headline =
                result.predictions.first.map { "\($0.label) (\(String(format: "%.2f", $0.probability)))" }
                ?? "no prediction"
        }
        image = labelled
    }
}

extension ModelExplainer {
    /// A model explanation rendered as the reviewer sees it.
    public struct Rendering: Sendable {
        public let result: Result
        /// The labelled overlay, PNG-encoded.
        public let png: [UInt8]
        /// "tabby (0.83)" or "3 detection(s), best person (0.91)".
        public let headline: String
    }

    /// The one pipeline behind `lumen cam --model` and `POST /v1/cam/model/{name}`: run the model
    /// on `picture`, explain `layer` with `eigenCAM`, draw the labelled overlay, encode it as PNG.
    public func render(
        _ picture: RGBImage,
        layer: String? = nil,
        topK: Int = 5,
        eigenCAM: EigenCAM = EigenCAM(),
        overlay: Overlay,
        perBox: Bool = false
    ) throws -> Rendering {
        let result = try explain(picture, layer: layer, topK: topK, eigenCAM: eigenCAM)
        let labelled = try LabelledOverlay(result, on: picture, task: sidecar.task, overlay: overlay, perBox: perBox)
        return Rendering(result: result, png: try PNGEncoder().encode(labelled.image), headline: labelled.headline)
    }
}
