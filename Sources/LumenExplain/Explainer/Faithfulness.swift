import Foundation
import LumenImaging
import LumenNumerics
import LumenONNX

/// How faithful a heatmap is to the model, measured with the model itself.
public struct FaithfulnessReport: Sendable, Codable, Equatable {
    /// Class the scores refer to.
    public let classIndex: Int
    /// p(class | input) on the unmodified input.
    public let baseProbability: Float
    /// p(class | input ⊙ heatmap) − p(class | input): the input tensor multiplied by the heatmap, as
    /// pytorch-grad-cam's confidence-change metric does. Near or above 0 means the highlighted
    /// region alone keeps the prediction.
    public let dropInConfidence: Float
    /// Deletion curve: p(class) after removing (setting to the input mean) the most relevant
    /// 0 %, 10 %, …, 100 % of pixels.
    public let deletionCurve: [Float]
    /// Area under the deletion curve (trapezoid, x in [0, 1]); lower is more faithful.
    public let deletionAUC: Float
    /// The same with pixels removed in a seeded random order, for comparison.
    public let randomDeletionAUC: Float

    enum CodingKeys: String, CodingKey {
        case classIndex = "class_index"
        case baseProbability = "base_probability"
        case dropInConfidence = "drop_in_confidence"
        case deletionCurve = "deletion_curve"
        case deletionAUC = "deletion_auc"
        case randomDeletionAUC = "random_deletion_auc"
    }
}

extension ModelExplainer {
    /// Scores `heatmap` (image resolution) for class `index` on the preprocessed `input`.
    public func faithfulness(
        input: Value,
        heatmap: FloatMap,
        classIndex index: Int,
        steps: Int = 10
    ) throws -> FaithfulnessReport {
        let w = sidecar.input.width
        let h = sidecar.input.height
        let plane = w * h
        let mask = try heatmap.resized(width: w, height: h).values
        let x = input.floats
        func probability(_ data: [Float]) throws -> Float {
            let run = try session.run([sidecar.input.name: .float(shape: input.shape, data: data)])
            let outputName = sidecar.output ?? session.model.outputs[0].name
            let scores = run.outputs[outputName]!.floats
            guard sidecar.outputKind ?? .logits == .logits else { return scores[index] }
            let peak = scores.max()!
            let total = scores.reduce(Float(0)) { $0 + Foundation.exp($1 - peak) }
            return Foundation.exp(scores[index] - peak) / total
        }
        let base = try probability(x)
        var masked = x
        for c in 0..<3 { for k in 0..<plane { masked[c * plane + k] *= mask[k] } }
        let drop = try probability(masked) - base

        // Removing a pixel sets it to the per-channel mean of the input.
        let means = (0..<3).map { c in x[(c * plane)..<((c + 1) * plane)].reduce(0, +) / Float(plane) }
        func curve(_ order: [Int]) throws -> [Float] {
            var data = x
            var scores: [Float] = []
            var removed = 0
            for step in 0...steps {
                let target = plane * step / steps
                while removed < target {
                    let k = order[removed]
                    for c in 0..<3 { data[c * plane + k] = means[c] }
                    removed += 1
                }
                scores.append(step == 0 ? base : try probability(data))
            }
            return scores
        }
        func area(_ ys: [Float]) -> Float {
            zip(ys, ys.dropFirst()).reduce(0) { $0 + ($1.0 + $1.1) / 2 } / Float(ys.count - 1)
        }
        let relevant = (0..<plane).sorted { mask[$0] > mask[$1] }
        var generator = SeededGenerator(seed: 1)
        var random = Array(0..<plane)
        random.shuffle(using: &generator)
        let deletion = try curve(relevant)
        return FaithfulnessReport(
            classIndex: index,
            baseProbability: base,
            dropInConfidence: drop,
            deletionCurve: deletion,
            deletionAUC: area(deletion),
            randomDeletionAUC: area(try curve(random))
        )
    }
}
