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
        guard sidecar.task == .classify else {
            throw ExplainError.unsuitableModel("Score-CAM explains a classifier's class; this model is a detector")
        }
        let layer = try resolvedLayer(requested)
        let run = try session.run([sidecar.input.name: input], capture: [layer])
        guard let activations = run.captured[layer] else { throw ExplainError.unknownLayer(layer) }
        let outputName = sidecar.output ?? session.model.outputs[0].name
        guard let output = run.outputs[outputName] else { throw ExplainError.unknownOutput(outputName) }
        let (probabilities, top) = predictions(from: output.floats, topK: topK)
        let target = requestedClass ?? top[0].index
        guard probabilities.indices.contains(target) else {
            throw ExplainError.unknownClass("\(target) (the model has \(probabilities.count) classes)")
        }
        let shape = activations.shape
        guard shape.count == 4, shape[0] == 1 else {
            throw ExplainError.unsuitableModel("layer '\(layer)' is \(shape), not one image's [1, C, H, W] feature map")
        }
        let (channels, h, w) = (shape[1], shape[2], shape[3])
        let a = activations.floats
        let (inW, inH) = (sidecar.input.width, sidecar.input.height)
        let x = input.floats
        let plane = inW * inH
        let inputChannels = x.count / plane

        // One masked forward pass per channel.
        var raw = [Float](repeating: 0, count: channels)
        let jobs = max(1, min(jobs, 64, channels))
        let kernelWorkers = max(1, Parallel.machineWorkers / jobs)
        let failure = FirstError()
        raw.withUnsafeMutableBufferPointer { buffer in
            let scores = SendableMutablePointer(buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: jobs) { job in
                Parallel.withWorkers(kernelWorkers) {
                    var c = job
                    while c < channels, failure.error == nil {
                        do {
                            let map = try FloatMap(
                                width: w,
                                height: h,
                                values: Array(a[(c * h * w)..<((c + 1) * h * w)])
                            )
                            let up = try map.resizedAligningCorners(width: inW, height: inH).values
                            let lo = up.min() ?? 0
                            let span = (up.max() ?? 0) - lo + 1e-8
                            var masked = x
                            for k in 0..<plane {
                                let m = (up[k] - lo) / span
                                for ch in 0..<inputChannels { masked[ch * plane + k] *= m }
                            }
                            let out = try session.run([sidecar.input.name: .float(shape: input.shape, data: masked)])
                            guard let scored = out.outputs[outputName] else {
                                throw ExplainError.unknownOutput(outputName)
                            }
                            scores.pointer[c] = scored.floats[target]
                        } catch {
                            failure.record(error)
                        }
                        c += jobs
                    }
                }
            }
        }
        if let error = failure.error { throw error }
        let peak = raw.max() ?? 0
        let e = raw.map { Foundation.exp($0 - peak) }
        let total = e.reduce(0, +)
        let weights = e.map { $0 / total }

        let layerMap = try Self.weightedMap(a, weights: weights, width: w, height: h)
        let heatmap = try layerMap.resized(width: width, height: height).minMaxNormalized()
        return ClassMap(
            method: .scorecam,
            classIndex: target,
            label: target < labels.count ? labels[target] : "class \(target)",
            probability: probabilities[target],
            layer: layer,
            weights: weights,
            layerMap: layerMap,
            heatmap: heatmap,
            predictions: top,
            forwardPasses: channels + 1
        )
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

/// The first error any worker hit.
final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Error?
    var error: Error? { lock.withLock { first } }
    func record(_ error: Error) { lock.withLock { if first == nil { first = error } } }
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
