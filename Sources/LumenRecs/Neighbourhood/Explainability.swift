/// How the explainability weight of a (user, item) pair is defined.
public enum ExplainabilityKind: String, Sendable, Codable, CaseIterable {
    /// E = share of the user's k neighbours who rated the item.
    case share
    /// E = Σ neighbours' ratings of the item / (k · R_max): the expected neighbour rating.
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

    /// W for one pair, looking the item up in each neighbour's ratings.
    public func weight(user u: Int, item: Int32, neighbourhood: UserNeighbourhood, ratings: RatingMatrix) -> Float {
        var count: Float = 0, sum: Float = 0
        for j in 0..<neighbourhood.k {
            let v = neighbourhood.neighbours[u * neighbourhood.k + j]
            guard v >= 0 else { break }
            if let r = ratings.rating(user: Int(v), item: item) {
                count += 1
                sum += r
            }
        }
        return apply(count: count, sum: sum, k: neighbourhood.k)
    }

    /// Every item with W_ui > 0 for user `u` (rated or not), sorted by item, with its weight.
    public func row(user u: Int, neighbourhood: UserNeighbourhood, ratings: RatingMatrix, scratch: inout [Float], counts: inout [Float]) -> [(item: Int32, weight: Float)] {
        var touched: [Int32] = []
        for j in 0..<neighbourhood.k {
            let v = Int(neighbourhood.neighbours[u * neighbourhood.k + j])
            guard v >= 0 else { break }
            for p in ratings.userOffsets[v]..<ratings.userOffsets[v + 1] {
                let i = Int(ratings.userItems[p])
                if counts[i] == 0 { touched.append(Int32(i)) }
                counts[i] += 1
                scratch[i] += ratings.userValues[p]
            }
        }
        touched.sort()
        var out: [(Int32, Float)] = []
        for i32 in touched {
            let i = Int(i32)
            let w = apply(count: counts[i], sum: scratch[i], k: neighbourhood.k)
            if w > 0 { out.append((i32, w)) }
            counts[i] = 0
            scratch[i] = 0
        }
        return out
    }

    @inline(__always)
    func apply(count: Float, sum: Float, k: Int) -> Float {
        let e: Float = kind == .share ? count / Float(k) : sum / (Float(k) * maxRating)
        return e > threshold ? e : 0
    }
}
