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
    /// each box and zeroed outside. With `caption` (the model's name) the top classes go into a
    /// caption strip below the picture with the method, layer, explained variance and colour
    /// bar, and box labels sit where they hide the least heat; without it the classes are
    /// written on the picture's top-left corner.
    public init(
        _ result: ModelExplainer.Result,
        on picture: RGBImage,
        task: ModelTask,
        overlay: Overlay,
        perBox: Bool = false,
        caption model: String? = nil
    ) throws {
        let heatmap =
            perBox && !result.detections.isEmpty
            ? try DetectionDecoder.perBox(result.map.heatmap, boxes: result.detections) : result.map.heatmap
        var labelled = try overlay.apply(heatmap, on: picture)
        let scale = max(1, min(picture.width, picture.height) / 150)
        let best = Self.format
        var summary: String
        if task == .detect {
            for d in result.detections {
                let box = PixelBox(x0: Int(d.x0), y0: Int(d.y0), x1: Int(d.x1), y1: Int(d.y1))
                labelled.drawBox(box, color: (255, 255, 255), thickness: scale + 1)
                let text = "\(d.label) \(best(d.confidence))"
                let origin =
                    model == nil
                    ? (x: box.x0 + 2 * scale, y: box.y0 + 2 * scale)
                    : LabelPlacement.origin(for: text, labelling: box, scale: scale, heat: heatmap)
                labelled.drawText(text, x: origin.x, y: origin.y, scale: scale)
            }
            headline =
                "\(result.detections.count) detection(s)"
                + (result.detections.first.map { ", best \($0.label) (\(best($0.confidence)))" } ?? "")
            summary =
                result.detections.isEmpty
                ? "no detections"
                : "\(result.detections.count) box(es): "
                    + result.detections.prefix(3).map { "\($0.label) \(best($0.confidence))" }.joined(separator: " | ")
        } else {
            // The top classes, one line each (at most three on the picture; all of them in the JSON).
            if model == nil {
                for (line, p) in result.predictions.prefix(3).enumerated() {
                    labelled.drawText(
                        "\(p.label) \(best(p.probability))",
                        x: 4 * scale,
                        y: 4 * scale + line * 10 * scale,
                        scale: scale
                    )
                }
            }
            headline = result.predictions.first.map { "\($0.label) (\(best($0.probability)))" } ?? "no prediction"
            summary =
                "top: "
                + result.predictions.prefix(3).map { "\($0.label) \(best($0.probability))" }.joined(separator: " | ")
        }
        if let model {
            let lines = ["model \(model)"] + result.map.captionLines + [summary]
            labelled = try OverlayCaption(lines: lines, colormap: overlay.colormap).render(below: labelled)
        }
        image = labelled
    }

    /// A score with two decimals.
    static func format(_ value: Float) -> String { String(format: "%.2f", value) }
}

extension ModelExplainer {
    /// A model explanation rendered as the reviewer sees it.
    public struct Rendering: Sendable {
        public let result: Result
        /// The labelled overlay (with its caption strip below the picture when annotated), and
        /// the same PNG-encoded.
        public let image: RGBImage
        public let png: [UInt8]
        /// "tabby (0.83)" or "3 detection(s), best person (0.91)".
        public let headline: String
    }

    /// The one pipeline behind `lumen cam --model` (one image or a batch) and
    /// `POST /v1/cam/model/{name}`: run the model
    /// on `picture`, explain `layer` with `eigenCAM`, draw the labelled overlay (with its caption
    /// strip unless `annotate` is false), encode it as PNG.
    public func render(
        _ picture: RGBImage,
        layer: String? = nil,
        topK: Int = 5,
        eigenCAM: EigenCAM = EigenCAM(),
        overlay: Overlay,
        perBox: Bool = false,
        annotate: Bool = true
    ) throws -> Rendering {
        let result = try explain(picture, layer: layer, topK: topK, eigenCAM: eigenCAM)
        let labelled = try LabelledOverlay(
            result,
            on: picture,
            task: sidecar.task,
            overlay: overlay,
            perBox: perBox,
            caption: annotate ? name : nil
        )
        return Rendering(
            result: result,
            image: labelled.image,
            png: try PNGEncoder().encode(labelled.image),
            headline: labelled.headline
        )
    }
}
