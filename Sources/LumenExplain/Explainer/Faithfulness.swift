import Foundation
import LumenImaging
import LumenNumerics
import LumenONNX

/// How faithful a heatmap is to the model, measured with the model itself. Each figure says
/// which way is better (`FaithfulnessReport.directions`), and the deletion and insertion areas
/// stand beside the same curves for random pixel orders over several seeds, with a verdict.
public struct FaithfulnessReport: Sendable, Codable, Equatable {
    /// Class the scores refer to.
    public let classIndex: Int
    /// p(class | input) on the unmodified input.
    public let baseProbability: Float
    /// p(class | input ⊙ heatmap) − p(class | input): pytorch-grad-cam's
    /// `CamMultImageConfidenceChange` with a softmax target. Near or above 0 means the highlighted
    /// region alone keeps the prediction; very negative, that it does not.
    public let confidenceChange: Float
    /// max(−change, 0) (pytorch-grad-cam's `DropInConfidence`): lower is better.
    public let dropInConfidence: Float
    /// Whether the masked input is more confident (its `IncreaseInConfidence`): true is better.
    public let increaseInConfidence: Bool
    /// Deletion curve: p(class) after removing (setting to the input mean) the most relevant
    /// 0 %, 10 %, …, 100 % of pixels.
    public let deletionCurve: [Float]
    /// Area under the deletion curve (trapezoid, x in [0, 1]): lower is better.
    public let deletionAUC: Float
    /// Insertion curve: p(class) with only the most relevant 0 %, 10 %, …, 100 % of pixels
    /// restored on the mean image.
    public let insertionCurve: [Float]
    /// Area under the insertion curve: higher is better.
    public let insertionAUC: Float
    /// The same areas with pixels taken in random orders (one per seed).
    public let randomDeletion: RandomBaseline
    public let randomInsertion: RandomBaseline
    /// The heatmap's areas against the random ones (beyond two standard deviations of them).
    public let deletionVerdict: FaithfulnessVerdict
    public let insertionVerdict: FaithfulnessVerdict
    /// ROAD: removal by percentile with the holes filled from their neighbours (nil when no
    /// percentiles were asked for).
    public let road: ROADReport?

    /// Which way each figure is better, for people reading the numbers.
    public static let directions =
        "confidence change: higher is better (>= 0: the highlighted region alone keeps the class); deletion AUC: lower is better; insertion AUC: higher is better (each against random pixel orders); ROAD most-relevant-first: lower is better, least-relevant-first: higher is better, combined: higher is better"

    enum CodingKeys: String, CodingKey {
        case classIndex = "class_index"
        case baseProbability = "base_probability"
        case confidenceChange = "confidence_change"
        case dropInConfidence = "drop_in_confidence"
        case increaseInConfidence = "increase_in_confidence"
        case deletionCurve = "deletion_curve"
        case deletionAUC = "deletion_auc"
        case insertionCurve = "insertion_curve"
        case insertionAUC = "insertion_auc"
        case randomDeletion = "random_deletion"
        case randomInsertion = "random_insertion"
        case deletionVerdict = "deletion_verdict"
        case insertionVerdict = "insertion_verdict"
        case road
    }
}

/// Areas of curves for random pixel orders.
public struct RandomBaseline: Sendable, Codable, Equatable {
    /// Mean and (population) standard deviation over the seeds.
    public let mean: Float
    public let standardDeviation: Float
    public let areas: [Float]

    public init(_ areas: [Float]) {
        self.areas = areas
        let n = Float(max(areas.count, 1))
        let m = areas.reduce(0, +) / n
        mean = m
        standardDeviation = (areas.reduce(0) { $0 + ($1 - m) * ($1 - m) } / n).squareRoot()
    }

    enum CodingKeys: String, CodingKey {
        case mean, areas
        case standardDeviation = "standard_deviation"
    }
}

/// A heatmap's area against random orders: beyond two standard deviations of them either way.
public enum FaithfulnessVerdict: String, Sendable, Codable, Equatable {
    case betterThanRandom = "better than random"
    case withinRandomSpread = "within the random spread"
    case worseThanRandom = "worse than random"

