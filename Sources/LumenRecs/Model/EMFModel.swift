/// A trained explainable MF model: factors, biases, the neighbourhoods and the training ratings
/// that explanations cite, and the id maps back to the data.
public struct EMFModel: Sendable {
    public var hyperparameters: EMFHyperparameters
    public var users: IDMap
    public var items: IDMap
    public var titles: [String?]
    /// U × f, row-major.
    public var userFactors: [Float]
    /// I × f, row-major.
    public var itemFactors: [Float]
    public var userBias: [Float]
    public var itemBias: [Float]
    public var globalMean: Float
    public var ratingRange: (min: Float, max: Float)
    public var neighbourhood: UserNeighbourhood
    public var training: RatingMatrix
    /// Identifies the training data.
    public var fingerprint: String
    /// Evaluation figures recorded at training time, if any.
    public var metrics: [String: Double]
    /// ISO-8601 creation time.
    public var createdAt: String

    /// The explainability weight definition the model was trained with.
    public var explainability: Explainability {
        Explainability(
            kind: hyperparameters.explainability,
            threshold: hyperparameters.threshold,
            maxRating: ratingRange.max
        )
    }

    /// Predicted rating of (u, i), clipped to the rating scale.
    public func predict(user u: Int, item i: Int) -> Float {
        let f = hyperparameters.factors
        let raw = userFactors.withUnsafeBufferPointer { p in
            itemFactors.withUnsafeBufferPointer { q in
                EMFUpdate.dot(p.baseAddress! + u * f, q.baseAddress! + i * f, factors: f)
            }
        }
        let biased = hyperparameters.useBiases ? raw + globalMean + userBias[u] + itemBias[i] : raw
        return min(max(biased, ratingRange.min), ratingRange.max)
    }

    /// Dense index of an external user id.
    public func user(_ id: String) throws(RecsError) -> Int {
        guard let u = users.denseIndex(of: id) else { throw .unknownUser(id) }
        return Int(u)
    }

    /// Dense index of an external item id.
    public func item(_ id: String) throws(RecsError) -> Int {
        guard let i = items.denseIndex(of: id) else { throw .unknownItem(id) }
        return Int(i)
    }
}
