import Foundation
import LumenNumerics

/// Trains a ranking model — BPR, explainable BPR (EBPR) or its propensity-debiased form
/// (pUEBPR) — by SGD over sampled triples: every training interaction (u, i) is visited once per
/// epoch with one negative j drawn uniformly from the items of i's block u has not interacted with.
///
/// Stratified SGD: each epoch splits the users and the items at random into one block per worker;
/// in W sub-epochs worker w trains its users against item block (w + s) mod W. No two workers
/// ever write the same row (lock-free Hogwild made two cores slower than one on MovieLens, where
/// every worker kept writing the popular items' rows). A seed and a worker count fix the result
/// exactly; different worker counts reach the same quality by different paths. With one worker
/// this is plain SGD with uniform negatives.
public struct RankingTrainer: Sendable {
    public var hyperparameters: EMFHyperparameters
    /// Most users × items for which the neighbour counts are tabled before training (tests set 0
    /// to train through the per-user counting path).
    var supportTableLimit = SupportTable.maxEntries

    public init(hyperparameters: EMFHyperparameters = .ranking()) {
        self.hyperparameters = hyperparameters
    }

    /// Fits a model to the interactions in `data` (ratings count as interactions, whatever
    /// their value). `progress` is called after each epoch.
    public func train(_ data: RatingsData, progress: (EpochReport) -> Void = { _ in }) throws(RecsError) -> EMFModel {
        let h = hyperparameters
        guard h.objective.isRanking else { throw .invalidOption("RankingTrainer needs a ranking objective") }
        try h.validate()
        guard !data.ratings.isEmpty else { throw .emptyData("no training interactions") }
        let users = data.users.count
        let items = data.items.count
        let f = h.factors
        let matrix = RatingMatrix(ratings: data.ratings, users: users, items: items)
        // Neighbourhoods on who interacted with what (the values only weigh rationales).
        let binary =
            matrix.userValues.allSatisfy { $0 == 1 }
            ? matrix
            : RatingMatrix(
                ratings: data.ratings.map { Rating(user: $0.user, item: $0.item, value: 1) },
                users: users,
                items: items
            )
        let neighborhood = try UserNeighborhood.compute(binary, k: h.neighbors, similarity: .cosine, basis: h.basis)
        let pass = EpochPass(
            ratings: binary,
            neighborhood: neighborhood,
            explainability: Explainability(kind: .share, threshold: h.threshold, maxRating: 1),
            lambda: h.objective == .bpr ? 0 : h.lambda,
            propensityWeight: Self.inversePropensity(binary, objective: h.objective),
            support: h.objective == .bpr || h.lambda == 0
                ? nil
                : SupportTable(
                    ratings: binary,
                    neighborhood: neighborhood,
                    workers: Parallel.workers,
                    limit: supportTableLimit
                ),
            factors: h.factors,
            settings: RankingUpdate.Settings(
                learningRate: h.learningRate,
                regularization: h.regularization,
                biasRegularization: h.biasRegularization,
                useBiases: h.useBiases
            )
        )
        var g = SeededGenerator(seed: h.seed)
        var p = (0..<(users * f)).map { _ in Float(g.nextGaussian()) * h.initialScale }
        var q = (0..<(items * f)).map { _ in Float(g.nextGaussian()) * h.initialScale }
        var bi = [Float](repeating: 0, count: items * Self.biasStride)
        let workers = Parallel.workers
        var userOrder = Array(0..<users)
        var itemOrder = (0..<items).map { Int32($0) }
        for epoch in 0..<h.epochs {
            let started = Date()
            userOrder.shuffle(using: &g)
            itemOrder.shuffle(using: &g)
            let strata = Strata(items: itemOrder, blocks: workers)
            let epochSeed = g.next()
            let order = userOrder
            var totals: [WorkerTotals] = []
            p.withUnsafeMutableBufferPointer { P in
                q.withUnsafeMutableBufferPointer { Q in
                    bi.withUnsafeMutableBufferPointer { B in
                        let shared = (
                            SharedPointer(P.baseAddress!), SharedPointer(Q.baseAddress!), SharedPointer(B.baseAddress!)
                        )
                        // Sub-epoch s: worker w trains its users' interactions with the items of
                        // block (w + s) mod W, so no two workers ever write the same row.
                        for s in 0..<workers {
                            totals += Parallel.map(workers) { w in
                                pass.run(
                                    users: Parallel.share(users, part: w, of: workers).map { order[$0] },
                                    block: (w + s) % workers,
                                    strata: strata,
                                    p: shared.0.base,
                                    q: shared.1.base,
                                    itemBias: shared.2.base,
                                    seed: epochSeed &+ UInt64(s * workers + w) &* 0x9E37_79B9_7F4A_7C15
                                )
                            }
                        }
                    }
                }
            }
            let triples = totals.reduce(0) { $0 + $1.triples }
            let report = EpochReport(
                epoch: epoch + 1,
                epochs: h.epochs,
                trainRMSE: .nan,
                explainabilityPenalty: 0,
                seconds: Date().timeIntervalSince(started),
                rankingLoss: totals.reduce(0) { $0 + $1.loss }
                    / Double(max(totals.reduce(0) { $0 + $1.lossSamples }, 1)),
                pairAccuracy: Double(totals.reduce(0) { $0 + $1.correct }) / Double(max(triples, 1))
            )
            progress(report)
            guard p.allSatisfy(\.isFinite), q.allSatisfy(\.isFinite), bi.allSatisfy(\.isFinite) else {
                throw .diverged(epoch: epoch + 1, rmse: .nan)
            }
        }
        let range: (min: Float, max: Float) =
            data.feedback == .implicit ? (0, max(1, data.ratings.map(\.value).max() ?? 1)) : data.ratingRange
        var model = EMFModel(
            hyperparameters: h,
            users: data.users,
            items: data.items,
            titles: data.titles,
            userFactors: p,
            itemFactors: q,
            userBias: [Float](repeating: 0, count: users),
            itemBias: h.useBiases
                ? (0..<items).map { bi[$0 * Self.biasStride] } : [Float](repeating: 0, count: items),
            globalMean: 0,
            ratingRange: range,
            neighborhood: neighborhood,
            training: matrix,
            fingerprint: data.fingerprint,
            metrics: [:],
            createdAt: ISO8601DateFormatter().string(from: Date())
        )
        model.scoreKind = .score
        model.feedback = data.feedback
        return model
    }

