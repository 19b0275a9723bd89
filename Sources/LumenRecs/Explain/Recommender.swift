import LumenNumerics

/// One recommended item with its score and rationale.
public struct Recommendation: Sendable, Codable, Equatable {
    public let rank: Int
    public let explanation: Explanation
}

extension EMFModel {
    /// Ranking scores of every item for user `u`: biases included, not clipped, and for rating
    /// models plus `rankBlend` · W_ui.
    func scores(user u: Int) -> [Float] {
        let f = hyperparameters.factors
        let count = items.count
        var out = [Float](repeating: 0, count: count)
        userFactors.withUnsafeBufferPointer { p in
            itemFactors.withUnsafeBufferPointer { q in
                out.withUnsafeMutableBufferPointer { o in
                    BLAS.multiplyTransposed(
                        p.baseAddress! + u * f,
                        q.baseAddress!,
                        m: 1,
                        n: count,
                        k: f,
                        into: o.baseAddress!
                    )
                }
            }
        }
        if hyperparameters.useBiases {
            let base = globalMean + userBias[u]
            for i in 0..<count { out[i] += base + itemBias[i] }
        }
        let blend = hyperparameters.rankBlend
        if scoreKind == .rating && blend > 0 {
            var scratch = [Float](repeating: 0, count: count)
            var counts = scratch
            for (item, w) in explainability.row(
                user: u,
                neighborhood: neighborhood,
                ratings: training,
                scratch: &scratch,
                counts: &counts
            ) {
                out[Int(item)] += blend * w
            }
        }
        return out
    }

    /// The `n` best-scored items `u` has not rated in training; with `explainableOnly`, only
    /// items with W_ui > 0.
    public func topItems(
        user u: Int,
        n: Int,
        explainableOnly: Bool = false,
        scores precomputed: [Float]? = nil
    ) -> [Int] {
        let s = precomputed ?? scores(user: u)
        var excluded = [Bool](repeating: explainableOnly, count: items.count)
        if explainableOnly {
            var scratch = [Float](repeating: 0, count: items.count)
            var counts = scratch
            for (item, _) in explainability.row(
                user: u,
                neighborhood: neighborhood,
                ratings: training,
                scratch: &scratch,
                counts: &counts
            ) {
                excluded[Int(item)] = false
            }
        }
        for i in training.items(of: u) { excluded[Int(i)] = true }
        return TopN.select(s, n: n, excluded: excluded)
    }

    /// Top-n recommendations with rationales.
    public func recommend(user u: Int, n: Int, explainableOnly: Bool = false) -> [Recommendation] {
        topItems(user: u, n: n, explainableOnly: explainableOnly).enumerated().map { rank, i in
            Recommendation(rank: rank + 1, explanation: explain(user: u, item: i))
        }
    }
}

/// Selection of the largest scores.
enum TopN {
    /// Indices of the `n` largest scores not excluded, best first; ties to the lower index.
    static func select(_ scores: [Float], n: Int, excluded: [Bool]) -> [Int] {
        guard n > 0 else { return [] }
        var best: [(Float, Int)] = []
        best.reserveCapacity(n + 1)
        for i in scores.indices where !excluded[i] {
            let s = scores[i]
            if best.count == n, let last = best.last, !(s > last.0) { continue }
            var position = best.count
            while position > 0 && best[position - 1].0 < s { position -= 1 }
            best.insert((s, i), at: position)
            if best.count > n { best.removeLast() }
        }
        return best.map(\.1)
    }
}
