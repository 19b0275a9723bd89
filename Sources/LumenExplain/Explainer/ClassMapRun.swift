import Foundation
import LumenImaging
import LumenNumerics
import LumenONNX

/// What every class-specific method starts from: one forward pass that captures the layer and
/// reads the class scores, checked (a classifier, a known layer and class, one image's
/// [1, C, H, W] feature map).
struct ClassMapRun {
    let layer: String
    let outputName: String
    /// The layer's activations, flat C × H × W, and their shape.
    let activations: [Float]
    let shape: [Int]
    var channels: Int { shape[1] }
    var height: Int { shape[2] }
    var width: Int { shape[3] }
    /// The class explained, its raw score (logit or probability as the model outputs it) and
    /// its probability; the top classes.
    let target: Int
    let score: Float
    let probability: Float
    let top: [ModelExplainer.Prediction]

    init(
        _ explainer: ModelExplainer,
        method: CAMMethod,
        input: Value,
        layer requested: String?,
        classIndex: Int?,
        topK: Int
    ) throws {
        guard explainer.sidecar.task == .classify else {
            throw ExplainError.unsuitableModel(
                "\(method.displayName) explains a classifier's class; this model is a detector"
            )
        }
        layer = try explainer.resolvedLayer(requested)
        let run = try explainer.session.run([explainer.sidecar.input.name: input], capture: [layer])
        guard let captured = run.captured[layer] else { throw ExplainError.unknownLayer(layer) }
        outputName = explainer.sidecar.output ?? explainer.session.model.outputs[0].name
        guard let output = run.outputs[outputName] else { throw ExplainError.unknownOutput(outputName) }
        let (probabilities, top) = explainer.predictions(from: output.floats, topK: topK)
        target = classIndex ?? top[0].index
        guard probabilities.indices.contains(target) else {
            throw ExplainError.unknownClass("\(target) (the model has \(probabilities.count) classes)")
        }
        shape = captured.shape
        guard shape.count == 4, shape[0] == 1 else {
            throw ExplainError.unsuitableModel(
                "layer '\(layer)' is \(shape), not one image's [1, C, H, W] feature map"
            )
        }
        activations = captured.floats
        score = output.floats[target]
        probability = probabilities[target]
        self.top = top
    }

    /// `score(c)` for every channel c, `jobs` channels at a time, each job running its layers on
    /// its share of the cores; the first error stops the rest and is thrown.
    func perChannel(jobs: Int, _ score: @Sendable (Int) throws -> Float) throws -> [Float] {
        let channels = self.channels
        var scores = [Float](repeating: 0, count: channels)
        let jobs = max(1, min(jobs, 64, channels))
        let kernelWorkers = max(1, Parallel.machineWorkers / jobs)
        let failure = FirstError()
        scores.withUnsafeMutableBufferPointer { buffer in
            let slots = SendableMutablePointer(buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: jobs) { job in
                Parallel.withWorkers(kernelWorkers) {
                    var c = job
                    while c < channels, failure.error == nil {
                        do { slots.pointer[c] = try score(c) } catch { failure.record(error) }
                        c += jobs
                    }
                }
            }
        }
        if let error = failure.error { throw error }
        return scores
    }

    /// The map the weights make, as `ClassMap`.
    func map(
        _ method: CAMMethod,
        weights: [Float],
        labels: [String],
        width: Int,
        height: Int
    ) throws -> ClassMap {
        let layerMap = try ModelExplainer.weightedMap(
            activations,
            weights: weights,
            width: self.width,
            height: self.height
        )
        return ClassMap(
            method: method,
            classIndex: target,
            label: target < labels.count ? labels[target] : "class \(target)",
            probability: probability,
            layer: layer,
            weights: weights,
            layerMap: layerMap,
            heatmap: try layerMap.resized(width: width, height: height).minMaxNormalized(),
            predictions: top,
            forwardPasses: channels + 1
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
