import Foundation
import LumenIO
import LumenImaging
import LumenNumerics
import LumenONNX

extension ModelExplainer {
    /// Ablation-CAM (Desai & Ramaswamy, 2020) for `classIndex` (nil: the top class) on `layer`,
    /// as pytorch-grad-cam's `AblationCAM` computes it with a `ClassifierOutputTarget`: each
    /// channel of the layer in turn is set to 0 (or, when the layer's minimum is not 0, to that
    /// minimum − 10⁷) and the rest of the network run from it; the channel's weight is
    /// (score − ablated score) / score. One forward pass per channel, `jobs` at a time.
    public func ablationCAM(
        input: Value,
        width: Int,
        height: Int,
        layer requested: String? = nil,
        classIndex requestedClass: Int? = nil,
        topK: Int = 5,
        jobs: Int = Parallel.machineWorkers
    ) throws -> ClassMap {
        guard sidecar.task == .classify else {
            throw ExplainError.unsuitableModel("Ablation-CAM explains a classifier's class; this model is a detector")
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
        let original = output.floats[target]
        let low = a.min() ?? 0
        let ablated: Float = low == 0 ? 0 : low - 1e7

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
                        do {
                            var edited = a
                            for k in (c * h * w)..<((c + 1) * h * w) { edited[k] = ablated }
                            let out = try session.run(
                                [sidecar.input.name: input],
                                replacing: [layer: .float(shape: shape, data: edited)]
                            )
                            guard let scored = out.outputs[outputName] else {
                                throw ExplainError.unknownOutput(outputName)
                            }
                            slots.pointer[c] = scored.floats[target]
                        } catch {
                            failure.record(error)
                        }
                        c += jobs
                    }
                }
            }
        }
        if let error = failure.error { throw error }
        let weights = scores.map { (original - $0) / original }
        let layerMap = try Self.weightedMap(a, weights: weights, width: w, height: h)
        return ClassMap(
            method: .ablationcam,
            classIndex: target,
            label: target < labels.count ? labels[target] : "class \(target)",
            probability: probabilities[target],
            layer: layer,
            weights: weights,
            layerMap: layerMap,
            heatmap: try layerMap.resized(width: width, height: height).minMaxNormalized(),
            predictions: top,
            forwardPasses: channels + 1
        )
    }

    /// ReLU of Σ weight·channel, shifted to 0 and divided by 1e-7 + its maximum (pytorch-grad-cam's
    /// `scale_cam_image` before resizing).
    static func weightedMap(_ a: [Float], weights: [Float], width w: Int, height h: Int) throws -> FloatMap {
        var cam = [Float](repeating: 0, count: h * w)
        for (c, wc) in weights.enumerated() {
            for k in 0..<(h * w) { cam[k] += wc * a[c * h * w + k] }
        }
        cam = cam.map { max($0, 0) }
        let lo = cam.min() ?? 0
        cam = cam.map { $0 - lo }
        let hi = cam.max() ?? 0
        return try FloatMap(width: w, height: h, values: cam.map { $0 / (1e-7 + hi) })
    }
}
