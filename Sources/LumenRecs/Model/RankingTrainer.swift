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
            var totals: [(loss: Double, correct: Int, triples: Int)] = []
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
                rankingLoss: totals.reduce(0) { $0 + $1.loss } / Double(max(triples, 1)),
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

    /// A uniformly drawn item of `candidates` not in `rated`; callers ensure one exists.
    @inline(__always)
    static func sampleNegative(
        from candidates: [Int32],
        excluding rated: RatedSet,
        using rng: inout SeededGenerator
    ) -> Int {
        while true {
            let j = Int(candidates[Int(rng.next() % UInt64(candidates.count))])
            if !rated.contains(j) { return j }
        }
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

    /// One worker's membership marks for the current user's items: O(1) lookups for negative
    /// sampling (a binary search per draw cost more than the SGD step), loaded and cleared in
    /// O(interactions of the user).
    struct RatedSet {
        var marks: [Bool]

        init(items: Int) { marks = [Bool](repeating: false, count: items) }

        mutating func load(_ rated: ArraySlice<Int32>) { for i in rated { marks[Int(i)] = true } }
        mutating func clear(_ rated: ArraySlice<Int32>) { for i in rated { marks[Int(i)] = false } }

        @inline(__always)
        func contains(_ item: Int) -> Bool { marks[item] }
    }

    /// Item biases one cache line apart, so workers updating neighbouring items' biases (in
    /// different blocks) do not false-share a line.
    static let biasStride = 16

    /// What one worker does in an epoch: for each of its users, every interaction once in a random
    /// order with a fresh negative, each triple weighted as the objective says.
    struct EpochPass: Sendable {
        let ratings: RatingMatrix
        let neighborhood: UserNeighborhood
        let explainability: Explainability
        let lambda: Float
        let propensityWeight: [Float]?
        let factors: Int
        let settings: RankingUpdate.Settings

        func run(
            users: [Int],
            block: Int,
            strata: Strata,
            p: UnsafeMutablePointer<Float>,
            q: UnsafeMutablePointer<Float>,
            itemBias: UnsafeMutablePointer<Float>,
            seed: UInt64
        ) -> (loss: Double, correct: Int, triples: Int) {
            let f = factors
            var rng = SeededGenerator(seed: seed)
            var lookup = ShareLookup(items: ratings.itemCount)
            var ratedSet = RatedSet(items: ratings.itemCount)
            var positives: [Int32] = []
            var loss = 0.0
            var correct = 0
            var triples = 0
            let candidates = strata.members[block]
            for u in users {
                let rated = ratings.items(of: u)
                positives.removeAll(keepingCapacity: true)
                for i in rated where strata.blockOf[Int(i)] == block { positives.append(i) }
                // Nothing to learn, or no negative left in this block for u.
                guard !positives.isEmpty, positives.count < candidates.count else { continue }
                positives.shuffle(using: &rng)
                if lambda > 0 { lookup.load(user: u, neighborhood: neighborhood, ratings: ratings) }
                ratedSet.load(rated)
                defer {
                    if lambda > 0 { lookup.clear() }
                    ratedSet.clear(rated)
                }
                for i32 in positives {
                    let i = Int(i32)
                    let j = RankingTrainer.sampleNegative(from: candidates, excluding: ratedSet, using: &rng)
                    var w: Float = 1
                    if lambda > 0 {
                        w = RankingUpdate.weight(
                            positive: share(of: i, lookup),
                            negative: share(of: j, lookup),
                            lambda: lambda
                        )
                    }
                    if let propensityWeight { w *= propensityWeight[i] }
                    let x = RankingUpdate.step(
                        p: p + u * f,
                        qi: q + i * f,
                        qj: q + j * f,
                        bi: itemBias + i * RankingTrainer.biasStride,
                        bj: itemBias + j * RankingTrainer.biasStride,
                        factors: f,
                        weight: w,
                        settings: settings
                    )
                    loss += Double(w * RankingUpdate.softplus(-x))
                    if x > 0 { correct += 1 }
                    triples += 1
                }
            }
            return (loss, correct, triples)
        }

        /// E_ui of the loaded user: the share of supporting neighbours, zero at or below θ.
        @inline(__always)
        func share(of item: Int, _ lookup: ShareLookup) -> Float {
            explainability.apply(
                count: lookup.count(item: item, neighborhood: neighborhood),
                sum: 0,
                k: neighborhood.k
            )
        }
    }

    /// One worker's O(k) lookup of the neighbour count behind E_uj for the current user: with the
    /// item basis, which items u interacted with; with the user basis, how many of u's neighbours
    /// interacted with each item. Loading and clearing cost the rows touched, not the catalogue.
    struct ShareLookup {
        var marks: [Float]
        var touched: [Int32] = []

        init(items: Int) { marks = [Float](repeating: 0, count: items) }

        mutating func load(user u: Int, neighborhood: UserNeighborhood, ratings: RatingMatrix) {
            switch neighborhood.basis {
            case .items:
                for i in ratings.items(of: u) {
                    marks[Int(i)] = 1
                    touched.append(i)
                }
            case .users:
                for v in neighborhood.of(u) {
                    for i in ratings.items(of: v.user) {
                        if marks[Int(i)] == 0 { touched.append(i) }
                        marks[Int(i)] += 1
                    }
                }
            }
        }

        @inline(__always)
        func count(item j: Int, neighborhood: UserNeighborhood) -> Float {
            switch neighborhood.basis {
            case .users:
                return marks[j]
            case .items:
                let k = neighborhood.k
                var c: Float = 0
                for n in 0..<k {
                    let v = Int(neighborhood.neighbors[j * k + n])
                    guard v >= 0 else { break }
                    c += marks[v]
                }
                return c
            }
        }

        mutating func clear() {
            for i in touched { marks[Int(i)] = 0 }
            touched.removeAll(keepingCapacity: true)
        }
    }
}
