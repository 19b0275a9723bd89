/// What a reference profile describes.
public enum ProfileKind: String, Sendable, Codable, CaseIterable {
    /// Tabular columns (also the reference of a predictions check).
    case features
    /// Image properties (brightness, contrast, sharpness, …).
    case images
    /// Latent factors (rows of a factor matrix).
    case latent
}

/// What a drift check compares.
public enum DriftKind: String, Sendable, Codable, CaseIterable {
    case features, predictions, images, latent

    /// The kind of reference profile a check of this kind reads.
    public var profileKind: ProfileKind {
        switch self {
        case .features, .predictions: .features
        case .images: .images
        case .latent: .latent
        }
    }
}

/// Which latent factors a latent drift report compares.
public enum LatentKind: String, Sendable, Codable, CaseIterable {
    /// Users folded into the frozen item factors.
    case users
    /// Item factors across a retrain, aligned by Procrustes.
    case items
    /// Factor matrices given directly.
    case factors
}