    /// For pUEBPR: 1/θ_i with θ_i = (pop_i / max pop)^½, scaled so the positives' mean weight is 1.
    static func inversePropensity(_ binary: RatingMatrix, objective: TrainingObjective) -> [Float]? {
        guard objective == .puebpr else { return nil }
        let popularity = (0..<binary.itemCount).map { Float(binary.itemOffsets[$0 + 1] - binary.itemOffsets[$0]) }
        let top = max(popularity.max() ?? 1, 1)
        var weights = popularity.map { $0 > 0 ? 1 / ($0 / top).squareRoot() : 0 }
        // Mean over positives: Σ_i pop_i · w_i / Σ pop_i.
        var sum = 0.0
        for i in weights.indices { sum += Double(popularity[i] * weights[i]) }
        let mean = Float(sum / Double(max(binary.count, 1)))
        if mean > 0 { weights = weights.map { $0 / mean } }
        return weights
    }

    /// The epoch's random partition of the items into one block per worker (the strata of
    /// stratified SGD): a positive and its negatives come from the same block, and each block
    /// is trained by one worker at a time, so training is race-free and deterministic for a given
    /// seed and worker count. Over the epochs every item pairs with every other.
    struct Strata: Sendable {
        /// The block of each item.
        let blockOf: [Int32]
        /// The items of each block.
        let members: [[Int32]]

        init(items shuffled: [Int32], blocks: Int) {
            var blockOf = [Int32](repeating: 0, count: shuffled.count)
            var members: [[Int32]] = []
            for b in 0..<blocks {
                let part = Array(shuffled[Parallel.share(shuffled.count, part: b, of: blocks)])
                for i in part { blockOf[Int(i)] = Int32(b) }
                members.append(part)
            }
            self.blockOf = blockOf
            self.members = members
        }
    }

    /// Item biases one cache line apart, so workers updating neighbouring items' biases (in
    /// different blocks) do not false-share a line.
    static let biasStride = 16
}
