import Foundation
import LumenKernels
import LumenNumerics

/// ROAD (Rong et al., 2022, "A Consistent and Efficient Evaluation Strategy for Attribution
/// Methods"): pixels are removed by a percentile of the map and filled in from their neighbours
/// (noisy linear imputation), so the model sees no tell-tale pattern of removed pixels, and the
/// class confidence change is read — as pytorch-grad-cam's `ROADMostRelevantFirst` /
/// `ROADLeastRelevantFirst` / `ROADCombined` compute it.
public struct ROADReport: Sendable, Codable, Equatable {
    /// The percentiles of the map used as thresholds (p removes the pixels at or above the p-th
    /// percentile for MoRF, the 100 − p least relevant for LeRF).
    public let percentiles: [Int]
    /// Confidence change after removing the most relevant pixels: lower (more negative) is better.
    public let mostRelevantFirst: [Float]
    /// After removing the least relevant: higher (near 0) is better.
    public let leastRelevantFirst: [Float]
    /// (mean LeRF − mean MoRF) / 2: higher is better.
    public let combined: Float

    enum CodingKeys: String, CodingKey {
        case percentiles, combined
        case mostRelevantFirst = "most_relevant_first"
        case leastRelevantFirst = "least_relevant_first"
    }
}

/// NumPy's default percentile of sorted values: linear interpolation between the closest ranks,
/// in double precision.
func percentile(_ sorted: [Float], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let position = Double(sorted.count - 1) * p / 100
    let lower = min(Int(position.rounded(.down)), sorted.count - 1)
    let upper = min(lower + 1, sorted.count - 1)
    let fraction = position - Double(lower)
    return Double(sorted[lower]) + (Double(sorted[upper]) - Double(sorted[lower])) * fraction
}

extension ModelExplainer {
    /// ROAD on the preprocessed input `x` (C planes of the model's input size) for a map `mask`
    /// at that size: `probability` scores an input, `base` is its score on `x`.
    static func road(
        x: [Float],
        width: Int,
        height: Int,
        mask: [Float],
        percentiles: [Int],
        noise: Float,
        base: Float,
        probability: ([Float]) throws -> Float
    ) throws -> ROADReport {
        // Removing the pixels at or above the p-th percentile of `map`, filled in; the change of p(class).
        func change(_ map: [Float], sorted: [Float], percentile p: Int, seed: UInt64) throws -> Float {
            let threshold = percentile(sorted, Double(p))
            let keep = map.map { Double($0) < threshold }
            let filled = NoisyLinearImputer.impute(
                x,
                width: width,
                height: height,
                keep: keep,
                noise: noise,
                seed: seed
            )
            return try probability(filled) - base
        }
        let inverse = mask.map { 1 - $0 }
        let (sortedMask, sortedInverse) = (mask.sorted(), inverse.sorted())
        var morf: [Float] = []
        var lerf: [Float] = []
        for (k, p) in percentiles.enumerated() {
            morf.append(try change(mask, sorted: sortedMask, percentile: p, seed: UInt64(2 * k + 1)))
            lerf.append(try change(inverse, sorted: sortedInverse, percentile: p, seed: UInt64(2 * k + 2)))
        }
        let mean = { (v: [Float]) in v.isEmpty ? 0 : v.reduce(0, +) / Float(v.count) }
        return ROADReport(
            percentiles: percentiles,
            mostRelevantFirst: morf,
            leastRelevantFirst: lerf,
            combined: (mean(lerf) - mean(morf)) / 2
        )
    }
}
