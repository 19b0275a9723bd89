import LumenNumerics

/// One worker's share of a ranking epoch: triples drawn, weighted and stepped.
extension RankingTrainer {
    /// A uniformly drawn item of `candidates` not in `rated`; callers ensure one exists.
    @inline(__always)
    static func sampleNegative(
        from candidates: UnsafeBufferPointer<Int32>,
        excluding rated: RatedSet,
        using rng: inout SeededGenerator
    ) -> Int {
        while true {
            // Lemire's multiply-shift maps 64 random bits onto 0..<count without a division.
            let j = Int(candidates[Int(rng.next().multipliedFullWidth(by: UInt64(candidates.count)).high)])
            if !rated.contains(j) { return j }
        }
    }

    /// One worker's membership marks for the current user's items: O(1) lookups for negative
    /// sampling (a binary search per draw cost more than the SGD step), loaded and cleared in
    /// O(interactions of the user).
    struct RatedSet {
        var marks: [Bool]

        init(items: Int) { marks = [Bool](repeating: false, count: items) }

        mutating func load(_ rated: Slice<UnsafeBufferPointer<Int32>>) { for i in rated { marks[Int(i)] = true } }
        mutating func clear(_ rated: Slice<UnsafeBufferPointer<Int32>>) { for i in rated { marks[Int(i)] = false } }

        @inline(__always)
        func contains(_ item: Int) -> Bool { marks[item] }
    }

    /// One worker's sums over its triples: the loss of every eighth, pairs ranked right, triples.
    struct WorkerTotals: Sendable {
        var loss = 0.0
        var lossSamples = 0
        var correct = 0
        var triples = 0

        /// Counts one stepped triple (x before the step, its weight).
        @inline(__always)
        mutating func add(x: Float, weight w: Float) {
            if triples & 7 == 0 {
                loss += Double(w * RankingUpdate.softplus(-x))
                lossSamples += 1
            }
            if x > 0 { correct += 1 }
            triples += 1
        }
    }

    /// What one worker does in an epoch: for each of its users, every interaction once in a random
    /// order with a fresh negative, each triple weighted as the objective says.
    struct EpochPass: Sendable {
        let ratings: RatingMatrix
        let neighborhood: UserNeighborhood
        let explainability: Explainability
        let lambda: Float
        let propensityWeight: [Float]?
        /// The neighbour counts counted once, where they fit (else each user's are counted as drawn).
        let support: SupportTable?
        let factors: Int
        let settings: RankingUpdate.Settings

        /// Read-only views of the arrays one worker's loop reads, taken once per sub-epoch.
        struct Views {
            let userItems: UnsafeBufferPointer<Int32>
            let blockOf: UnsafeBufferPointer<Int32>
            let candidates: UnsafeBufferPointer<Int32>
        }

        /// Trains `users`' interactions with the items of `block`.
        func run(
            users: [Int],
            block: Int,
            strata: Strata,
            p: UnsafeMutablePointer<Float>,
            q: UnsafeMutablePointer<Float>,
            itemBias: UnsafeMutablePointer<Float>,
            seed: UInt64
        ) -> WorkerTotals {
            ratings.userItems.withUnsafeBufferPointer { userItems in
                strata.blockOf.withUnsafeBufferPointer { blockOf in
                    strata.members[block].withUnsafeBufferPointer { candidates in
                        run(
                            users: users,
                            block: Int32(block),
                            views: Views(userItems: userItems, blockOf: blockOf, candidates: candidates),
                            p: p,
                            q: q,
                            itemBias: itemBias,
                            seed: seed
                        )
                    }
                }
            }
        }

        /// One user's drawn triples with their weights, waiting to be stepped.
        struct UserTriples {
            let positives: UnsafeMutablePointer<Int32>
            let negatives: UnsafeMutablePointer<Int32>
            let weights: UnsafeMutablePointer<Float>

            init(capacity: Int) {
                positives = .allocate(capacity: capacity)
                negatives = .allocate(capacity: capacity)
                weights = .allocate(capacity: capacity)
            }

            func deallocate() {
                positives.deallocate()
                negatives.deallocate()
                weights.deallocate()
            }
        }

