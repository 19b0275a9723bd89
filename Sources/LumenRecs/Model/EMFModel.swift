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
    public var neighborhood: UserNeighborhood
    public var training: RatingMatrix
    /// Identifies the training data.
    public var fingerprint: String
    /// Evaluation figures recorded at training time, if any.
    public var metrics: [String: Double]
    /// ISO-8601 creation time.
    public var createdAt: String
    /// What the scores mean: predicted ratings (clipped to the scale) or ranking scores.
    public var scoreKind: ScoreKind = .rating
    /// Whether `training` holds ratings or implicit interaction weights.
    public var feedback: FeedbackKind = .explicit
    /// Where the factors came from (`trainer: lumen` or `trainer: imported` with the source files
    /// and their SHA-256).
    public var provenance: [String: String] = ["trainer": "lumen"]

    /// The explainability weight definition the model was trained with.
    public var explainability: Explainability {
        Explainability(
            kind: hyperparameters.explainability,
            threshold: hyperparameters.threshold,
            maxRating: ratingRange.max
        )
    }

    /// The model's score of (u, i): a predicted rating clipped to the rating scale, or, for a
    /// ranking model, the raw score on its own scale.
    public func predict(user u: Int, item i: Int) -> Float {
        let s = rawScore(user: u, item: i)
        return scoreKind == .rating ? min(max(s, ratingRange.min), ratingRange.max) : s
    }

    /// p_u · q_i plus the learned biases, unclipped.
    public func rawScore(user u: Int, item i: Int) -> Float {
        let f = hyperparameters.factors
        let raw = userFactors.withUnsafeBufferPointer { p in
            itemFactors.withUnsafeBufferPointer { q in
                EMFUpdate.dot(p.baseAddress! + u * f, q.baseAddress! + i * f, factors: f)
            }
        }
        return hyperparameters.useBiases ? raw + globalMean + userBias[u] + itemBias[i] : raw
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
