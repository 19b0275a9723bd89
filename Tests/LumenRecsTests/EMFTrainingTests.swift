import LumenTestSupport
import Testing

@testable import LumenRecs

@Suite("EMF training")
struct EMFTrainingTests {
    static func distance(_ p: [Float], _ q: [Float]) -> Float {
        zip(p, q).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
    }

    @Test(
        "an update with only the explainability term strictly reduces ‖p_u − q_i‖ when W > 0",
        arguments: ExplainabilityPull.allCases
    )
    func explainabilityTermPullsTogether(kind: ExplainabilityPull) {
        var p: [Float] = [0.9, -0.4, 0.3, 1.2]
        var q: [Float] = [-0.5, 0.8, 0.1, -0.7]
        let before = Self.distance(p, q)
        p.withUnsafeMutableBufferPointer { pp in
            q.withUnsafeMutableBufferPointer { qq in
                // The full SGD step with e = 0 and β = 0 leaves only the explainability term.
                EMFUpdate.step(
                    p: pp.baseAddress!,
                    q: qq.baseAddress!,
                    factors: 4,
                    error: 0,
                    weight: 0.6,
                    learningRate: 0.05,
                    regularization: 0,
                    lambda: 2,
                    pull: kind
                )
            }
        }
        let after = Self.distance(p, q)
        let factor: Float = kind == .distance ? 1 - 2 * 0.05 * 2 * 0.6 : 1 - 0.05 * 2 * 0.6
        #expect(after < before)
        #expect(abs(after - factor * before) < 1e-5)
    }

    @Test("with W = 0 the step is plain MF: the explainability term has no effect")
    func zeroWeightIsPlainMF() {
        var a: ([Float], [Float]) = ([0.2, 0.1], [0.3, -0.2])
        var b = a
        for kind in ExplainabilityPull.allCases {
            a.0.withUnsafeMutableBufferPointer { p in
                a.1.withUnsafeMutableBufferPointer { q in
                    EMFUpdate.step(
                        p: p.baseAddress!,
                        q: q.baseAddress!,
                        factors: 2,
                        error: 0.7,
                        weight: 0,
                        learningRate: 0.01,
                        regularization: 0.1,
                        lambda: 5,
                        pull: kind
                    )
                }
            }
            b.0.withUnsafeMutableBufferPointer { p in
                b.1.withUnsafeMutableBufferPointer { q in
                    EMFUpdate.step(
                        p: p.baseAddress!,
                        q: q.baseAddress!,
                        factors: 2,
                        error: 0.7,
                        weight: 0,
                        learningRate: 0.01,
                        regularization: 0.1,
                        lambda: 0,
                        pull: kind
                    )
                }
            }
            #expect(a.0 == b.0 && a.1 == b.1)
        }
    }

    static let synthetic = try! SyntheticRatings(users: 300, items: 200, ratingsPerUser: 30, seed: 7).generate()

    func trainAndEvaluate(lambda: Float) throws -> EvaluationReport {
        let split = try RatingsSplit.random(testFraction: 0.2, seed: 42).apply(to: Self.synthetic.ratings)
        var h = EMFHyperparameters()
        h.epochs = 20
        h.lambda = lambda
        h.rankBlend = 0
        let model = try EMFTrainer(hyperparameters: h).train(Self.synthetic.with(ratings: split.train))
        return try Evaluator(n: 10).evaluate(model, test: split.test)
    }

    @Test("λ > 0 raises MEP@10 over λ = 0 on the same split, without hurting RMSE")
    func lambdaRaisesMEP() throws {
        let plain = try trainAndEvaluate(lambda: 0)
        let emf = try trainAndEvaluate(lambda: 0.2)
        #expect(emf.mep > plain.mep + 0.005, "MEP@10 \(emf.mep) vs \(plain.mep)")
        #expect((emf.rmse ?? .infinity) < (plain.rmse ?? 0) + 0.01)
    }

    @Test("training is reproducible with a seed")
    func reproducible() throws {
        let data = try RecsFixture.train()
        var h = EMFHyperparameters()
        h.epochs = 3
        let a = try EMFTrainer(hyperparameters: h).train(data)
        let b = try EMFTrainer(hyperparameters: h).train(data)
        #expect(a.userFactors == b.userFactors && a.itemFactors == b.itemFactors)
    }

    @Test(
        "bad hyperparameters are refused before training",
        arguments: [
            { (h: inout EMFHyperparameters) in h.factors = 0 }, { $0.learningRate = 0 }, { $0.lambda = -1 },
            { $0.neighbors = 0 },
            { $0.threshold = 1 }, { $0.lambda = 200 },
        ] as [@Sendable (inout EMFHyperparameters) -> Void]
    )
    func refusesBadHyperparameters(change: @Sendable (inout EMFHyperparameters) -> Void) {
        var h = EMFHyperparameters()
        change(&h)
        #expect(throws: RecsError.self) { try h.validate() }
    }
}
