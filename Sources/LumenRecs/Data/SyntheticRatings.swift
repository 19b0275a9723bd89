import Foundation
import LumenNumerics

/// Seeded synthetic ratings with planted structure: users belong to taste segments, each segment
/// prefers its own block of items, and ratings follow biases plus a low-rank taste model on a
/// 1–5 star scale. Neighbourhoods and factors therefore have something real to find.
public struct SyntheticRatings: Sendable {
    public var users: Int
    public var items: Int
    public var ratingsPerUser: Int
    public var segments: Int
    public var seed: UInt64

    public init(users: Int, items: Int, ratingsPerUser: Int, segments: Int = 8, seed: UInt64 = 42) {
        self.users = users
        self.items = items
        self.ratingsPerUser = ratingsPerUser
        self.segments = segments
        self.seed = seed
    }

    /// Generates the data set (external ids are "u<index>" and "i<index>", titles "Item <index>").
    public func generate() throws(RecsError) -> RatingsData {
        guard users > 0, items > 1, segments > 0, ratingsPerUser > 0, ratingsPerUser < items else {
            throw .invalidOption("synthetic data needs users > 0, items > 1 and 0 < ratings per user < items")
        }
        var g = SeededGenerator(seed: seed)
        let rank = 6
        let segmentTaste = (0..<segments).map { _ in (0..<rank).map { _ in Float(g.nextGaussian()) * 0.6 } }
        let itemFactors = (0..<items).map { _ in (0..<rank).map { _ in Float(g.nextGaussian()) * 0.6 } }
        let itemBias = (0..<items).map { _ in Float(g.nextGaussian()) * 0.35 }
        // Each segment's preferred block of items, and a global popularity order (Zipf-like).
        let block = max(1, items / segments)
        var ratings: [Rating] = []
        ratings.reserveCapacity(users * ratingsPerUser)
        var seen = [Int32](repeating: -1, count: items)
        for u in 0..<users {
            let segment = u % segments
            let taste = segmentTaste[segment].map { $0 + Float(g.nextGaussian()) * 0.25 }
            let userBias = Float(g.nextGaussian()) * 0.3
            var count = 0
            while count < ratingsPerUser {
                let item: Int
                if g.nextUnit() < 0.65 {
                    // Within the segment's block, popular items first.
                    let offset = Int(Double(block) * pow(g.nextUnit(), 2.2))
                    item = (segment * block + offset) % items
                } else {
                    item = Int(Double(items) * pow(g.nextUnit(), 1.8))
                }
                if seen[item] == Int32(u) { continue }
                seen[item] = Int32(u)
                var score: Float = 3.6 + userBias + itemBias[item]
                for k in 0..<rank { score += taste[k] * itemFactors[item][k] }
                score += Float(g.nextGaussian()) * 0.45
                let stars = min(5, max(1, score.rounded()))
                ratings.append(
                    Rating(
                        user: Int32(u),
                        item: Int32(item),
                        value: stars,
                        timestamp: Int64(u * ratingsPerUser + count)
                    )
                )
                count += 1
            }
        }
        let itemMap = IDMap(ids: (0..<items).map { "i\($0)" })
        return RatingsData(
            users: IDMap(ids: (0..<users).map { "u\($0)" }),
            items: itemMap,
            ratings: ratings,
            titles: (0..<items).map { "Item \($0)" }
        )
    }
}
