import Foundation
import LumenNumerics
import Testing

@testable import LumenRecs

@Suite("Ranking objectives (BPR, explainable BPR)")
struct RankingTrainingTests {
    @Test(
        "an SGD step moves every parameter by −α times the finite-difference gradient of the triple loss, on every instruction-set path",
        arguments: RankingStep.Path.allCases.filter { $0 <= RankingStep.best },
        [6, 16, 37]
    )
    func stepMatchesFiniteDifferenceGradient(path: RankingStep.Path, f: Int) {
        var g = SeededGenerator(seed: 3)
        func draw() -> [Float] { (0..<f).map { _ in Float(g.nextGaussian()) * 0.5 } }
        let p = draw()
        let qi = draw()
        let qj = draw()
        let (bi, bj): (Float, Float) = (0.3, -0.2)
        let w = RankingUpdate.weight(positive: 0.6, negative: 0.3, lambda: 0.5)
        let s = RankingUpdate.Settings(
            learningRate: 1e-3,
            regularization: 0.05,
            biasRegularization: 0.02,
            useBiases: true
        )
        // Finite differences of the loss, parameter by parameter.
        var params = p + qi + qj + [bi, bj]
        func loss(_ x: [Float]) -> Double {
            RankingUpdate.loss(
                p: Array(x[0..<f]),
                qi: Array(x[f..<(2 * f)]),
                qj: Array(x[(2 * f)..<(3 * f)]),
                bi: x[3 * f],
                bj: x[3 * f + 1],
                weight: w,
                settings: s
            )
        }
        var numeric: [Double] = []
        for k in params.indices {
            let h: Float = 1e-2
            var up = params
            var down = params
            up[k] += h
            down[k] -= h
            numeric.append((loss(up) - loss(down)) / Double(2 * h))
        }
        // The implemented step.
        params.withUnsafeMutableBufferPointer { b in
            let base = b.baseAddress!
            RankingStep.run(
                path: path,
                p: base,
                qi: base + f,
                qj: base + 2 * f,
                bi: base + 3 * f,
                bj: base + 3 * f + 1,
                factors: f,
                weight: w,
                settings: s
            )
        }
        let before = p + qi + qj + [bi, bj]
        for k in params.indices {
            let implied = Double(before[k] - params[k]) / Double(s.learningRate)
            #expect(abs(implied - numeric[k]) < 2e-3, "parameter \(k): step implies \(implied), FD \(numeric[k])")
        }
    }

    @Test("EBPR weights a triple by E_ui (1 − E_uj), blended with BPR by λ")
    func tripleWeight() {
        #expect(abs(RankingUpdate.weight(positive: 0.6, negative: 0.3, lambda: 1) - 0.42) < 1e-6)
        #expect(RankingUpdate.weight(positive: 0.6, negative: 0.3, lambda: 0) == 1)
        #expect(abs(RankingUpdate.weight(positive: 0, negative: 1, lambda: 0.5) - 0.5) < 1e-7)
    }

    @Test(
        "EBPR on planted segments ranks held-out interactions far above chance, with explainable lists",
        arguments: [1, 2, 3, 5]
    )
    func learnsPlantedStructure(workers: Int) throws {
        let data = try SyntheticRatings(users: 300, items: 200, ratingsPerUser: 30, segments: 6, seed: 5).generate()
        let split = try RatingsSplit.random(testFraction: 0.2, seed: 1).apply(to: data.ratings)
        var h = EMFHyperparameters.ranking(.ebpr)
        h.epochs = 30
        h.factors = 16
        let model = try Parallel.withWorkers(workers) {
            try RankingTrainer(hyperparameters: h).train(data.with(ratings: split.train))
        }
        #expect(model.scoreKind == .score)
        let report = try Evaluator(n: 10, relevanceThreshold: -.infinity).evaluate(model, test: split.test)
        #expect(report.rmse == nil)
        // Chance nDCG@10 with ~6 held-out items among ~170 unseen is about 0.04.
        #expect(report.ndcg > 0.2, "nDCG@10 \(report.ndcg)")
        #expect(report.mep > 0.9, "MEP@10 \(report.mep)")
    }

