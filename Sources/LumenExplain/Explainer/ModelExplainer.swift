import Foundation
import LumenCAM
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
        /// Top classes (classifiers).
        public let predictions: [Prediction]
        /// Objects found (detectors).
        public let detections: [Detection]
        public let layer: String
        public let map: CAMMap
    }

    public let session: ONNXSession
    public let sidecar: ModelSidecar
    public let labels: [String]
    /// The model file's name without its extension, as an annotated overlay names it.
    public let name: String
    /// The automatically chosen layer, found once (it costs a forward pass) and reused.
    private let autoLayer = AutoLayerCache()
    private let autoScales = AutoLayerCache()

    /// Loads `model` and its sidecar; `bytes`, when given, are the model file already read.
    public init(model: URL, bytes: [UInt8]? = nil) throws {
        let onnx =
            try bytes.map { try ONNXModel(bytes: $0, directory: model.deletingLastPathComponent()) }
            ?? ONNXModel.load(model)
        session = ONNXSession(model: onnx)
        name = model.deletingPathExtension().lastPathComponent
        (sidecar, labels) = try ModelSidecar.resolve(forModel: model, model: onnx)
        guard session.model.inputs.contains(where: { $0.name == sidecar.input.name }) else {
            throw ExplainError.unsuitableModel(
                "the sidecar names input '\(sidecar.input.name)', the model has \(session.model.inputs.map(\.name))"
            )
        }
    }

    /// How the image sits in the input (the whole input for "stretch").
    public func letterbox(for image: RGBImage) -> Letterbox {
        if sidecar.input.resize == .letterbox {
            return Letterbox(
                imageWidth: image.width,
                imageHeight: image.height,
                inputWidth: sidecar.input.width,
                inputHeight: sidecar.input.height
            )
        }
        return Letterbox(
            imageWidth: sidecar.input.width,
            imageHeight: sidecar.input.height,
            inputWidth: sidecar.input.width,
            inputHeight: sidecar.input.height
        )
    }

    /// The image as the model's input tensor (1 × 3 × H × W).
    public func preprocess(_ image: RGBImage) throws -> Value {
        let w = sidecar.input.width
        let h = sidecar.input.height
        let box = letterbox(for: image)
        let stretch = sidecar.input.resize == .stretch
        let (fitW, fitH) = stretch ? (w, h) : (box.width, box.height)
        let (left, top) = stretch ? (0, 0) : (Int(box.padX.rounded(.down)), Int(box.padY.rounded(.down)))
        let pad = sidecar.input.padValue ?? 114
        var data = [Float](repeating: 0, count: 3 * w * h)
        for c in 0..<3 {
            var channel = try FloatMap(
                width: image.width,
                height: image.height,
                values: (0..<(image.width * image.height)).map { Float(image.pixels[3 * $0 + c]) }
            )
            channel = try channel.resized(width: fitW, height: fitH)
            let target = sidecar.input.channelOrder == .rgb ? c : 2 - c
            let mean = sidecar.input.mean[target]
            let std = sidecar.input.std[target]
            for k in 0..<(w * h) { data[target * w * h + k] = (pad - mean) / std }
            for y in 0..<fitH {
                for x in 0..<fitW {
                    data[target * w * h + (y + top) * w + x + left] = (channel.values[y * fitW + x] - mean) / std
                }
            }
        }
        return .float(shape: [1, 3, h, w], data: data)
    }

    /// Node outputs that make good EigenCAM layers: 4-D (N, C, H, W) feature maps of at least
    /// 2×2 pixels with the input's aspect ratio; the last of them (the deepest spatial block) is
    /// the automatic choice.
    public func candidateLayers() throws -> [(name: String, op: String, shape: [Int])] {
        let h = sidecar.input.height
        let w = sidecar.input.width
        let shapes = try session.inspect(inputShapes: [sidecar.input.name: [1, 3, h, w]])
        return shapes.filter { Self.isFeatureMap($0.shape, inputHeight: h, inputWidth: w) }.map {
            ($0.output, $0.op, $0.shape)
        }
    }

    /// The layer a request names: `requested`, else the sidecar's `cam_layer`; "auto" (or
    /// neither) is the last spatial block, found once.
    public func resolvedLayer(_ requested: String?) throws -> String {
        var layer = requested ?? sidecar.camLayer ?? "auto"
        if layer == "auto" {
            layer = try autoLayer.single {
                let h = sidecar.input.height
                let w = sidecar.input.width
                let rows = try session.inspect(inputShapes: [sidecar.input.name: [1, 3, h, w]])
                guard
                    let pick = Self.automaticLayer(
                        rows,
                        inputHeight: h,
                        inputWidth: w,
                        outputs: Set(session.model.outputs.map(\.name))
                    )
                else {
                    throw ExplainError.unsuitableModel("the model has no spatial layer to explain")
                }
                return pick
            }
        }
        return layer
    }

    /// Probabilities from the model's scores (softmax of logits unless the sidecar says they are
    /// probabilities already), and the `topK` most likely classes.
    public func predictions(from scores: [Float], topK: Int) -> (probabilities: [Float], top: [Prediction]) {
        var probabilities = scores
        if sidecar.outputKind ?? .logits == .logits {
            let peak = scores.max() ?? 0
            let e = scores.map { Foundation.exp($0 - peak) }
            let total = e.reduce(0, +)
            probabilities = e.map { $0 / total }
        }
        let order = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }.prefix(topK)
        let top = order.map {
            Prediction(index: $0, label: $0 < labels.count ? labels[$0] : "class \($0)", probability: probabilities[$0])
        }
        return (probabilities, Array(top))
    }

    /// The layers a request names: "scales" is every neck map a detector's head reads (averaged,
    /// as pytorch-grad-cam users do for YOLO), else the one layer `resolvedLayer` gives.
    public func resolvedLayers(_ requested: String?) throws -> [String] {
        guard requested == Self.scalesLayer else { return [try resolvedLayer(requested)] }
        return try autoScales.value {
            let (h, w) = (sidecar.input.height, sidecar.input.width)
            let rows = try session.inspect(inputShapes: [sidecar.input.name: [1, 3, h, w]])
            guard
                let layers = Self.scaleLayers(
                    rows,
                    nodes: session.model.nodes.map { ($0.name, $0.inputs) },
                    inputHeight: h,
                    inputWidth: w
                )
            else {
                throw ExplainError.unsuitableModel(
                    "--layer scales needs a detector whose head module reads several scales (ultralytics /model.N/ names)"
                )
            }
            return layers
        }
    }

    /// The `--layer` value that averages a detector's scales.
    public static let scalesLayer = "scales"

    /// Classifies `image` and explains `layer` ("auto", "scales", nil = the sidecar's, else a node
    /// output).
    public func explain(
        _ image: RGBImage,
        layer requested: String? = nil,
        topK: Int = 5,
        eigenCAM: EigenCAM = EigenCAM()
    ) throws -> Result {
        let names = try resolvedLayers(requested)
        let layer = names.joined(separator: " + ")
        let run = try session.run([sidecar.input.name: try preprocess(image)], capture: Set(names))
        let layers = try names.map { name in
            guard let activations = run.captured[name] else { throw ExplainError.unknownLayer(name) }
            let tensor = try Tensor(shape: activations.shape, values: activations.floats)
            return NamedActivations(name: name, batch: try ActivationBatch(tensor))
        }
        let outputName = sidecar.output ?? session.model.outputs[0].name
        guard let output = run.outputs[outputName] else {
            throw ExplainError.unknownOutput(outputName)
        }
        if sidecar.task == .detect {
            let box = letterbox(for: image)
            let detections = try DetectionDecoder.decode(
                output.floats,
                shape: output.shape,
                labels: labels,
                letterbox: box,
                imageWidth: image.width,
                imageHeight: image.height,
                confidence: sidecar.confidenceThreshold ?? 0.25,
                iou: sidecar.iouThreshold ?? 0.45
            )
            // CAM at input resolution, the letterboxed region cut out and scaled to the image.
            let full = try CAMExplainer(eigenCAM: eigenCAM).explain(
                layers,
                width: sidecar.input.width,
                height: sidecar.input.height
            )[0]
            let left = Int(box.padX.rounded(.down))
            let top = Int(box.padY.rounded(.down))
            var crop = [Float](repeating: 0, count: box.width * box.height)
            for y in 0..<box.height {
                for x in 0..<box.width { crop[y * box.width + x] = full.heatmap[x + left, y + top] }
            }
            let heat = try FloatMap(width: box.width, height: box.height, values: crop).resized(
                width: image.width,
                height: image.height
            ).minMaxNormalized()
            return Result(
                predictions: [],
                detections: detections,
                layer: layer,
                map: CAMMap(batchIndex: 0, component: full.component, heatmap: heat, layers: full.layers)
            )
        }
        let predictions = self.predictions(from: output.floats, topK: topK).top
        let maps = try CAMExplainer(eigenCAM: eigenCAM).explain(layers, width: image.width, height: image.height)
        return Result(predictions: predictions, detections: [], layer: layer, map: maps[0])
    }
}

/// Holds the automatically chosen layers once they have been computed (each costs a forward pass).
final class AutoLayerCache: @unchecked Sendable {
    private let lock = NSLock()
    private var names: [String]?

    func value(_ compute: () throws -> [String]) throws -> [String] {
        lock.lock()
        defer { lock.unlock() }
        if let names { return names }
        let found = try compute()
        names = found
        return found
    }

    /// The one layer `compute` finds, held as a list of one.
    func single(_ compute: () throws -> String) throws -> String {
        try value { [try compute()] }[0]
    }
}
