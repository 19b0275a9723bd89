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
    /// Mean number of training interactions of a recommended item (popularity bias).
    public var averagePopularity: Double
    /// Gini coefficient of how often each catalogue item is recommended (0 = every item
    /// equally often, → 1 = always the same few).
    public var gini: Double
    public var n: Int
    public var testRatings: Int
    /// Held-out (user, item) pairs that count as relevant.
    public var relevantItems: Int
    public var rankedUsers: Int

    enum CodingKeys: String, CodingKey {
        case rmse, mae, precision, recall, ndcg, mep, mer, fidelity, coverage, n, gini
        case averagePopularity = "average_popularity"
        case testRatings = "test_ratings"
        case relevantItems = "relevant_items"
        case rankedUsers = "ranked_users"
    }

    /// The figures as a flat dictionary (stored in model metadata).
    public var dictionary: [String: Double] {
        var figures = [
            "precision": precision, "recall": recall, "ndcg": ndcg, "mep": mep, "mer": mer,
            "fidelity": fidelity, "coverage": coverage, "average_popularity": averagePopularity, "gini": gini,
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

    /// Relevant held-out items per user: test ratings at or above the threshold (a threshold of
    /// 0 makes every held-out interaction relevant).
    public func relevantSets(_ model: EMFModel, test: [Rating]) -> [Set<Int>] {
        var relevant = [Set<Int>](repeating: [], count: model.users.count)
        for r in test where r.value >= relevanceThreshold {
            relevant[Int(r.user)].insert(Int(r.item))
        }
        return relevant
    }

    /// The model's own top-n lists, scored on held-out ratings.
    public func evaluate(_ model: EMFModel, test: [Rating]) throws(RecsError) -> EvaluationReport {
        guard !test.isEmpty else { throw .emptyData("no test ratings to evaluate on") }
        let n = self.n
        let workers = Parallel.workers
        let lists: [[Int]?] = Parallel.map(workers) { w in
            Parallel.share(model.users.count, part: w, of: workers).map { u -> [Int]? in
                model.training.userOffsets[u + 1] > model.training.userOffsets[u] ? model.topItems(user: u, n: n) : nil
            }
        }.flatMap { $0 }
        var report = audit(model, lists: lists, relevant: relevantSets(model, test: test))
        if model.scoreKind == .rating {
            var se = 0.0
            var ae = 0.0
            for r in test {
                let e = Double(r.value - model.predict(user: Int(r.user), item: Int(r.item)))
                se += e * e
                ae += abs(e)
            }
            (report.rmse, report.mae) = ((se / Double(test.count)).squareRoot(), ae / Double(test.count))
        }
        report.testRatings = test.count
        return report
    }

    /// Scores top-n lists — the model's, or another system's — against relevant held-out items,
    /// with explainability measured by the model's neighbourhoods. `lists[u]` nil: no list for u.
    ///
    /// Ranking figures average over users known to the model (with training interactions) who
    /// have a relevant item, a missing list counting as no hit; MEP averages over users with a
    /// list; MER over users with training interactions and an explainable unrated item. Lists
    /// are cut to `n`.
    public func audit(_ model: EMFModel, lists: [[Int]?], relevant: [Set<Int>]) -> EvaluationReport {
        let users = model.users.count
        let n = self.n
        let workers = Parallel.workers
        let perUser: [[UserFigures]] = Parallel.map(workers) { w in
            let range = Parallel.share(users, part: w, of: workers)
            var scratch = [Float](repeating: 0, count: model.items.count)
            var counts = scratch
            return range.map { u in
                figures(
                    model,
                    user: u,
                    list: lists[u].map { Array($0.prefix(n)) },
                    relevant: relevant[u],
                    n: n,
                    scratch: &scratch,
                    counts: &counts
                )
            }
        }
        let all = perUser.flatMap { $0 }
        let ranked = all.filter(\.ranked)
        let explainable = all.filter(\.hasExplainable)
        let listed = all.filter { !$0.recommended.isEmpty }
        let recommendedTotal = listed.reduce(0) { $0 + $1.recommended.count }
        var timesRecommended = [Int](repeating: 0, count: model.items.count)
        for f in listed { for i in f.recommended { timesRecommended[i] += 1 } }
        var popularity = [Int](repeating: 0, count: model.items.count)
        for i in model.training.userItems { popularity[Int(i)] += 1 }
        let popularitySum = listed.reduce(0) { total, f in total + f.recommended.reduce(0) { $0 + popularity[$1] } }
        func mean(_ xs: [UserFigures], _ key: (UserFigures) -> Double) -> Double {
            xs.isEmpty ? 0 : xs.reduce(0) { $0 + key($1) } / Double(xs.count)
        }
        let relevantCount = relevant.reduce(0) { $0 + $1.count }
        return EvaluationReport(
            rmse: nil,
            mae: nil,
            precision: mean(ranked, \.precision),
            recall: mean(ranked, \.recall),
            ndcg: mean(ranked, \.ndcg),
            mep: mean(listed, \.mep),
            mer: mean(explainable, \.mer),
            fidelity: recommendedTotal == 0 ? 0 : Double(listed.reduce(0) { $0 + $1.cited }) / Double(recommendedTotal),
            coverage: Double(timesRecommended.filter { $0 > 0 }.count) / Double(model.items.count),
            averagePopularity: recommendedTotal == 0 ? 0 : Double(popularitySum) / Double(recommendedTotal),
            gini: Self.gini(timesRecommended),
            n: n,
            testRatings: relevantCount,
            relevantItems: relevantCount,
            rankedUsers: ranked.count
        )
    }

    /// Gini coefficient of non-negative counts: Σ (2k − m − 1) c_(k) / (m Σ c) over the counts
    /// sorted ascending, k = 1…m.
    static func gini(_ counts: [Int]) -> Double {
        let total = counts.reduce(0, +)
        guard total > 0, counts.count > 1 else { return 0 }
        let m = counts.count
        let sorted = counts.sorted()
        var acc = 0.0
        for (k, c) in sorted.enumerated() { acc += Double(2 * (k + 1) - m - 1) * Double(c) }
        return acc / (Double(m) * Double(total))
    }

    func figures(
        _ model: EMFModel,
        user u: Int,
        list: [Int]?,
        relevant: Set<Int>,
        n: Int,
        scratch: inout [Float],
        counts: inout [Float]
    ) -> UserFigures {
        var out = UserFigures()
        guard model.training.userOffsets[u + 1] > model.training.userOffsets[u] else { return out }
        let row = model.explainability.row(
            user: u,
            neighborhood: model.neighborhood,
            ratings: model.training,
            scratch: &scratch,
            counts: &counts
        )
        var explainable = Set<Int>()
        for (item, _) in row where model.training.rating(user: u, item: item) == nil { explainable.insert(Int(item)) }
        let top = list ?? []
        out.recommended = top
        for i in top {
            if !model.explainability.support(
                user: u,
                item: Int32(i),
                neighborhood: model.neighborhood,
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
