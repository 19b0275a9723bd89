/// How the explainability weight of a (user, item) pair is defined.
public enum ExplainabilityKind: String, Sendable, Codable, CaseIterable {
    /// E = share of the user's k neighbours who rated the item (item basis: share of the item's
    /// k neighbours the user rated).
    case share
    /// E = Σ supporting ratings / (k · R_max): the expected neighbour rating.
    case expectedRating = "expected-rating"
}

/// Explainability weights W_ui = E_ui when E_ui > θ, else 0, built from training ratings only,
/// so an explanation never cites held-out data.
public struct Explainability: Sendable {
    public let kind: ExplainabilityKind
    public let threshold: Float
    public let maxRating: Float

    public init(kind: ExplainabilityKind = .share, threshold: Float = 0, maxRating: Float = 5) {
        self.kind = kind
        self.threshold = threshold
        self.maxRating = maxRating
    }

    /// The neighbours that support the pair (u, i): with the user basis, u's neighbours who rated
    /// i (their rating); with the item basis, i's neighbours that u rated (u's rating).
    public func support(
        user u: Int,
        item: Int32,
        neighborhood: UserNeighborhood,
        ratings: RatingMatrix
    ) -> [(row: Int, similarity: Float, rating: Float)] {
        switch neighborhood.basis {
        case .users:
            return neighborhood.of(u).compactMap { v, s in ratings.rating(user: v, item: item).map { (v, s, $0) } }
        case .items:
            return neighborhood.of(Int(item)).compactMap { j, s in
                ratings.rating(user: u, item: Int32(j)).map { (j, s, $0) }
            }
        }
    }

    /// W for one pair.
    public func weight(user u: Int, item: Int32, neighborhood: UserNeighborhood, ratings: RatingMatrix) -> Float {
        let cited = support(user: u, item: item, neighborhood: neighborhood, ratings: ratings)
        return apply(count: Float(cited.count), sum: cited.reduce(0) { $0 + $1.rating }, k: neighborhood.k)
    }

    /// Every item with W_ui > 0 for user `u` (rated or not), sorted by item, with its weight.
    public func row(
        user u: Int,
        neighborhood: UserNeighborhood,
        ratings: RatingMatrix,
        scratch: inout [Float],
        counts: inout [Float]
    ) -> [(item: Int32, weight: Float)] {
        var touched: [Int32] = []
        func count(_ i: Int, _ rating: Float) {
            if counts[i] == 0 { touched.append(Int32(i)) }
            counts[i] += 1
            scratch[i] += rating
        }
        switch neighborhood.basis {
        case .users:
            for j in 0..<neighborhood.k {
                let v = Int(neighborhood.neighbors[u * neighborhood.k + j])
                guard v >= 0 else { break }
                for p in ratings.userOffsets[v]..<ratings.userOffsets[v + 1] {
                    count(Int(ratings.userItems[p]), ratings.userValues[p])
                }
            }
        case .items:
            // Items that list one of u's rated items among their neighbours.
            for p in ratings.userOffsets[u]..<ratings.userOffsets[u + 1] {
                let j = Int(ratings.userItems[p])
                for q in neighborhood.reverseOffsets[j]..<neighborhood.reverseOffsets[j + 1] {
                    count(Int(neighborhood.reverseRows[q]), ratings.userValues[p])
                }
            }
        }
        touched.sort()
        var out: [(Int32, Float)] = []
        for i32 in touched {
            let i = Int(i32)
            let w = apply(count: counts[i], sum: scratch[i], k: neighborhood.k)
            if w > 0 { out.append((i32, w)) }
            counts[i] = 0
            scratch[i] = 0
        }
        return out
    }

    /// E from the count (and rating sum) of supporting neighbours, zero at or below θ.
    @inline(__always)
    public func apply(count: Float, sum: Float, k: Int) -> Float {
        let e: Float = kind == .share ? count / Float(k) : sum / (Float(k) * maxRating)
        return e > threshold ? e : 0
    }
}
