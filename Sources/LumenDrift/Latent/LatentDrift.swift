import LumenNumerics
import LumenRecs

/// One user or item whose latent factors moved, with how far.
public struct MovedEntity: Sendable, Codable, Equatable {
    public let id: String
    public let distance: Double
}

/// Drift of latent factors. Factors are only defined up to rotation, so Lumen never compares two
/// separately trained models dimension by dimension: users are folded into the frozen item factors
/// (the same ridge estimator on both sides), and item factors from a retrain are first aligned by
/// orthogonal Procrustes on shared items. Rotation-invariant views (factor norms) are reported too.
public struct LatentDriftReport: Sendable, Codable, Equatable {
    public let kind: String
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
    public internal(set) var retrain: RetrainCheck?
    public internal(set) var drifted: Bool

    enum CodingKeys: String, CodingKey {
        case kind, multivariate, norms, drifted, retrain
        case pairwiseSimilarity = "pairwise_similarity"
        case referenceCount = "reference_count"
        case currentCount = "current_count"
        case movedMost = "moved_most"
    }
}

public enum LatentDrift {
    /// Ridge fold-in of one user: [p_u, b_u] minimising Σ (r − μ − b_i − b_u − p·q_i)² + β‖[p, b_u]‖²
    /// (β scaled by the number of ratings). Returns p_u followed by b_u when the model has biases.
    public static func foldIn(
        _ model: EMFModel,
        ratings: [(item: Int, value: Float)],
        regularization: Double
    ) -> [Double] {
        let f = model.hyperparameters.factors
        let biased = model.hyperparameters.useBiases
        let p = f + (biased ? 1 : 0)
        var a = [Double](repeating: 0, count: p * p)
        var b = [Double](repeating: 0, count: p)
        var x = [Double](repeating: 0, count: p)
        for (item, value) in ratings {
            for k in 0..<f { x[k] = Double(model.itemFactors[item * f + k]) }
            if biased { x[f] = 1 }
            let target = Double(value) - (biased ? Double(model.globalMean + model.itemBias[item]) : 0)
            for i in 0..<p {
                b[i] += x[i] * target
                for j in 0...i { a[i * p + j] += x[i] * x[j] }
            }
        }
        for i in 0..<p {
            for j in 0..<i { a[j * p + i] = a[i * p + j] }
            a[i * p + i] += regularization * Double(max(ratings.count, 1))
        }
        return Cholesky.solve(a, b, n: p) ?? [Double](repeating: 0, count: p)
    }

    /// User drift: training users (folded in from their training ratings) against users folded in
    /// from `current` ratings (external ids; unknown items are skipped).
    public static func users(
        _ model: EMFModel,
        current: RatingsData,
        test: MultivariateDrift = MultivariateDrift(),
        regularization: Double = 0.05
    ) throws(DriftError) -> LatentDriftReport {
        let f = model.hyperparameters.factors
        var reference: [Double] = []
        var trainUsers: [String: [Double]] = [:]
        for u in 0..<model.users.count {
            let start = model.training.userOffsets[u]
            let end = model.training.userOffsets[u + 1]
            guard end > start else { continue }
            let rated = (start..<end).map {
                (item: Int(model.training.userItems[$0]), value: model.training.userValues[$0])
            }
            let p = foldIn(model, ratings: rated, regularization: regularization)
            reference += p.prefix(f)
            trainUsers[model.users[u]] = p
        }
        var byUser: [Int32: [(item: Int, value: Float)]] = [:]
        for r in current.ratings {
            guard let item = model.items.denseIndex(of: current.items[Int(r.item)]) else { continue }
            byUser[r.user, default: []].append((Int(item), r.value))
        }
        guard !byUser.isEmpty else { throw .emptySample("no current ratings on items the model knows") }
        var currentFactors: [Double] = []
        var moved: [MovedEntity] = []
        for user in byUser.keys.sorted() {
            let p = foldIn(model, ratings: byUser[user]!, regularization: regularization)
            currentFactors += p.prefix(f)
            let id = current.users[Int(user)]
            if let before = trainUsers[id] {
                moved.append(
                    MovedEntity(
                        id: id,
                        distance: zip(p, before).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
                    )
                )
            }
        }
        let a = try SampleMatrix(rows: reference.count / f, cols: f, values: reference)
        let b = try SampleMatrix(rows: currentFactors.count / f, cols: f, values: currentFactors)
        return try report(kind: "users", a, b, test: test, moved: moved)
    }

