import LumenImaging

/// How the arbitrary sign of a principal component was fixed.
public enum SignRule: String, Sendable, Codable {
    /// Oriented so the map co-varies positively with the channel-summed activation map.
    case covariance
    /// The covariance was zero; oriented so the largest magnitude is positive.
    case extent
}

/// One principal component of one layer, projected back onto the feature map.
public struct ComponentProjection: Sendable {
    /// Signed projection at layer resolution, after the sign rule, before ReLU or scaling.
    public let map: FloatMap
    /// σ_k² / Σσ²: the share of the layer's (centred) variance this component carries.
    public let explainedVarianceRatio: Double
    /// Whether the sign rule negated the raw eigenvector.
    public let flipped: Bool
    /// Which branch of the sign rule decided.
    public let signRule: SignRule
    /// Smallest value of `map`.
    public let rawMin: Float
    /// Largest value of `map`.
    public let rawMax: Float
}

/// All requested components of one layer for one input.
public struct LayerProjection: Sendable {
    /// Components, strongest first.
    public let components: [ComponentProjection]
    /// NaN or infinite activations replaced by 0.
    public let nonFiniteCount: Int
    /// Channels of the layer.
    public let channels: Int
}
