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
        let run = try ClassMapRun(
            self,
            method: .ablationcam,
            input: input,
            layer: requested,
            classIndex: requestedClass,
            topK: topK
        )
        let (a, shape, layer, target, outputName) = (run.activations, run.shape, run.layer, run.target, run.outputName)
        let plane = run.height * run.width
        let low = a.min() ?? 0
        let ablated: Float = low == 0 ? 0 : low - 1e7
        let scores = try run.perChannel(jobs: jobs) { c in
            var edited = a
            for k in (c * plane)..<((c + 1) * plane) { edited[k] = ablated }
            let out = try session.run(
                [sidecar.input.name: input],
                replacing: [layer: .float(shape: shape, data: edited)]
            )
            guard let scored = out.outputs[outputName] else { throw ExplainError.unknownOutput(outputName) }
            return scored.floats[target]
        }
        let weights = scores.map { (run.score - $0) / run.score }
        return try run.map(.ablationcam, weights: weights, labels: labels, width: width, height: height)
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