    /// Item drift across a retrain: the new model's item factors aligned to the old ones by orthogonal Procrustes
    /// on the items both know, compared as diagnostics (which items moved, which dimensions). Two trainings of the
    /// same data with different seeds are not rotations of each other, so the verdict comes from `RetrainCheck`
    /// (predictions of both models against retrains of the old data with `calibrationSeeds`); with no seeds, from
    /// the aligned MMD test alone.
    public static func items(
        old: EMFModel,
        new: EMFModel,
        test: MultivariateDrift = MultivariateDrift(),
        calibrationSeeds: [UInt64] = [1_001, 1_002]
    ) throws(DriftError) -> LatentDriftReport {
        var report = try alignedItems(old: old, new: new, test: test)
        if !calibrationSeeds.isEmpty {
            let check = try RetrainCheck.compare(old: old, new: new, seeds: calibrationSeeds)
            report.retrain = check
            report.drifted = check.drifted
        }
        return report
    }

    static func alignedItems(
        old: EMFModel,
        new: EMFModel,
        test: MultivariateDrift
    ) throws(DriftError) -> LatentDriftReport {
        let (_, reference, current, moved) = try procrustes(old: old, new: new)
        return try report(kind: "items", reference, current, test: test, moved: moved)
    }

    /// The shared items' factors: the old model's, the new model's rotated onto them by orthogonal Procrustes, and
    /// how far each item lies from its old position after the rotation.
    static func procrustes(
        old: EMFModel,
        new: EMFModel
    ) throws(DriftError) -> (ids: [String], old: SampleMatrix, aligned: SampleMatrix, moved: [MovedEntity]) {
        let f = old.hyperparameters.factors
        guard new.hyperparameters.factors == f else {
            throw .dimensionMismatch("old model has \(f) factors, new model \(new.hyperparameters.factors)")
        }
        var a: [Double] = []
        var b: [Double] = []
        var ids: [String] = []
        for i in 0..<old.items.count {
            guard let j = new.items.denseIndex(of: old.items[i]) else { continue }
            a += (0..<f).map { Double(new.itemFactors[Int(j) * f + $0]) }
            b += (0..<f).map { Double(old.itemFactors[i * f + $0]) }
            ids.append(old.items[i])
        }
        guard ids.count > f else { throw .emptySample("only \(ids.count) shared items for \(f) factors") }
        let rotation: [Double]
        do {
            rotation = try DenseSVD.procrustesRotation(from: a, to: b, rows: ids.count, n: f)
        } catch {
            throw .invalidOption("Procrustes alignment failed: \(error)")
        }
        var aligned = [Double](repeating: 0, count: a.count)
        for r in 0..<ids.count {
            for j in 0..<f {
                var s = 0.0
                for k in 0..<f { s += a[r * f + k] * rotation[k * f + j] }
                aligned[r * f + j] = s
            }
        }
        let moved = ids.indices.map { r in
            MovedEntity(
                id: ids[r],
                distance: (0..<f).reduce(0.0) { $0 + pow2(aligned[r * f + $1] - b[r * f + $1]) }.squareRoot()
            )
        }
        return (
            ids, try SampleMatrix(rows: ids.count, cols: f, values: b),
            try SampleMatrix(rows: ids.count, cols: f, values: aligned), moved
        )
    }

    /// Drift between two factor matrices given directly (rows = users or items). With `aligned`
    /// the rows must correspond (same entities, same order) and `current` is first rotated onto
    /// `reference` by orthogonal Procrustes; otherwise only the distributions are compared, so the
    /// factors must come from the same model (or the rotation-invariant views are the ones to read).
    public static func factors(
        _ reference: SampleMatrix,
        _ current: SampleMatrix,
        aligned: Bool,
        ids: [String]? = nil,
        test: MultivariateDrift = MultivariateDrift()
    ) throws(DriftError) -> LatentDriftReport {
        try SampleMatrix.requireSameWidth(reference, current)
        guard aligned else { return try report(kind: "factors", reference, current, test: test, moved: []) }
        guard reference.rows == current.rows else {
            throw .dimensionMismatch("--align needs the same rows on both sides (\(reference.rows) vs \(current.rows))")
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
            throw .invalidOption("Procrustes alignment failed: \(error)")
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
        return try report(
            kind: "factors",
            reference,
            try SampleMatrix(rows: current.rows, cols: f, values: rotated),
            test: test,
            moved: moved
        )
    }

    static func report(
        kind: String,
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
