import Foundation
import LumenNumerics

/// Trains a ranking model — BPR, explainable BPR (EBPR) or its propensity-debiased form
/// (pUEBPR) — by SGD over sampled triples: every training interaction (u, i) is visited once per
/// epoch with one negative j drawn uniformly from the items u has not interacted with.
///
/// Workers own disjoint shares of the users (a fresh random split each epoch) and update the
/// shared item factors without locks (Hogwild). With one worker a seed fixes the result.
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
        let neighbourhood = try UserNeighbourhood.compute(binary, k: h.neighbours, similarity: .cosine, basis: h.basis)
        let pass = EpochPass(
            ratings: binary,
            neighbourhood: neighbourhood,
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
        var bi = [Float](repeating: 0, count: items)
        let workers = Parallel.workers
        var userOrder = Array(0..<users)
        for epoch in 0..<h.epochs {
            let started = Date()
            userOrder.shuffle(using: &g)
            let epochSeed = g.next()
            let order = userOrder
            let totals = p.withUnsafeMutableBufferPointer { P in
                q.withUnsafeMutableBufferPointer { Q in
                    bi.withUnsafeMutableBufferPointer { B in
                        let shared = (
                            SharedPointer(P.baseAddress!), SharedPointer(Q.baseAddress!), SharedPointer(B.baseAddress!)
                        )
                        return Parallel.map(workers) { w in
                            pass.run(
                                users: Parallel.share(users, part: w, of: workers).map { order[$0] },
                                p: shared.0.base,
                                q: shared.1.base,
                                itemBias: shared.2.base,
                                seed: epochSeed &+ UInt64(w) &* 0x9E37_79B9_7F4A_7C15
                            )
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
            itemBias: h.useBiases ? bi : [Float](repeating: 0, count: items),
            globalMean: 0,
            ratingRange: range,
            neighbourhood: neighbourhood,
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

    /// A uniformly drawn item not in `rated` (sorted); callers ensure one exists.
    @inline(__always)
    static func sampleNegative(_ rated: ArraySlice<Int32>, items: Int, using rng: inout SeededGenerator) -> Int {
        while true {
            let j = Int(rng.next() % UInt64(items))
            if !contains(rated, Int32(j)) { return j }
        }
    }

    @inline(__always)
    static func contains(_ sorted: ArraySlice<Int32>, _ value: Int32) -> Bool {
        var lo = sorted.startIndex
        var hi = sorted.endIndex
        while lo < hi {
            let mid = (lo + hi) >> 1
            if sorted[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo < sorted.endIndex && sorted[lo] == value
    }

    /// What one worker does in an epoch: for each of its users, every interaction once in a random
    /// order with a fresh negative, each triple weighted as the objective says.
    struct EpochPass: Sendable {
        let ratings: RatingMatrix
        let neighbourhood: UserNeighbourhood
        let explainability: Explainability
        let lambda: Float
        let propensityWeight: [Float]?
        let factors: Int
        let settings: RankingUpdate.Settings

        func run(
            users: [Int],
            p: UnsafeMutablePointer<Float>,
            q: UnsafeMutablePointer<Float>,
            itemBias: UnsafeMutablePointer<Float>,
            seed: UInt64
        ) -> (loss: Double, correct: Int, triples: Int) {
            let items = ratings.itemCount
            let f = factors
            var rng = SeededGenerator(seed: seed)
            var lookup = ShareLookup(items: items)
            var positives: [Int32] = []
            var loss = 0.0
            var correct = 0
            var triples = 0
            for u in users {
                let rated = ratings.items(of: u)
                guard !rated.isEmpty, rated.count < items else { continue }
                positives.removeAll(keepingCapacity: true)
                positives.append(contentsOf: rated)
                positives.shuffle(using: &rng)
                if lambda > 0 { lookup.load(user: u, neighbourhood: neighbourhood, ratings: ratings) }
                defer { if lambda > 0 { lookup.clear() } }
                for i32 in positives {
                    let i = Int(i32)
                    let j = RankingTrainer.sampleNegative(rated, items: items, using: &rng)
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
                        bi: itemBias + i,
                        bj: itemBias + j,
                        factors: f,
                        weight: w,
                        settings: settings
                    )
                    loss += Double(w) * RankingUpdate.negativeLogSigmoid(Double(x))
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
                count: lookup.count(item: item, neighbourhood: neighbourhood),
                sum: 0,
                k: neighbourhood.k
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

        mutating func load(user u: Int, neighbourhood: UserNeighbourhood, ratings: RatingMatrix) {
            switch neighbourhood.basis {
            case .items:
                for i in ratings.items(of: u) {
                    marks[Int(i)] = 1
                    touched.append(i)
                }
            case .users:
                for v in neighbourhood.of(u) {
                    for i in ratings.items(of: v.user) {
                        if marks[Int(i)] == 0 { touched.append(i) }
                        marks[Int(i)] += 1
                    }
                }
            }
        }

        @inline(__always)
        func count(item j: Int, neighbourhood: UserNeighbourhood) -> Float {
            switch neighbourhood.basis {
            case .users:
                return marks[j]
            case .items:
                let k = neighbourhood.k
                var c: Float = 0
                for n in 0..<k {
                    let v = Int(neighbourhood.neighbours[j * k + n])
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