    /// The verdict for `area` when `lowerIsBetter` (deletion) or not (insertion).
    public static func judge(_ area: Float, against random: RandomBaseline, lowerIsBetter: Bool) -> Self {
        let margin = 2 * random.standardDeviation
        let better = lowerIsBetter ? area < random.mean - margin : area > random.mean + margin
        let worse = lowerIsBetter ? area > random.mean + margin : area < random.mean - margin
        return better ? .betterThanRandom : worse ? .worseThanRandom : .withinRandomSpread
    }
}

extension ModelExplainer {
    /// Scores `heatmap` (image resolution) for class `index` on the preprocessed `input`:
    /// 3 + (steps − 1)·2·(seeds + 1) + 2·percentiles forward passes.
    public func faithfulness(
        input: Value,
        heatmap: FloatMap,
        classIndex index: Int,
        steps: Int = 10,
        seeds: Int = 5,
        roadPercentiles: [Int] = [10, 20, 30, 40, 50, 60, 70, 80, 90],
        roadNoise: Float = 0.01
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
        let change = try probability(masked) - base

        // Removing a pixel sets it to the per-channel mean of the input; inserting restores it.
        let means = (0..<3).map { c in x[(c * plane)..<((c + 1) * plane)].reduce(0, +) / Float(plane) }
        var blank = x
        for c in 0..<3 { for k in 0..<plane { blank[c * plane + k] = means[c] } }
        let blankProbability = try probability(blank)
        func curve(_ order: [Int], inserting: Bool) throws -> [Float] {
            var data = inserting ? blank : x
            var scores: [Float] = []
            var moved = 0
            for step in 0...steps {
                let target = plane * step / steps
                while moved < target {
                    let k = order[moved]
                    for c in 0..<3 { data[c * plane + k] = inserting ? x[c * plane + k] : means[c] }
                    moved += 1
                }
                if step == 0 {
                    scores.append(inserting ? blankProbability : base)
                } else if step == steps {
                    scores.append(inserting ? base : blankProbability)
                } else {
                    scores.append(try probability(data))
                }
            }
            return scores
        }
        func area(_ ys: [Float]) -> Float {
            zip(ys, ys.dropFirst()).reduce(0) { $0 + ($1.0 + $1.1) / 2 } / Float(ys.count - 1)
        }
        let relevant = (0..<plane).sorted { mask[$0] > mask[$1] }
        var randomDeletion: [Float] = []
        var randomInsertion: [Float] = []
        for seed in 1...max(1, seeds) {
            var generator = SeededGenerator(seed: UInt64(seed))
            var order = Array(0..<plane)
            order.shuffle(using: &generator)
            randomDeletion.append(area(try curve(order, inserting: false)))
            randomInsertion.append(area(try curve(order, inserting: true)))
        }
        let deletion = try curve(relevant, inserting: false)
        let insertion = try curve(relevant, inserting: true)
        let randomD = RandomBaseline(randomDeletion)
        let randomI = RandomBaseline(randomInsertion)
        return FaithfulnessReport(
            classIndex: index,
            baseProbability: base,
            confidenceChange: change,
            dropInConfidence: max(-change, 0),
            increaseInConfidence: change > 0,
            deletionCurve: deletion,
            deletionAUC: area(deletion),
            insertionCurve: insertion,
            insertionAUC: area(insertion),
            randomDeletion: randomD,
            randomInsertion: randomI,
            deletionVerdict: .judge(area(deletion), against: randomD, lowerIsBetter: true),
            insertionVerdict: .judge(area(insertion), against: randomI, lowerIsBetter: false),
            road: roadPercentiles.isEmpty
                ? nil
                : try Self.road(
                    x: x,
                    width: w,
                    height: h,
                    mask: mask,
                    percentiles: roadPercentiles,
                    noise: roadNoise,
                    base: base,
                    probability: probability
                )
        )
    }
}