        func run(
            users: [Int],
            block: Int32,
            views: Views,
            p: UnsafeMutablePointer<Float>,
            q: UnsafeMutablePointer<Float>,
            itemBias: UnsafeMutablePointer<Float>,
            seed: UInt64
        ) -> WorkerTotals {
            var rng = SeededGenerator(seed: seed)
            var lookup = ShareLookup(items: ratings.itemCount)
            var ratedSet = RatedSet(items: ratings.itemCount)
            var totals = WorkerTotals()
            let most = users.reduce(0) { max($0, ratings.userOffsets[$1 + 1] - ratings.userOffsets[$1]) }
            let triples = UserTriples(capacity: max(most, 1))
            defer { triples.deallocate() }
            for u in users {
                let count = draw(
                    user: u,
                    block: block,
                    views: views,
                    into: triples,
                    lookup: &lookup,
                    ratedSet: &ratedSet,
                    rng: &rng
                )
                // Stepped after drawing, so the item rows of the triples ahead can be fetched into
                // the cache while one is stepped (the memory-bound part on large catalogues).
                for t in 0..<count {
                    if t + Self.ahead < count {
                        RankingStep.prefetch(q + Int(triples.positives[t + Self.ahead]) * factors, factors: factors)
                        RankingStep.prefetch(q + Int(triples.negatives[t + Self.ahead]) * factors, factors: factors)
                    }
                    let i = Int(triples.positives[t])
                    let j = Int(triples.negatives[t])
                    let x = RankingStep.run(
                        p: p + u * factors,
                        qi: q + i * factors,
                        qj: q + j * factors,
                        bi: itemBias + i * RankingTrainer.biasStride,
                        bj: itemBias + j * RankingTrainer.biasStride,
                        factors: factors,
                        weight: triples.weights[t],
                        settings: settings
                    )
                    totals.add(x: x, weight: triples.weights[t])
                }
            }
            return totals
        }

        /// Draws user u's triples in this block — its positives in a random order, one uniform
        /// negative each — with their weights; returns how many (0 when there is nothing to learn,
        /// or no negative left in the block).
        func draw(
            user u: Int,
            block: Int32,
            views: Views,
            into triples: UserTriples,
            lookup: inout ShareLookup,
            ratedSet: inout RatedSet,
            rng: inout SeededGenerator
        ) -> Int {
            let rated = ratings.userOffsets[u]..<ratings.userOffsets[u + 1]
            let positives = triples.positives
            // The user's items in this block, without a branch (blocks are random, so a branch
            // would mispredict every other item).
            var count = 0
            for r in rated {
                let i = views.userItems[r]
                positives[count] = i
                count &+= views.blockOf[Int(i)] == block ? 1 : 0
            }
            guard count > 0, count < views.candidates.count else { return 0 }
            var t = count - 1
            while t > 0 {  // Fisher–Yates
                let r = Int(rng.next().multipliedFullWidth(by: UInt64(t + 1)).high)
                (positives[t], positives[r]) = (positives[r], positives[t])
                t -= 1
            }
            ratedSet.load(views.userItems[rated])
            for t in 0..<count {
                let j = RankingTrainer.sampleNegative(from: views.candidates, excluding: ratedSet, using: &rng)
                triples.negatives[t] = Int32(j)
            }
            ratedSet.clear(views.userItems[rated])
            let counting = lambda > 0 && support == nil
            if counting { lookup.load(user: u, neighborhood: neighborhood, ratings: ratings) }
            for t in 0..<count {
                let i = Int(positives[t])
                var w: Float = 1
                if lambda > 0 {
                    let j = Int(triples.negatives[t])
                    w = RankingUpdate.weight(
                        positive: share(user: u, item: i, lookup),
                        negative: share(user: u, item: j, lookup),
                        lambda: lambda
                    )
                }
                if let propensityWeight { w *= propensityWeight[i] }
                triples.weights[t] = w
            }
            if counting { lookup.clear() }
            return count
        }

        /// Triples ahead whose item rows are fetched into the cache (two cover a main-memory miss).
        static let ahead = 2

        /// E_ui: the share of supporting neighbours, zero at or below θ (from the table, or from
        /// `lookup` loaded with user u).
        @inline(__always)
        func share(user u: Int, item: Int, _ lookup: ShareLookup) -> Float {
            let count =
                support.map { Float($0.counts[u &* $0.items &+ item]) }
                ?? lookup.count(item: item, neighborhood: neighborhood)
            return explainability.apply(count: count, sum: 0, k: neighborhood.k)
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
