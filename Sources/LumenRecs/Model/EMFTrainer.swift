import Foundation
import LumenNumerics

/// Progress of one training epoch.
public struct EpochReport: Sendable {
    public let epoch: Int
    public let epochs: Int
    /// Root mean squared training error during the epoch.
    public let trainRMSE: Double
    /// Mean explainability penalty Σ W ‖p − q‖² / n over the observed pairs.
    public let explainabilityPenalty: Double
    public let seconds: Double
    /// Ranking objectives: mean weighted −log σ(x), estimated from every eighth triple of the epoch
    /// (a logarithm per triple cost a fifth of the training time).
    public var rankingLoss: Double? = nil
    /// Ranking objectives: share of triples with the positive scored above the negative.
    public var pairAccuracy: Double? = nil
}

/// Trains EMF by SGD over the training ratings in a seeded random order.
public struct EMFTrainer: Sendable {
    public var hyperparameters: EMFHyperparameters

    public init(hyperparameters: EMFHyperparameters = EMFHyperparameters()) {
        self.hyperparameters = hyperparameters
    }

    /// Fits a model to `data.ratings` (the training split). `progress` is called after each epoch.
    public func train(_ data: RatingsData, progress: (EpochReport) -> Void = { _ in }) throws(RecsError) -> EMFModel {
        let h = hyperparameters
        try h.validate()
        guard !data.ratings.isEmpty else { throw .emptyData("no training ratings") }
        let users = data.users.count
        let items = data.items.count
        let f = h.factors
        let matrix = RatingMatrix(ratings: data.ratings, users: users, items: items)
        let neighborhood = try UserNeighborhood.compute(
            matrix,
            k: h.neighbors,
            similarity: h.similarity,
            basis: h.basis
        )
        let range = data.ratingRange
        let explainability = Explainability(kind: h.explainability, threshold: h.threshold, maxRating: range.max)

        // Training pairs in user-major order with their W, plus the unrated explainable pairs.
        let count = matrix.count
        var pairWeight = [Float](repeating: 0, count: count)
        var unratedUser: [Int32] = []
        var unratedItem: [Int32] = []
        var unratedWeight: [Float] = []
        var scratch = [Float](repeating: 0, count: items)
        var counts = [Float](repeating: 0, count: items)
        for u in 0..<users {
            let row = explainability.row(
                user: u,
                neighborhood: neighborhood,
                ratings: matrix,
                scratch: &scratch,
                counts: &counts
            )
            let rated = matrix.items(of: u)
            var cursor = rated.startIndex
            for (item, w) in row {
                while cursor < rated.endIndex && rated[cursor] < item { cursor += 1 }
                if cursor < rated.endIndex && rated[cursor] == item {
                    pairWeight[cursor] = w
                } else if h.unratedExplainablePairs {
                    unratedUser.append(Int32(u))
                    unratedItem.append(item)
                    unratedWeight.append(w)
                }
            }
        }

        var g = SeededGenerator(seed: h.seed)
        var p = (0..<(users * f)).map { _ in Float(g.nextGaussian()) * h.initialScale }
        var q = (0..<(items * f)).map { _ in Float(g.nextGaussian()) * h.initialScale }
        var bu = [Float](repeating: 0, count: users)
        var bi = [Float](repeating: 0, count: items)
        let mean =
            h.useBiases ? Float(data.ratings.reduce(0.0) { $0 + Double($1.value) } / Double(data.ratings.count)) : 0
        // Unrated explainable pairs per user (CSR over unratedItem / unratedWeight).
        var unratedOffsets = [Int](repeating: 0, count: users + 1)
        for u in unratedUser { unratedOffsets[Int(u) + 1] += 1 }
        for u in 0..<users { unratedOffsets[u + 1] += unratedOffsets[u] }
        let itemsOf = matrix.userItems
        let values = matrix.userValues
        let offsets = matrix.userOffsets
        let lo = range.min
        let hi = range.max
        var userOrder = Array(0..<users)
        var within = [Int32](repeating: 0, count: count)
        for k in 0..<count { within[k] = Int32(k) }
        for epoch in 0..<h.epochs {
            let started = Date()
            // Users in a fresh random order, each user's ratings shuffled: p_u stays in cache
            // while its ratings and explainable pairs are visited.
            userOrder.shuffle(using: &g)
            for u in 0..<users {
                let start = offsets[u]
                let end = offsets[u + 1]
                if end - start > 1 { within[start..<end].shuffle(using: &g) }
            }
            var squared = 0.0
            var penalty = 0.0
            var sampled = 0
            p.withUnsafeMutableBufferPointer { P in
                q.withUnsafeMutableBufferPointer { Q in
                    bu.withUnsafeMutableBufferPointer { BU in
                        bi.withUnsafeMutableBufferPointer { BI in
                            for u in userOrder {
                                let pu = P.baseAddress! + u * f
                                for position in offsets[u]..<offsets[u + 1] {
                                    let k = Int(within[position])
                                    let i = Int(itemsOf[k])
                                    let qi = Q.baseAddress! + i * f
                                    var prediction = EMFUpdate.dot(pu, qi, factors: f)
                                    if h.useBiases { prediction += mean + BU[u] + BI[i] }
                                    let e = values[k] - min(max(prediction, lo), hi)
                                    squared += Double(e * e)
                                    let w = h.observedPairs ? pairWeight[k] : 0
                                    if w > 0 && k & 15 == 0 {
                                        // The W-weighted gap is reported from a 1-in-16 sample.
                                        var d2: Float = 0
                                        for j in 0..<f {
                                            let d = pu[j] - qi[j]
                                            d2 += d * d
                                        }
                                        penalty += Double(w * d2)
                                        sampled += 1
                                    }
                                    if h.useBiases {
                                        BU[u] += h.learningRate * (2 * e - h.biasRegularization * BU[u])
                                        BI[i] += h.learningRate * (2 * e - h.biasRegularization * BI[i])
                                    }
                                    EMFUpdate.step(
                                        p: pu,
                                        q: qi,
                                        factors: f,
                                        error: e,
                                        weight: w,
                                        learningRate: h.learningRate,
                                        regularization: h.regularization,
                                        lambda: h.lambda,
                                        pull: h.pull
                                    )
                                }
                                if h.lambda > 0 {
                                    for n in unratedOffsets[u]..<unratedOffsets[u + 1] {
                                        EMFUpdate.pull(
                                            p: pu,
                                            q: Q.baseAddress! + Int(unratedItem[n]) * f,
                                            factors: f,
                                            weight: unratedWeight[n],
                                            learningRate: h.learningRate,
                                            lambda: h.lambda,
                                            kind: h.pull
                                        )
                                    }
                                }
                            }
                        }
                    }
                }
            }
            let report = EpochReport(
                epoch: epoch + 1,
                epochs: h.epochs,
                trainRMSE: (squared / Double(count)).squareRoot(),
                explainabilityPenalty: sampled > 0 ? penalty / Double(sampled) : 0,
                seconds: Date().timeIntervalSince(started)
            )
            progress(report)
            guard report.trainRMSE.isFinite, report.trainRMSE < 2 * Double(hi - lo) + 1, p.allSatisfy(\.isFinite) else {
                throw .diverged(epoch: epoch + 1, rmse: report.trainRMSE)
            }
        }
        return EMFModel(
            hyperparameters: h,
            users: data.users,
            items: data.items,
            titles: data.titles,
            userFactors: p,
            itemFactors: q,
            userBias: bu,
            itemBias: bi,
            globalMean: mean,
            ratingRange: range,
            neighborhood: neighborhood,
            training: matrix,
            fingerprint: data.fingerprint,
            metrics: [:],
            createdAt: ISO8601DateFormatter().string(from: Date())
        )
    }
}
