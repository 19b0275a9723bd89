import Foundation
import LumenCAM
import LumenExplain
import LumenIO
import LumenImaging

/// `lumen cam --model`: classify with the ONNX runtime, explain the chosen layer, label the overlay.
struct ModelCAM {
    let command: CAMCommand

    struct Report: Encodable {
        let image: String
        let model: String
        let layer: String
        let predictions: [ModelExplainer.Prediction]
        let detections: [Detection]
        let layers: [LayerStatistics]
        let faithfulness: FaithfulnessReport?
        let output: String
        let elapsedMilliseconds: Double

        enum CodingKeys: String, CodingKey {
            case image, model, layer, predictions, detections, layers, output, faithfulness
            case elapsedMilliseconds = "elapsed_ms"
        }
    }

    func run(model: String, image: String) throws {
        let started = Date()
        let picture = try ImageDecoder(maxPixels: command.maxPixels).decode(
            contentsOf: URL(fileURLWithPath: image)
        )
        let explainer = try ModelExplainer(model: URL(fileURLWithPath: model))
        let rendered = try explainer.render(
            picture,
            layer: command.layer,
            topK: command.top,
            eigenCAM: EigenCAM(centered: !command.noCenter),
            overlay: try command.overlay(),
            perBox: command.perBox,
            annotate: command.annotate ?? true
        )
        let result = rendered.result
        let headline = rendered.headline
        try AtomicFile.write(rendered.png, to: URL(fileURLWithPath: command.out))
        try command.writeHeatmap(result.map.heatmap)
        let faithfulness =
            command.metrics && !result.predictions.isEmpty
            ? try explainer.faithfulness(
                input: try explainer.preprocess(picture),
                heatmap: result.map.heatmap,
                classIndex: result.predictions[0].index
            ) : nil
        let elapsed = Date().timeIntervalSince(started) * 1000
        if let json = command.json {
            let report = Report(
                image: image,
                model: model,
                layer: result.layer,
                predictions: result.predictions,
                detections: result.detections,
                layers: result.map.layers,
                faithfulness: faithfulness,
                output: command.out,
                elapsedMilliseconds: (elapsed * 10).rounded() / 10
            )
            try AtomicFile.write(text: try JSONOutput.text(report) + "\n", to: URL(fileURLWithPath: json))
        }
        let stats = result.map.layers[0]
        let scored =
            faithfulness.map { f in
                let n = { (x: Float) in String(format: "%.3f", x) }
                return "; confidence change \(String(format: "%+.3f", f.confidenceChange)) (higher is better)"
                    + ", deletion AUC \(n(f.deletionAUC)) (lower is better; random \(n(f.randomDeletion.mean)) ± "
                    + "\(n(f.randomDeletion.standardDeviation)): \(f.deletionVerdict.rawValue))"
                    + ", insertion AUC \(n(f.insertionAUC)) (higher is better; random \(n(f.randomInsertion.mean)) ± "
                    + "\(n(f.randomInsertion.standardDeviation)): \(f.insertionVerdict.rawValue))"
                    + (f.road.map { ", ROAD combined \(n($0.combined)) (higher is better)" } ?? "")
            } ?? ""
        print(
            "wrote \(command.out): \(headline); layer \(result.layer) \(stats.channels)x\(stats.height)x\(stats.width) explains \(String(format: "%.1f%%", stats.explainedVarianceRatio * 100)) (EigenCAM, class-agnostic)\(scored) [\(String(format: "%.1f", elapsed)) ms]"
        )
    }
}
