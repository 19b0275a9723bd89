/// Settings of an explainable matrix factorisation model. λ = 0 gives plain (biased) MF; with a
/// ranking objective λ blends plain BPR (0) with explainable BPR (1).
public struct EMFHyperparameters: Sendable, Codable, Equatable {
    /// The loss: explicit ratings (EMF) or a pairwise ranking loss (BPR family).
    public var objective: TrainingObjective = .rating
    /// Latent factors per user and item (100, 40 epochs and β = 0.2 measured on MovieLens-100k:
    /// RMSE 0.906–0.907 over four seeds against 0.911–0.913 with 40, 30 and 0.15; see README).
    public var factors = 100
    /// SGD passes over the training ratings.
    public var epochs = 40
    /// SGD step size α.
    public var learningRate: Float = 0.005
    /// L2 penalty β on factors.
    public var regularization: Float = 0.2
    /// L2 penalty on the biases.
    public var biasRegularization: Float = 0.02
    /// Weight λ of the explainability term λ/2 ‖p_u − q_i‖² W_ui.
    public var lambda: Float = 0.2
    /// Learn global, user and item biases.
    public var useBiases = true
    /// Neighbours per user.
    public var neighbors = 10
    /// Explainability threshold θ: W_ui = E_ui only when E_ui > θ.
    public var threshold: Float = 0
    /// Similarity for neighbourhoods.
    public var similarity: Similarity = .cosine
    /// Neighbours of the user (the paper) or of the item.
    public var basis: NeighborBasis = .users
    /// Definition of E_ui.
    public var explainability: ExplainabilityKind = .share
    /// Form of the explainability term.
    public var pull: ExplainabilityPull = .innerProduct
    /// Apply the explainability term on observed ratings (the paper's choice).
    public var observedPairs = true
    /// Also apply it to unrated (u, i) pairs with W_ui > 0, once per epoch.
    public var unratedExplainablePairs = true
    /// Standard deviation of the initial factors.
    public var initialScale: Float = 0.1
    /// Seed for initialisation and SGD order.
    public var seed: UInt64 = 42
    /// Rating models rank by r̂_ui + blend · W_ui: the predicted rating plus the pair's
    /// explainability weight, so items the neighbourhood supports rise in the top-n (predictions
    /// and RMSE are unchanged). 0 ranks by the predicted rating alone (files saved before this
    /// setting existed).
    public var rankBlend: Float = 4

    public init() {}

    /// Defaults tuned for a ranking objective (measured on MovieLens-100k, see README): item biases
    /// only, item-based explainability (as in the EBPR paper), larger steps, more epochs.
    public static func ranking(_ objective: TrainingObjective = .ebpr) -> EMFHyperparameters {
        var h = EMFHyperparameters()
        h.objective = objective
        h.factors = 64
        h.epochs = 60
        h.learningRate = 0.05
        h.regularization = 0.01
        h.biasRegularization = 0.01
        h.lambda = 0.5
        h.basis = .items
        h.initialScale = 0.1
        return h
    }

    /// Checks ranges before training.
    public func validate() throws(RecsError) {
        guard factors >= 1, factors <= 4096 else { throw .invalidOption("factors must be in 1...4096") }
        guard epochs >= 0, epochs <= 10_000 else { throw .invalidOption("epochs must be in 0...10000") }
        guard learningRate > 0, learningRate < 1 else { throw .invalidOption("learning rate must be in (0, 1)") }
        guard regularization >= 0, biasRegularization >= 0 else { throw .invalidOption("regularisation must be ≥ 0") }
        guard lambda >= 0 else { throw .invalidOption("λ must be ≥ 0") }
        guard neighbors >= 1, neighbors <= 1000 else { throw .invalidOption("neighbours must be in 1...1000") }
        guard threshold >= 0, threshold < 1 else { throw .invalidOption("θ must be in [0, 1)") }
        guard rankBlend >= 0, rankBlend <= 1000 else { throw .invalidOption("rank blend must be in 0...1000") }
        if objective.isRanking {
            guard lambda <= 1 else { throw .invalidOption("with a ranking objective λ blends BPR and EBPR: 0...1") }
            return
        }
        guard 2 * learningRate * lambda < 1 else {
            throw .invalidOption(
                "2·α·λ must stay below 1 or the explainability pull overshoots (α·λ·W is the per-step share of the gap closed)"
            )
        }
    }

    enum CodingKeys: String, CodingKey {
        case factors, epochs, lambda
        case neighbors = "neighbours"
        case threshold, similarity, explainability, seed, basis
        case learningRate = "learning_rate"
        case regularization
        case biasRegularization = "bias_regularization"
        case useBiases = "use_biases"
        case pull
        case observedPairs = "observed_pairs"
        case unratedExplainablePairs = "unrated_explainable_pairs"
        case initialScale = "initial_scale"
        case objective
        case rankBlend = "rank_blend"
    }

    /// Decodes settings saved by any Lumen version: keys a file lacks keep their defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = EMFHyperparameters()
        objective = try c.decodeIfPresent(TrainingObjective.self, forKey: .objective) ?? d.objective
        factors = try c.decodeIfPresent(Int.self, forKey: .factors) ?? d.factors
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? d.epochs
        learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate) ?? d.learningRate
        regularization = try c.decodeIfPresent(Float.self, forKey: .regularization) ?? d.regularization
        biasRegularization = try c.decodeIfPresent(Float.self, forKey: .biasRegularization) ?? d.biasRegularization
        lambda = try c.decodeIfPresent(Float.self, forKey: .lambda) ?? d.lambda
        useBiases = try c.decodeIfPresent(Bool.self, forKey: .useBiases) ?? d.useBiases
        neighbors = try c.decodeIfPresent(Int.self, forKey: .neighbors) ?? d.neighbors
        threshold = try c.decodeIfPresent(Float.self, forKey: .threshold) ?? d.threshold
        similarity = try c.decodeIfPresent(Similarity.self, forKey: .similarity) ?? d.similarity
        basis = try c.decodeIfPresent(NeighborBasis.self, forKey: .basis) ?? d.basis
        explainability = try c.decodeIfPresent(ExplainabilityKind.self, forKey: .explainability) ?? d.explainability
        pull = try c.decodeIfPresent(ExplainabilityPull.self, forKey: .pull) ?? d.pull
        observedPairs = try c.decodeIfPresent(Bool.self, forKey: .observedPairs) ?? d.observedPairs
        unratedExplainablePairs =
            try c.decodeIfPresent(Bool.self, forKey: .unratedExplainablePairs) ?? d.unratedExplainablePairs
        initialScale = try c.decodeIfPresent(Float.self, forKey: .initialScale) ?? d.initialScale
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        rankBlend = try c.decodeIfPresent(Float.self, forKey: .rankBlend) ?? 0
    }
}
