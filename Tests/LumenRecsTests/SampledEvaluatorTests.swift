import LumenNumerics
import Testing

@testable import LumenRecs

@Suite("Sampled-negatives evaluation (leave one out, 100 negatives)")
struct SampledEvaluatorTests {
    static func trained(epochs: Int) throws -> (model: EMFModel, test: [Rating]) {
        let data = try SyntheticRatings(users: 200, items: 120, ratingsPerUser: 20, segments: 5, seed: 12).generate()
        let split = try RatingsSplit.leaveNOut(n: 1, seed: 3).apply(to: data.ratings)
        var h = EMFHyperparameters.ranking(.ebpr)
        (h.epochs, h.factors) = (epochs, 12)
        let model = try Parallel.withWorkers(2) {
            try RankingTrainer(hyperparameters: h).train(data.with(ratings: split.train))
        }
        return (model, split.test)
    }

    @Test("with every unrated item as a negative, HR@n and nDCG@n are the full ranking's recall and nDCG")
    func exhaustiveNegativesMatchFullRanking() throws {
        let (model, test) = try Self.trained(epochs: 10)
        let full = try Evaluator(n: 10, relevanceThreshold: -.infinity).evaluate(model, test: test)
        let sampled = try SampledEvaluator(n: 10, negatives: model.items.count).evaluate(model, test: test)
        #expect(sampled.cases == full.rankedUsers)
        #expect(abs(sampled.hitRate - full.recall) < 1e-9, "HR \(sampled.hitRate) vs recall \(full.recall)")
        #expect(abs(sampled.ndcg - full.ndcg) < 1e-9, "nDCG \(sampled.ndcg) vs \(full.ndcg)")
        #expect(abs(sampled.mep - full.mep) < 1e-9, "MEP \(sampled.mep) vs \(full.mep)")
    }

    @Test("an untrained model hits at chance, n / (negatives + 1); a trained one far above; a seed fixes it")
    func chanceAndLearning() throws {
        let untrained = try Self.trained(epochs: 0)
        let chance = try SampledEvaluator(n: 10, negatives: 49).evaluate(untrained.model, test: untrained.test)
        // 200 cases: the standard error of a 0.2 rate is 0.028.
        #expect(abs(chance.hitRate - 0.2) < 0.09, "untrained HR@10 \(chance.hitRate)")
        let (model, test) = try Self.trained(epochs: 30)
        let learned = try SampledEvaluator(n: 10, negatives: 49).evaluate(model, test: test)
        #expect(learned.hitRate > 0.5, "trained HR@10 \(learned.hitRate)")
        #expect(try SampledEvaluator(n: 10, negatives: 49).evaluate(model, test: test) == learned)
        #expect(try SampledEvaluator(n: 10, negatives: 49, seed: 2).evaluate(model, test: test) != learned)
    }
}
