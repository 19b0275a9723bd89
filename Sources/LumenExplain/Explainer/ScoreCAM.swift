import Foundation
import LumenCAM
import LumenIO
import LumenImaging
import LumenNumerics
import LumenONNX

/// Which method draws a map.
public enum CAMMethod: String, Sendable, Codable, CaseIterable {
    /// The layer's first principal component: no class, one forward pass.
    case eigencam
    /// Score-CAM (Wang et al., 2020): each channel, upsampled and scaled to [0, 1], masks the
    /// input; the class score of each masked input, softmaxed over channels, weighs the channels.
    /// Class-specific, forward passes only (one per channel).
    case scorecam
    /// Ablation-CAM (Desai & Ramaswamy, 2020): each channel is removed in turn and the drop of the
    /// class score weighs it. Class-specific, one forward pass per channel.
    case ablationcam

    /// The method's name as people write it.
    public var displayName: String {
        switch self {
        case .eigencam: "EigenCAM"
        case .scorecam: "Score-CAM"
        case .ablationcam: "Ablation-CAM"
        }
    }
}

/// A class-specific map and what it was made from.
public struct ClassMap: Sendable {
    public let method: CAMMethod
    /// The class the map explains, and its probability on the unmodified image.
    public let classIndex: Int
    public let label: String
    public let probability: Float
    public let layer: String
    /// Channel weights: softmax over channels of the masked-input class scores.
    public let weights: [Float]
    /// ReLU of the weighted channel sum at the layer's resolution, shifted to 0 and divided by
    /// its maximum (pytorch-grad-cam's `scale_cam_image` before resizing).
    public let layerMap: FloatMap
    /// The map at the image's resolution, in [0, 1].
    public let heatmap: FloatMap
    /// The top classes of the unmodified image.
    public let predictions: [ModelExplainer.Prediction]
    /// Forward passes the map cost.
    public let forwardPasses: Int
}

extension ModelExplainer {
    /// Score-CAM for `classIndex` (nil: the top class) on `layer`, as pytorch-grad-cam's
    /// `ScoreCAM` computes it with a `ClassifierOutputTarget`: the score is the model's output for
    /// the class (a logit, or the probability when the sidecar says the output holds those),
    /// channels are upsampled bilinearly with aligned corners (its `UpsamplingBilinear2d`) to the input size and
    /// min-max scaled with
    /// 1e-8 in the denominator. Channels run `jobs` at a time, each on its share of the cores.
    /// Classifiers only.
    public func scoreCAM(
        _ picture: RGBImage,
        layer requested: String? = nil,
        classIndex requestedClass: Int? = nil,
        topK: Int = 5,
        jobs: Int = Parallel.machineWorkers
    ) throws -> ClassMap {
        try scoreCAM(
            input: try preprocess(picture),
            width: picture.width,
            height: picture.height,
            layer: requested,
            classIndex: requestedClass,
            topK: topK,
            jobs: jobs
        )
    }

    /// Score-CAM on an input tensor already preprocessed, the heatmap drawn at `width × height`.
    public func scoreCAM(
        input: Value,
        width: Int,
        height: Int,
        layer requested: String? = nil,
        classIndex requestedClass: Int? = nil,
        topK: Int = 5,
        jobs: Int = Parallel.machineWorkers
    ) throws -> ClassMap {
        let run = try ClassMapRun(
            self,
            method: .scorecam,
            input: input,
            layer: requested,
            classIndex: requestedClass,
            topK: topK
        )
        let (h, w, a, target, outputName) = (run.height, run.width, run.activations, run.target, run.outputName)
        let (inW, inH) = (sidecar.input.width, sidecar.input.height)
        let x = input.floats
        let plane = inW * inH
        let inputChannels = x.count / plane
        // One masked forward pass per channel.
        let raw = try run.perChannel(jobs: jobs) { c in
            let map = try FloatMap(width: w, height: h, values: Array(a[(c * h * w)..<((c + 1) * h * w)]))
            let up = try map.resizedAligningCorners(width: inW, height: inH).values
            let lo = up.min() ?? 0
            let span = (up.max() ?? 0) - lo + 1e-8
            var masked = x
            for k in 0..<plane {
                let m = (up[k] - lo) / span
                for ch in 0..<inputChannels { masked[ch * plane + k] *= m }
            }
            let out = try session.run([sidecar.input.name: .float(shape: input.shape, data: masked)])
            guard let scored = out.outputs[outputName] else { throw ExplainError.unknownOutput(outputName) }
            return scored.floats[target]
        }
        let peak = raw.max() ?? 0
        let e = raw.map { Foundation.exp($0 - peak) }
        let total = e.reduce(0, +)
        return try run.map(.scorecam, weights: e.map { $0 / total }, labels: labels, width: width, height: height)
    }

    /// A class-specific map by `method` (Score-CAM or Ablation-CAM; EigenCAM has no class).
    public func classMap(
        _ method: CAMMethod,
        input: Value,
        width: Int,
        height: Int,
        layer: String? = nil,
        classIndex: Int? = nil,
        topK: Int = 5,
        jobs: Int = Parallel.machineWorkers
    ) throws -> ClassMap {
        let make = method == .ablationcam ? ablationCAM : scoreCAM
        guard method != .eigencam else {
            throw ExplainError.unsuitableModel("EigenCAM is class-agnostic; ask for scorecam or ablationcam")
        }
        return try make(input, width, height, layer, classIndex, topK, jobs)
    }

    /// The class a `--class` value names: an index, or a label (exact, then ignoring case).
    public func classIndex(named name: String) throws -> Int {
        if let i = Int(name) {
            guard i >= 0, labels.isEmpty || i < labels.count else {
                throw ExplainError.unknownClass("\(i) (the labels run 0…\(max(0, labels.count - 1)))")
            }
            return i
        }
        if let i = labels.firstIndex(of: name) ?? labels.firstIndex(where: { $0.lowercased() == name.lowercased() }) {
            return i
        }
        let near = labels.filter { $0.lowercased().contains(name.lowercased()) }.prefix(5)
        throw ExplainError.unknownClass(
            "'\(name)'" + (near.isEmpty ? "" : "; labels containing it: \(near.joined(separator: ", "))")
        )
    }
}

extension ClassMap {
    /// What an annotated overlay says about this map.
    public func captionLines(model: String) -> [String] {
        [
            "model \(model)",
            "\(method.displayName) for '\(label)' (p \(String(format: "%.2f", probability))): class-specific",
            "layer \(layer) \(weights.count)x\(layerMap.height)x\(layerMap.width) | \(forwardPasses) forward passes",
            "top: "
                + predictions.prefix(3).map { "\($0.label) \(String(format: "%.2f", $0.probability))" }.joined(
                    separator: " | "
                ),
        ]
    }
}
