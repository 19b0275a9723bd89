/// What a recommender model was fitted to, which fixes what its scores mean.
public enum TrainingObjective: String, Sendable, Codable, CaseIterable {
    /// Explainable MF on explicit ratings (squared error): scores are predicted ratings.
    case rating
    /// Bayesian personalised ranking (pairwise, implicit feedback), λ ignored.
    case bpr
    /// Explainable BPR (Damak, Khenissi and Nasraoui, RecSys 2021): each sampled triple (u, i, j)
    /// weighted by E_ui · (1 − E_uj), blended with plain BPR by λ (λ = 1 is the paper's loss).
    case ebpr
    /// EBPR with an inverse-propensity correction of the positive for exposure bias: the weight
    /// is divided by θ_i = (pop_i / max pop)^½, self-normalised to mean 1 over the positives.
    case puebpr

    /// Whether the model learns from pairwise rankings (scores on no rating scale).
    public var isRanking: Bool { self != .rating }
}

/// What a model's score means.
public enum ScoreKind: String, Sendable, Codable, CaseIterable {
    /// A predicted rating on the training scale, clipped to it.
    case rating
    /// A ranking score with its own scale (e.g. BPR or implicit-ALS dot products), never clipped.
    case score
}

/// What the training interactions are.
public enum FeedbackKind: String, Sendable, Codable, CaseIterable {
    /// Ratings on a declared scale.
    case explicit
    /// Interactions (clicks, plays, purchases) with a positive weight, 1 by default.
    case implicit
}
