import Foundation
import LumenNumerics

/// Accuracy, ranking and explainability figures for a model on held-out ratings.
public struct EvaluationReport: Sendable, Codable, Equatable {
    /// Rating error on held-out ratings; nil for ranking models, whose scores are no ratings.
    public var rmse: Double?
    public var mae: Double?
    public var precision: Double
    public var recall: Double
    public var ndcg: Double
    /// Mean explainability precision: share of the top-n that is explainable (W > 0, unrated).
    public var mep: Double
    /// Mean explainability recall: share of the explainable items that made the top-n.
    public var mer: Double
    /// Share of recommended items whose explanation cites at least one neighbour.
    public var fidelity: Double
    /// Distinct recommended items / catalogue size.
    public var coverage: Double
    public var n: Int
    public var testRatings: Int
    public var rankedUsers: Int

    enum CodingKeys: String, CodingKey {
        case rmse, mae, precision, recall, ndcg, mep, mer, fidelity, coverage, n
        case testRatings = "test_ratings"
        case rankedUsers = "ranked_users"
    }

    /// The figures as a flat dictionary (stored in model metadata).
    public var dictionary: [String: Double] {
        var figures = [
            "precision": precision, "recall": recall, "ndcg": ndcg, "mep": mep, "mer": mer,
            "fidelity": fidelity, "coverage": coverage,
        ]
        if let rmse, let mae { (figures["rmse"], figures["mae"]) = (rmse, mae) }
        return figures
    }
}

/// Evaluates top-n lists of every user against held-out ratings.
public struct Evaluator: Sendable {
    /// List length.
    public var n: Int
    /// Held-out ratings at or above this are relevant.
    public var relevanceThreshold: Float

    public init(n: Int = 10, relevanceThreshold: Float = 4) {
        self.n = n
        self.relevanceThreshold = relevanceThreshold
    }

    struct UserFigures: Sendable {
        var precision = 0.0, recall = 0.0, ndcg = 0.0, mep = 0.0, mer = 0.0
        var ranked = false, hasExplainable = false
        var recommended: [Int] = []
        var cited = 0
    }

    public func evaluate(_ model: EMFModel, test: [Rating]) throws(RecsError) -> EvaluationReport {
        guard !test.isEmpty else { throw .emptyData("no test ratings to evaluate on") }
        var se = 0.0
        var ae = 0.0
        var relevant = [Set<Int>](repeating: [], count: model.users.count)
        for r in test {
            let e = Double(r.value - model.predict(user: Int(r.user), item: Int(r.item)))
            se += e * e
            ae += abs(e)
            if r.value >= relevanceThreshold { relevant[Int(r.user)].insert(Int(r.item)) }
        }
        let users = model.users.count
        let n = self.n
        let workers = Parallel.workers
        let relevantSets = relevant
        let perUser: [[UserFigures]] = Parallel.map(workers) { w in
            let range = Parallel.share(users, part: w, of: workers)
            var scratch = [Float](repeating: 0, count: model.items.count)
            var counts = scratch
            return range.map { u in
                figures(model, user: u, relevant: relevantSets[u], n: n, scratch: &scratch, counts: &counts)
            }
        }
        let all = perUser.flatMap { $0 }
        let ranked = all.filter(\.ranked)
        let explainable = all.filter(\.hasExplainable)
        let listed = all.filter { !$0.recommended.isEmpty }
        let recommendedTotal = listed.reduce(0) { $0 + $1.recommended.count }
        var distinct = Set<Int>()
        for f in listed { distinct.formUnion(f.recommended) }
        func mean(_ xs: [UserFigures], _ key: (UserFigures) -> Double) -> Double {
            xs.isEmpty ? 0 : xs.reduce(0) { $0 + key($1) } / Double(xs.count)
        }
        let rated = model.scoreKind == .rating
        return EvaluationReport(
            rmse: rated ? (se / Double(test.count)).squareRoot() : nil,
            mae: rated ? ae / Double(test.count) : nil,
            precision: mean(ranked, \.precision),
            recall: mean(ranked, \.recall),
            ndcg: mean(ranked, \.ndcg),
            mep: mean(listed, \.mep),
            mer: mean(explainable, \.mer),
            fidelity: recommendedTotal == 0 ? 0 : Double(listed.reduce(0) { $0 + $1.cited }) / Double(recommendedTotal),
            coverage: Double(distinct.count) / Double(model.items.count),
            n: n,
            testRatings: test.count,
            rankedUsers: ranked.count
        )
    }

    func figures(
        _ model: EMFModel,
        user u: Int,
        relevant: Set<Int>,
        n: Int,
        scratch: inout [Float],
        counts: inout [Float]
    ) -> UserFigures {
        var out = UserFigures()
        guard model.training.userOffsets[u + 1] > model.training.userOffsets[u] else { return out }
        let row = model.explainability.row(
            user: u,
            neighbourhood: model.neighbourhood,
            ratings: model.training,
            scratch: &scratch,
            counts: &counts
        )
        var explainable = Set<Int>()
        for (item, _) in row where model.training.rating(user: u, item: item) == nil { explainable.insert(Int(item)) }
        let top = model.topItems(user: u, n: n)
        out.recommended = top
        for i in top {
            if !model.explainability.support(
                user: u,
                item: Int32(i),
                neighbourhood: model.neighbourhood,
                ratings: model.training
            ).isEmpty {
                out.cited += 1
            }
        }
        if !top.isEmpty {
            out.mep = Double(top.filter { explainable.contains($0) }.count) / Double(top.count)
        }
        if !explainable.isEmpty {
            out.hasExplainable = true
            out.mer = Double(top.filter { explainable.contains($0) }.count) / Double(explainable.count)
        }
        if !relevant.isEmpty {
            out.ranked = true
            let hits = top.filter { relevant.contains($0) }.count
            out.precision = Double(hits) / Double(n)
            out.recall = Double(hits) / Double(relevant.count)
            var dcg = 0.0
            var ideal = 0.0
            for (rank, i) in top.enumerated() where relevant.contains(i) { dcg += 1 / log2(Double(rank) + 2) }
            for rank in 0..<min(n, relevant.count) { ideal += 1 / log2(Double(rank) + 2) }
            out.ndcg = ideal > 0 ? dcg / ideal : 0
        }
        return out
    }
}
