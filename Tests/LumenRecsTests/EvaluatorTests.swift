import LumenTestSupport
import Testing

@testable import LumenRecs

@Suite("Evaluation against the numpy reference")
struct EvaluatorTests {
    @Test("RMSE, MAE, precision, recall, nDCG, MEP, MER, fidelity and coverage match numpy")
    func metricsMatch() throws {
        let (model, test) = try RecsFixture.fixedModel()
        let report = try Evaluator(n: 10).evaluate(model, test: test)
        let ref = RecsFixture.reference
        for (name, ours) in [
            ("rmse", report.rmse ?? .nan), ("mae", report.mae ?? .nan), ("precision", report.precision),
            ("recall", report.recall),
            ("ndcg", report.ndcg), ("mep", report.mep), ("mer", report.mer), ("fidelity", report.fidelity),
            ("coverage", report.coverage),
        ] {
            #expect(abs(ours - (ref[name] as! Double)) < 1e-5, "\(name): \(ours) vs \(ref[name]!)")
        }
        #expect(report.rankedUsers == ref["ranked_users"] as! Int)
    }

    @Test("every user's top-10 matches numpy's ranking of unrated items")
    func topListsMatch() throws {
        let (model, _) = try RecsFixture.fixedModel()
        let expected = RecsFixture.reference["top10"] as! [String: [String]]
        for u in 0..<model.users.count {
            #expect(model.topItems(user: u, n: 10).map { model.items[$0] } == expected[model.users[u]]!)
        }
    }

    @Test("a blended rating model ranks by predicted rating + blend × W (numpy's W)")
    func blendedRanking() throws {
        var (model, _) = try RecsFixture.fixedModel()
        model.hyperparameters.rankBlend = 2
        let w = RecsFixture.reference["w_share"] as! [String: Double]
        var changed = 0
        for u in 0..<model.users.count {
            let rated = Set(model.training.items(of: u).map(Int.init))
            let key = { (i: Int) in
                Double(model.rawScore(user: u, item: i)) + 2 * (w["\(model.users[u])|\(model.items[i])"] ?? 0)
            }
            let expected = (0..<model.items.count).filter { !rated.contains($0) }
                .sorted { (key($0), -$0) > (key($1), -$1) }.prefix(10)
            let top = model.topItems(user: u, n: 10)
            #expect(top == Array(expected))
            var plain = model
            plain.hyperparameters.rankBlend = 0
            if top != plain.topItems(user: u, n: 10) { changed += 1 }
        }
        #expect(changed > 0)
    }

    @Test("explainable-only lists hold only items some neighbour rated")
    func explainableOnly() throws {
        let (model, _) = try RecsFixture.fixedModel()
        for u in 0..<model.users.count {
            for r in model.recommend(user: u, n: 10, explainableOnly: true) {
                #expect(r.explanation.explainable && !r.explanation.neighbors.isEmpty)
            }
        }
    }

    @Test("an empty test set is refused")
    func emptyTest() throws {
        let (model, _) = try RecsFixture.fixedModel()
        #expect(throws: RecsError.self) { _ = try Evaluator().evaluate(model, test: []) }
    }
}