    @Test("a seed and a worker count fix the trained ranking model bit for bit", arguments: [1, 3])
    func seedFixesModel(workers: Int) throws {
        let data = try SyntheticRatings(users: 120, items: 90, ratingsPerUser: 15, segments: 4, seed: 8).generate()
        var h = EMFHyperparameters.ranking(.ebpr)
        h.epochs = 4
        h.factors = 8
        func train() throws -> EMFModel {
            try Parallel.withWorkers(workers) { try RankingTrainer(hyperparameters: h).train(data) }
        }
        let a = try train()
        let b = try train()
        // Compared as one flag with the largest difference as the message, not as arrays.
        func largestDifference(_ x: [Float], _ y: [Float]) -> Float {
            x.count == y.count ? zip(x, y).map { abs($0 - $1) }.max() ?? 0 : .infinity
        }
        for (name, x, y) in [
            ("user factors", a.userFactors, b.userFactors), ("item factors", a.itemFactors, b.itemFactors),
            ("item biases", a.itemBias, b.itemBias),
        ] {
            let d = largestDifference(x, y)
            #expect(d == 0, "\(name) differ by up to \(d) between two runs")
        }
        h.seed &+= 1
        let c = try train()
        #expect(largestDifference(a.userFactors, c.userFactors) > 0, "a different seed must give a different model")
    }

    @Test(
        "the neighbour counts tabled before training equal a direct count, and train the same model bit for bit",
        arguments: [NeighborBasis.items, .users]
    )
    func supportTableMatchesCounting(basis: NeighborBasis) throws {
        let data = try SyntheticRatings(users: 90, items: 70, ratingsPerUser: 12, segments: 3, seed: 4).generate()
        var h = EMFHyperparameters.ranking(.ebpr)
        (h.epochs, h.factors, h.basis, h.neighbors) = (3, 8, basis, 7)
        let matrix = RatingMatrix(
            ratings: data.ratings.map { Rating(user: $0.user, item: $0.item, value: 1) },
            users: data.users.count,
            items: data.items.count
        )
        let neighborhood = try UserNeighborhood.compute(matrix, k: 7, similarity: .cosine, basis: basis)
        let table = try #require(
            RankingTrainer.SupportTable(ratings: matrix, neighborhood: neighborhood, workers: 3)
        )
        // Straight from the definitions: the user's items among item j's neighbours, or the
        // user's neighbours who interacted with j.
        var worst = 0
        for u in 0..<matrix.userCount {
            let mine = Set(matrix.items(of: u).map(Int.init))
            for j in 0..<matrix.itemCount {
                let expected =
                    basis == .items
                    ? neighborhood.of(j).filter { mine.contains($0.user) }.count
                    : neighborhood.of(u).filter { matrix.items(of: $0.user).contains(Int32(j)) }.count
                worst = max(worst, abs(Int(table.counts[u * matrix.itemCount + j]) - expected))
            }
        }
        #expect(worst == 0, "a tabled count is off by \(worst)")
        var counting = RankingTrainer(hyperparameters: h)
        counting.supportTableLimit = 0
        let a = try Parallel.withWorkers(2) { try RankingTrainer(hyperparameters: h).train(data) }
        let b = try Parallel.withWorkers(2) { try counting.train(data) }
        #expect(a.userFactors == b.userFactors && a.itemFactors == b.itemFactors)
    }

    @Test("negatives are never the user's own items")
    func negativesExcludeTraining() {
        var g = SeededGenerator(seed: 9)
        let rated: [Int32] = [0, 2, 3, 5, 6, 7]
        let candidates = (0..<9).map { Int32($0) }
        var set = RankingTrainer.RatedSet(items: 9)
        rated.withUnsafeBufferPointer { set.load($0[...]) }
        var seen = Set<Int>()
        candidates.withUnsafeBufferPointer { c in
            for _ in 0..<2000 {
                let j = RankingTrainer.sampleNegative(from: c, excluding: set, using: &g)
                #expect(!rated.contains(Int32(j)) && j < 9)
                seen.insert(j)
            }
        }
        #expect(seen == [1, 4, 8], "every allowed negative is drawn")
    }
}

@Suite("Ranking model files")
struct RankingModelFileTests {
    @Test("a saved ranking model reloads as a score model and scores exactly as before, unclipped")
    func roundTripKeepsScoreKind() throws {
        let data = try SyntheticRatings(users: 60, items: 40, ratingsPerUser: 12, seed: 2).generate()
        var h = EMFHyperparameters.ranking(.ebpr)
        h.epochs = 5
        h.factors = 8
        let model = try Parallel.withWorkers(1) { try RankingTrainer(hyperparameters: h).train(data) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rank-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try EMFModelFile.save(model, to: url, lumenVersion: "test")
        let loaded = try EMFModelFile.load(url)
        #expect(loaded.scoreKind == .score && loaded.hyperparameters.objective == .ebpr)
        for u in 0..<5 {
            for i in 0..<40 { #expect(loaded.predict(user: u, item: i) == model.rawScore(user: u, item: i)) }
        }
    }
}
