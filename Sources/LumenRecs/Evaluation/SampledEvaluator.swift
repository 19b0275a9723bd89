import Foundation
import LumenNumerics

/// Figures of the sampled-negatives protocol (one held-out item ranked among sampled ones).
public struct SampledReport: Sendable, Codable, Equatable {
    /// Share of held-out items ranked within the top n of their candidates (HR@n).
    public var hitRate: Double
    /// Mean 1 / log2(rank + 2) of the held-out item when within the top n (nDCG@n with one
    /// relevant item).
    public var ndcg: Double
    /// Mean share of the top n candidates that is explainable (W > 0, unrated in training).
    public var mep: Double
    /// Held-out (user, item) pairs ranked.
    public var cases: Int
    public var negatives: Int
    public var n: Int

    enum CodingKeys: String, CodingKey {
        case hitRate = "hit_rate"
        case ndcg, mep, cases, negatives, n
    }
}

/// The protocol the EBPR paper (Damak et al., 2021) and NCF use: leave one interaction out per
/// user, rank it among `negatives` items drawn uniformly from those the user never interacted
/// with (in training or test), and report HR@n, nDCG@n and MEP@n over those candidates.
///
/// Every held-out pair is one case (with a leave-one-out split, one per user). A negative scored
/// exactly like the held-out item ranks above it (pessimistic ties). A seed fixes the negatives.
public struct SampledEvaluator: Sendable {
    public var n: Int
    public var negatives: Int
    public var seed: UInt64

    public init(n: Int = 10, negatives: Int = 100, seed: UInt64 = 1) {
        (self.n, self.negatives, self.seed) = (n, negatives, seed)
    }

    public func evaluate(_ model: EMFModel, test: [Rating]) throws(RecsError) -> SampledReport {
        guard n >= 1, negatives >= 1 else { throw .invalidOption("n and the number of negatives must be at least 1") }
        var byUser = [[Int32]](repeating: [], count: model.users.count)
        for r in test where model.training.userOffsets[Int(r.user) + 1] > model.training.userOffsets[Int(r.user)] {
            byUser[Int(r.user)].append(r.item)
        }
        let heldOut = byUser
        let users = heldOut.indices.filter { !heldOut[$0].isEmpty }
        guard !users.isEmpty else { throw .emptyData("no held-out item of a user with training interactions") }
        let (n, negatives, seed) = (self.n, self.negatives, self.seed)
        let workers = Parallel.workers
        let parts = Parallel.map(workers) { w -> (hits: Double, ndcg: Double, mep: Double, cases: Int) in
            var total = (hits: 0.0, ndcg: 0.0, mep: 0.0, cases: 0)
            var scratch = [Float](repeating: 0, count: model.items.count)
            var counts = scratch
            var touched = [Bool](repeating: false, count: model.items.count)
            for u in users[Parallel.share(users.count, part: w, of: workers)] {
                let scores = model.scores(user: u)
                var explainable = [Bool](repeating: false, count: model.items.count)
                for (item, _) in model.explainability.row(
                    user: u,
                    neighborhood: model.neighborhood,
                    ratings: model.training,
                    scratch: &scratch,
                    counts: &counts
                ) {
                    explainable[Int(item)] = true
                }
                let rated = Array(model.training.items(of: u)) + heldOut[u]
                for i in rated { touched[Int(i)] = true }
                for i in model.training.items(of: u) { explainable[Int(i)] = false }
                var pool = (0..<Int32(model.items.count)).filter { !touched[Int($0)] }
                for i in rated { touched[Int(i)] = false }
                var g = SeededGenerator(seed: seed &+ UInt64(u) &* 0x9E37_79B9_7F4A_7C15)
                // A partial Fisher–Yates shuffle draws the negatives without replacement.
                let drawn = min(negatives, pool.count)
                for k in 0..<drawn { pool.swapAt(k, k + Int(g.next() % UInt64(pool.count - k))) }
                let sampled = pool.prefix(drawn)
                for held in heldOut[u] {
                    let s = scores[Int(held)]
                    let rank = sampled.filter { scores[Int($0)] >= s }.count
                    if rank < n {
                        total.hits += 1
                        total.ndcg += 1 / log2(Double(rank) + 2)
                    }
                    let candidates = (sampled + [held]).sorted { (scores[Int($0)], -$0) > (scores[Int($1)], -$1) }
                    let top = candidates.prefix(n)
                    total.mep += Double(top.filter { explainable[Int($0)] }.count) / Double(top.count)
                    total.cases += 1
                }
            }
            return total
        }
        let cases = parts.reduce(0) { $0 + $1.cases }
        return SampledReport(
            hitRate: parts.reduce(0) { $0 + $1.hits } / Double(cases),
            ndcg: parts.reduce(0) { $0 + $1.ndcg } / Double(cases),
            mep: parts.reduce(0) { $0 + $1.mep } / Double(cases),
            cases: cases,
            negatives: negatives,
            n: n
        )
    }
}
