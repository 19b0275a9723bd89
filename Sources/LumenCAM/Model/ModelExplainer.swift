import Foundation
import LumenIO
import LumenImaging
import LumenONNX

/// Runs an ONNX classifier on an image, captures one layer, and explains the prediction with
/// EigenCAM — no Python anywhere.
public struct ModelExplainer: Sendable {
    /// One class with its probability.
    public struct Prediction: Sendable, Codable, Equatable {
        public let index: Int
        public let label: String
        public let probability: Float
    }

    /// What an explanation returns.
    public struct Result: Sendable {
        public let predictions: [Prediction]
        public let layer: String
        public let map: CAMMap
    }

    public let session: ONNXSession
    public let sidecar: ModelSidecar
    public let labels: [String]

    public init(model: URL) throws {
        session = ONNXSession(model: try ONNXModel.load(model))
        (sidecar, labels) = try ModelSidecar.load(forModel: model)
        guard session.model.inputs.contains(where: { $0.name == sidecar.input.name }) else {
            throw CAMError.imaging("the sidecar names input '\(sidecar.input.name)', the model has \(session.model.inputs.map(\.name))")
        }
    }

    /// The image as the model's input tensor (1 × 3 × H × W).
    public func preprocess(_ image: RGBImage) throws -> Value {
        let w = sidecar.input.width, h = sidecar.input.height
        var data = [Float](repeating: 0, count: 3 * w * h)
        for c in 0..<3 {
            var channel = try FloatMap(width: image.width, height: image.height, values: (0..<(image.width * image.height)).map { Float(image.pixels[3 * $0 + c]) })
            channel = try channel.resized(width: w, height: h)
            let target = sidecar.input.channelOrder == "RGB" ? c : 2 - c
            let mean = sidecar.input.mean[target], std = sidecar.input.std[target]
            for k in 0..<(w * h) { data[target * w * h + k] = (channel.values[k] - mean) / std }
        }
        return .float(shape: [1, 3, h, w], data: data)
    }

    /// Node outputs that make good EigenCAM layers: 4-D (N, C, H, W) with at least 2×2 pixels;
    /// the last of them (the deepest spatial block) is the automatic choice.
    public func candidateLayers() throws -> [(name: String, op: String, shape: [Int])] {
        let shapes = try session.inspect(inputShapes: [sidecar.input.name: [1, 3, sidecar.input.height, sidecar.input.width]])
        return shapes.filter { $0.shape.count == 4 && $0.shape[2] >= 2 && $0.shape[3] >= 2 }.map { ($0.output, $0.op, $0.shape) }
    }

    /// Classifies `image` and explains `layer` ("auto", nil = the sidecar's, else a node output).
    public func explain(_ image: RGBImage, layer requested: String? = nil, topK: Int = 5, eigenCAM: EigenCAM = EigenCAM()) throws -> Result {
        var layer = requested ?? sidecar.camLayer ?? "auto"
        if layer == "auto" {
            guard let last = try candidateLayers().last else { throw CAMError.imaging("the model has no spatial layer to explain") }
            layer = last.name
        }
        let run = try session.run([sidecar.input.name: try preprocess(image)], capture: [layer])
        guard let activations = run.captured[layer] else {
            throw CAMError.imaging("no node output named '\(layer)'; list them with `lumen model inspect`")
        }
        let outputName = sidecar.output ?? session.model.outputs[0].name
        guard let scores = run.outputs[outputName]?.floats else { throw CAMError.imaging("the model has no output '\(outputName)'") }
        var probabilities = scores
        if sidecar.outputKind ?? "logits" == "logits" {
            let peak = scores.max() ?? 0
            let e = scores.map { Foundation.exp($0 - peak) }
            let total = e.reduce(0, +)
            probabilities = e.map { $0 / total }
        }
        let order = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }.prefix(topK)
        let predictions = order.map { Prediction(index: $0, label: $0 < labels.count ? labels[$0] : "class \($0)", probability: probabilities[$0]) }
        let tensor = try Tensor(shape: activations.shape, values: activations.floats)
        let maps = try CAMExplainer(eigenCAM: eigenCAM).explain([NamedActivations(name: layer, batch: try ActivationBatch(tensor))], width: image.width, height: image.height)
        return Result(predictions: predictions, layer: layer, map: maps[0])
    }
}
