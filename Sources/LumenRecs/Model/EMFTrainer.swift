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
        let users = data.users.count, items = data.items.count, f = h.factors
        let matrix = RatingMatrix(ratings: data.ratings, users: users, items: items)
        let neighbourhood = try UserNeighbourhood.compute(matrix, k: h.neighbours, similarity: h.similarity)
        let range = data.ratingRange
        let explainability = Explainability(kind: h.explainability, threshold: h.threshold, maxRating: range.max)

        // Training pairs in user-major order with their W, plus the unrated explainable pairs.
        let count = matrix.count
        var pairUser = [Int32](repeating: 0, count: count)
        var pairWeight = [Float](repeating: 0, count: count)
        var unratedUser: [Int32] = [], unratedItem: [Int32] = [], unratedWeight: [Float] = []
        var scratch = [Float](repeating: 0, count: items), counts = [Float](repeating: 0, count: items)
        for u in 0..<users {
            let row = explainability.row(user: u, neighbourhood: neighbourhood, ratings: matrix, scratch: &scratch, counts: &counts)
            let rated = matrix.items(of: u)
            var cursor = rated.startIndex
            for p in matrix.userOffsets[u]..<matrix.userOffsets[u + 1] { pairUser[p] = Int32(u) }
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
        var bu = [Float](repeating: 0, count: users), bi = [Float](repeating: 0, count: items)
        let mean = h.useBiases ? Float(data.ratings.reduce(0.0) { $0 + Double($1.value) } / Double(data.ratings.count)) : 0
        var order = [Int32](unsafeUninitializedCapacity: count) { buffer, n in
            for i in 0..<count { buffer[i] = Int32(i) }
            n = count
        }
        let itemsOf = matrix.userItems, values = matrix.userValues
        let lo = range.min, hi = range.max
        for epoch in 0..<h.epochs {
            let started = Date()
            order.shuffle(using: &g)
            var squared = 0.0, penalty = 0.0
            p.withUnsafeMutableBufferPointer { P in
                q.withUnsafeMutableBufferPointer { Q in
                    bu.withUnsafeMutableBufferPointer { BU in
                        bi.withUnsafeMutableBufferPointer { BI in
                            for index in order {
                                let k = Int(index)
                                let u = Int(pairUser[k]), i = Int(itemsOf[k])
                                let pu = P.baseAddress! + u * f, qi = Q.baseAddress! + i * f
                                var prediction = EMFUpdate.dot(pu, qi, factors: f)
                                if h.useBiases { prediction += mean + BU[u] + BI[i] }
                                let e = values[k] - min(max(prediction, lo), hi)
                                squared += Double(e * e)
                                let w = h.observedPairs ? pairWeight[k] : 0
                                if w > 0 {
                                    var d2: Float = 0
                                    for j in 0..<f { let d = pu[j] - qi[j]; d2 += d * d }
                                    penalty += Double(w * d2)
                                }
                                if h.useBiases {
                                    BU[u] += h.learningRate * (2 * e - h.biasRegularization * BU[u])
                                    BI[i] += h.learningRate * (2 * e - h.biasRegularization * BI[i])
                                }
                                EMFUpdate.step(
                                    p: pu, q: qi, factors: f, error: e, weight: w, learningRate: h.learningRate,
                                    regularization: h.regularization, lambda: h.lambda, pull: h.pull)
                            }
                            if h.lambda > 0 {
                                for n in 0..<unratedUser.count {
                                    EMFUpdate.pull(
                                        p: P.baseAddress! + Int(unratedUser[n]) * f, q: Q.baseAddress! + Int(unratedItem[n]) * f,
                                        factors: f, weight: unratedWeight[n], learningRate: h.learningRate, lambda: h.lambda, kind: h.pull)
                                }
                            }
                        }
                    }
                }
            }
            let report = EpochReport(
                epoch: epoch + 1, epochs: h.epochs, trainRMSE: (squared / Double(count)).squareRoot(),
                explainabilityPenalty: penalty / Double(count), seconds: Date().timeIntervalSince(started))
            progress(report)
            guard report.trainRMSE.isFinite, report.trainRMSE < 2 * Double(hi - lo) + 1, p.allSatisfy(\.isFinite) else {
                throw .diverged(epoch: epoch + 1, rmse: report.trainRMSE)
            }
        }
        return EMFModel(
            hyperparameters: h, users: data.users, items: data.items, titles: data.titles, userFactors: p, itemFactors: q,
            userBias: bu, itemBias: bi, globalMean: mean, ratingRange: range, neighbourhood: neighbourhood, training: matrix,
            fingerprint: data.fingerprint, metrics: [:], createdAt: ISO8601DateFormatter().string(from: Date()))
    }
}
