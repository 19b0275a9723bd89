import Foundation
import LumenONNX

/// What `lumen model init` writes: a sidecar inferred from the model file, with a comment
/// (a `#` key) beside every value that was assumed rather than read, so a user checks those.
public struct SidecarDraft: Sendable {
    public var sidecar: ModelSidecar
    /// Class names to write next to the sidecar (from ultralytics metadata), if any.
    public var labels: [String]
    /// Comments by field (`task`, `input.mean`, …).
    public var notes: [String: String]

    /// What the caller knows better than the file.
    public struct Hints: Sendable {
        public var task: ModelTask?
        public var width: Int?
        public var height: Int?
        /// On 0–255 pixel values.
        public var mean: [Float]?
        public var std: [Float]?
        /// A labels file (path relative to the sidecar).
        public var labels: String?

        public init(
            task: ModelTask? = nil,
            width: Int? = nil,
            height: Int? = nil,
            mean: [Float]? = nil,
            std: [Float]? = nil,
            labels: String? = nil
        ) {
            (self.task, self.width, self.height, self.mean, self.std, self.labels) = (
                task, width, height, mean, std, labels
            )
        }
    }

    /// ImageNet's channel statistics on 0–255 pixels (torchvision, timm and most classifiers).
    static let imageNetMean: [Float] = [123.675, 116.28, 103.53]
    static let imageNetStd: [Float] = [58.395, 57.12, 57.375]

    /// Infers a sidecar for `model`: ultralytics metadata when the file has it, else the graph
    /// (input name and size, detector-shaped output, a final Softmax) and the hints; the layer
    /// is `--layer auto`'s pick for the inferred size.
    public init(model: ONNXModel, hints: Hints) throws {
        var notes: [String: String] = [:]
        var labels: [String] = []
        var sidecar: ModelSidecar
        // Node shapes at the inferred size, kept for the layer pick when the hints leave it as is.
        var inspected: (shape: [Int], rows: [(node: String, op: String, output: String, shape: [Int])])?
        if let (metadata, names) = try ModelSidecar.ultralytics(model) {
            sidecar = metadata
            labels = names
            notes["task"] = "from the file's ultralytics metadata (task, imgsz, names)"
        } else {
            guard let input = model.inputs.first(where: { $0.dimensions.count == 4 }) else {
                throw ExplainError.unsuitableModel("the model has no 4-D (N×C×H×W) image input")
            }
            let height = hints.height ?? input.dimensions[2]
            let width = hints.width ?? input.dimensions[3]
            guard let height, let width else {
                throw ExplainError.unsuitableModel(
                    "input '\(input.name)' has dynamic height or width \(input.dimensions.map { $0.map(String.init) ?? "?" }): pass --width and --height"
                )
            }
            let output = model.outputs.first
            // The output's shape at this size: [1, 4 + classes, anchors] is a YOLOv8-style detector.
            let rows = try ONNXSession(model: model).inspect(inputShapes: [input.name: [1, 3, height, width]])
            inspected = ([1, 3, height, width], rows)
            let shape = rows.last { $0.output == output?.name }?.shape ?? []
            let detectorShaped = shape.count == 3 && shape[1] > 4 && shape[2] > shape[1]
            let task = hints.task ?? (detectorShaped ? .detect : .classify)
            if hints.task == nil {
                notes["task"] =
                    detectorShaped
                    ? "guessed from the output shape [1, 4 + classes, anchors] (YOLOv8-style)"
                    : "guessed: the output is not shaped like a YOLOv8 detector's"
            }
            let detect = task == .detect
            let producer = model.nodes.last { $0.outputs.contains(output?.name ?? "") }
            let probabilities = producer?.op == "Softmax"
            sidecar = ModelSidecar(
                task: task,
                input: .init(
                    name: input.name,
                    width: width,
                    height: height,
                    resize: detect ? .letterbox : .stretch,
                    padValue: detect ? 114 : nil,
                    channelOrder: .rgb,
                    mean: detect ? [0, 0, 0] : Self.imageNetMean,
                    std: detect ? [255, 255, 255] : Self.imageNetStd
                ),
                labels: nil,
                camLayer: nil,
                output: output?.name,
                outputKind: detect ? nil : (probabilities ? .probabilities : .logits),
                confidenceThreshold: detect ? 0.25 : nil,
                iouThreshold: detect ? 0.45 : nil
            )
            if !detect {
                notes["output_kind"] =
                    probabilities ? "the graph ends in Softmax" : "assumed: the graph does not end in Softmax"
            }
            notes["input.channel_order"] = "assumed RGB (OpenCV-trained models may want BGR)"
            if hints.mean == nil {
                notes["input.mean"] =
                    detect
                    ? "assumed 0-1 pixels (x = p / 255), as ultralytics trains"
                    : "assumed ImageNet statistics on 0-255 pixels (x = (p - mean) / std); change if the model was trained otherwise"
            }
        }
        if let mean = hints.mean { sidecar.input.mean = mean }
        if let std = hints.std { sidecar.input.std = std }
        if let task = hints.task { sidecar.task = task }
        if let w = hints.width { sidecar.input.width = w }
        if let h = hints.height { sidecar.input.height = h }
        if let file = hints.labels { sidecar.labels = file }
        try sidecar.validate(path: "the inferred sidecar")
        let shape = [1, 3, sidecar.input.height, sidecar.input.width]
        let rows =
            try inspected.flatMap { $0.shape == shape ? $0.rows : nil }
            ?? ONNXSession(model: model).inspect(inputShapes: [sidecar.input.name: shape])
        sidecar.camLayer = ModelExplainer.automaticLayer(
            rows,
            inputHeight: sidecar.input.height,
            inputWidth: sidecar.input.width,
            outputs: Set(model.outputs.map(\.name))
        )
        notes["cam_layer"] =
            sidecar.camLayer == nil
            ? "no feature map found: set one from `lumen model inspect`"
            : "--layer auto's pick; `lumen model inspect` lists the others"
        (self.sidecar, self.labels, self.notes) = (sidecar, labels, notes)
    }

    /// The sidecar as JSON, each commented field preceded by its `#` key.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(sidecar)
        guard var object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            var input = object["input"] as? [String: Any]
        else { throw ExplainError.unsuitableModel("could not encode the sidecar") }
        object["#"] = "written by lumen model init; fields are described in docs/sidecar.md"
        for (field, note) in notes {
            if field.hasPrefix("input.") {
                input["#" + field.dropFirst("input.".count)] = note
            } else {
                object["#" + field] = note
            }
        }
        object["input"] = input
        // Sorted keys put the comments first, above the fields they describe.
        let text = try JSONSerialization.data(
            withJSONObject: object,
            options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        )
        return String(decoding: text, as: UTF8.self) + "\n"
    }
}
