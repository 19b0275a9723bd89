import Foundation
import LumenExplain
import LumenIO
import LumenImaging
import LumenNumerics

/// `lumen cam --model M --method scorecam|ablationcam [--class LABEL|INDEX]`: a class-specific map.
struct ClassCAM {
    let command: CAMCommand

    struct Report: Encodable {
        let image: String
        let model: String
        let method: CAMMethod
        let classIndex: Int
        let label: String
        let probability: Float
        let layer: String
        let forwardPasses: Int
        let predictions: [ModelExplainer.Prediction]
        let output: String
        let elapsedMilliseconds: Double

        enum CodingKeys: String, CodingKey {
            case image, model, method, label, probability, layer, predictions, output
            case classIndex = "class_index"
            case forwardPasses = "forward_passes"
            case elapsedMilliseconds = "elapsed_ms"
        }
    }

    func run(model: String, image: String) throws {
        let started = Date()
        let picture = try ImageDecoder(maxPixels: command.maxPixels).decode(contentsOf: URL(fileURLWithPath: image))
        let explainer = try ModelExplainer(model: URL(fileURLWithPath: model))
        let target = try command.className.map { try explainer.classIndex(named: $0) }
        let input = try explainer.preprocess(picture)
        let (layer, jobs) = (command.layer, command.jobs ?? Parallel.machineWorkers)
        let map = try explainer.classMap(
            command.method,
            input: input,
            width: picture.width,
            height: picture.height,
            layer: layer,
            classIndex: target,
            topK: command.top,
            jobs: jobs
        )
        let overlay = try command.overlay()
        var rendered = try overlay.apply(map.heatmap, on: picture)
        if command.annotate ?? true {
            rendered = try OverlayCaption(lines: map.captionLines(model: explainer.name), colormap: overlay.colormap)
                .render(below: rendered)
        }
        try AtomicFile.write(try PNGEncoder().encode(rendered), to: URL(fileURLWithPath: command.out))
        try command.writeHeatmap(map.heatmap)
        let elapsed = Date().timeIntervalSince(started) * 1000
        if let json = command.json {
            let report = Report(
                image: image,
                model: model,
                method: map.method,
                classIndex: map.classIndex,
                label: map.label,
                probability: map.probability,
                layer: map.layer,
                forwardPasses: map.forwardPasses,
                predictions: map.predictions,
                output: command.out,
                elapsedMilliseconds: (elapsed * 10).rounded() / 10
            )
            try AtomicFile.write(text: try JSONOutput.text(report) + "\n", to: URL(fileURLWithPath: json))
        }
        print(
            "wrote \(command.out): \(map.method.displayName) for '\(map.label)' (p \(String(format: "%.2f", map.probability))) on layer \(map.layer), \(map.forwardPasses) forward passes [\(String(format: "%.1f", elapsed)) ms]"
        )
    }
}
