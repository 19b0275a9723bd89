import LumenNumerics

/// One user or item whose latent factors moved, with how far.
public struct MovedEntity: Sendable, Codable, Equatable {
    public let id: String
    public let distance: Double

    public init(id: String, distance: Double) {
        self.id = id
        self.distance = distance
    }
}

/// Drift of latent factors. Factors are only defined up to rotation, so Lumen never compares two
/// separately trained models dimension by dimension: users are folded into the frozen item factors
/// (the same ridge estimator on both sides), and item factors from a retrain are first aligned by
/// orthogonal Procrustes on shared items (LumenRecsDrift builds those matrices from EMF models).
/// Rotation-invariant views (factor norms) are reported too.
public struct LatentDriftReport: Sendable, Codable, Equatable {
    public let kind: LatentKind
    public let referenceCount: Int
    public let currentCount: Int
    public let multivariate: MultivariateReport
    /// KS on the factor norms: unaffected by any rotation.
    public let norms: DriftResult
    /// KS on cosine similarities of seeded random pairs within each side: also rotation-invariant.
    public let pairwiseSimilarity: DriftResult
    /// Every movement, largest first (the text and HTML reports show the first 10): for users seen in training,
    /// the distance between [p_u, b_u] re-estimated from the current ratings and from the training ratings; for
    /// items, across the aligned retrain.
    public let movedMost: [MovedEntity]
    /// For a retrain (`items(old:new:)`): the rotation-invariant check against seed-to-seed noise that decides.
    public var retrain: RetrainCheck?
    public var drifted: Bool

    enum CodingKeys: String, CodingKey {
        case kind, multivariate, norms, drifted, retrain
        case pairwiseSimilarity = "pairwise_similarity"
        case referenceCount = "reference_count"
        case currentCount = "current_count"
        case movedMost = "moved_most"
    }
}

public enum LatentDrift {
    /// Drift between two factor matrices given directly (rows = users or items). With `aligned`
    /// the rows must correspond (same entities, same order) and `current` is first rotated onto
    /// `reference` by orthogonal Procrustes; otherwise only the distributions are compared, so the
    /// factors must come from the same model (or the rotation-invariant views are the ones to read).
    public static func factors(
        _ reference: SampleMatrix,
        _ current: SampleMatrix,
        aligned: Bool,
        ids: [String]? = nil,
        test: MultivariateDrift = MultivariateDrift(),
        kind: LatentKind = .factors
    ) throws(DriftError) -> LatentDriftReport {
        try SampleMatrix.requireSameWidth(reference, current)
        guard aligned else { return try report(kind: kind, reference, current, test: test, moved: []) }
        guard reference.rows == current.rows else {
            throw .dimensionMismatch("--align needs the same rows on both sides (\(reference.rows) vs \(current.rows))")
        }
        let (rotated, moved) = try align(current, onto: reference, ids: ids)
        return try report(kind: kind, reference, rotated, test: test, moved: moved)
    }

    /// `current` rotated onto `reference` by orthogonal Procrustes (rows correspond: the same
    /// entities in the same order), and how far each row lies from its reference after the rotation.
    public static func align(
        _ current: SampleMatrix,
        onto reference: SampleMatrix,
        ids: [String]? = nil
    ) throws(DriftError) -> (aligned: SampleMatrix, moved: [MovedEntity]) {
        try SampleMatrix.requireSameWidth(reference, current)
        guard reference.rows == current.rows else {
            throw .dimensionMismatch(
                "alignment needs the same rows on both sides (\(reference.rows) vs \(current.rows))"
            )
        }
        let f = reference.cols
        let rotation: [Double]
        do {
            rotation = try DenseSVD.procrustesRotation(
                from: current.values,
                to: reference.values,
                rows: current.rows,
                n: f
            )
        } catch {
            throw .alignmentFailed("\(error)")
        }
        var rotated = [Double](repeating: 0, count: current.values.count)
        for r in 0..<current.rows {
            for j in 0..<f {
                rotated[r * f + j] = (0..<f).reduce(0.0) { $0 + current.values[r * f + $1] * rotation[$1 * f + j] }
            }
        }
        let moved = (0..<current.rows).map { r in
            MovedEntity(
                id: ids?[r] ?? "row \(r)",
                distance: (0..<f).reduce(0.0) { $0 + pow2(rotated[r * f + $1] - reference.values[r * f + $1]) }
                    .squareRoot()
            )
        }
        return (try SampleMatrix(rows: current.rows, cols: f, values: rotated), moved)
    }

    /// The report on two factor samples: the multivariate test, KS on the norms and on seeded
    /// pair cosines, and `moved` largest first.
    public static func report(
        kind: LatentKind,
        _ a: SampleMatrix,
        _ b: SampleMatrix,
        test: MultivariateDrift,
        moved: [MovedEntity]
    ) throws(DriftError) -> LatentDriftReport {
        let multivariate = try test.compare(a, b)
        let normsA = (0..<a.rows).map { r in a.row(r).reduce(0) { $0 + $1 * $1 }.squareRoot() }
        let normsB = (0..<b.rows).map { r in b.row(r).reduce(0) { $0 + $1 * $1 }.squareRoot() }
        let norms = try UnivariateTests.kolmogorovSmirnov(normsA, normsB)
        let pairs = try UnivariateTests.kolmogorovSmirnov(pairCosines(a, seed: 1), pairCosines(b, seed: 2))
        let top = moved.sorted { ($0.distance, $1.id) > ($1.distance, $0.id) }
        return LatentDriftReport(
            kind: kind,
            referenceCount: a.rows,
            currentCount: b.rows,
            multivariate: multivariate,
            norms: norms,
            pairwiseSimilarity: pairs,
            movedMost: top,
            retrain: nil,
            drifted: multivariate.drifted
        )
    }
}

/// Cosine similarities of up to 2000 seeded random pairs of distinct rows.
func pairCosines(_ m: SampleMatrix, seed: UInt64) -> [Double] {
    guard m.rows >= 2 else { return [0] }
    var generator = SeededGenerator(seed: seed)
    return (0..<2000).map { _ in
        let i = generator.nextIndex(m.rows)
        var j = generator.nextIndex(m.rows - 1)
        if j >= i { j += 1 }
        var dot = 0.0
        var ni = 0.0
        var nj = 0.0
        for k in 0..<m.cols {
            let x = m.values[i * m.cols + k]
            let y = m.values[j * m.cols + k]
            dot += x * y
            ni += x * x
            nj += y * y
        }
        return ni > 0 && nj > 0 ? dot / (ni * nj).squareRoot() : 0
    }
}

@inline(__always) private func pow2(_ x: Double) -> Double { x * x }
