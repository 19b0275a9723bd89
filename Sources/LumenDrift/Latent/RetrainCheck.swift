import LumenNumerics
import LumenRecs

/// Rotation-invariant comparison of two models' item factors on the items both know: nothing here changes if either
/// model's factors are rotated, so two trainings of the same data with different seeds can be told apart from a
/// model that learned something else.
public struct RetrainStatistics: Sendable, Codable, Equatable {
    /// Mean share of each item's 10 nearest neighbours (cosine) that the two models agree on.
    public let neighbourOverlap: Double
    /// Pearson correlation of the cosine similarity of 2000 seeded item pairs under the two models.
    public let similarityCorrelation: Double
    /// KS D between the distributions of item factor norms.
    public let normsD: Double
    /// Pearson correlation of the two models' predicted ratings on the shared users × 50 seeded shared items.
    public var predictionCorrelation = 1.0
    /// The same for the factor part alone (p_u · q_i, biases left out): what a change confined to factors moves.
    public var interactionCorrelation = 1.0
    /// Share of shared items whose position after Procrustes alignment lies further from the old one than 99 % of
    /// the items do between seed-to-seed retrains.
    public var itemsMoved = 0.0
    /// Share of shared users whose own predictions (over the same items) correlate below 0.5 between the models.
    public var usersTurned = 0.0

    enum CodingKeys: String, CodingKey {
        case predictionCorrelation = "prediction_correlation"
        case interactionCorrelation = "interaction_correlation"
        case itemsMoved = "items_moved"
        case usersTurned = "users_turned"
        case neighbourOverlap = "neighbour_overlap"
        case similarityCorrelation = "similarity_correlation"
        case normsD = "norms_d"
    }
}

/// The verdict of `lumen drift latent --old-model --new-model`: the new model against the old one, beside the same
/// statistics between the old model and retrains of the old model's own training ratings with other seeds (what a
/// retrain changes when nothing changed).
public struct RetrainCheck: Sendable, Codable, Equatable {
    public let observed: RetrainStatistics
    /// Old model vs old data retrained with each calibration seed.
    public let seedNoise: [RetrainStatistics]
    /// How far beyond the worst seed-to-seed value (prediction correlation, share of items moved) the new model
    /// must lie to count as drift.
    public let tolerance: Double
    /// The statistics that left the seed-to-seed band.
    public let beyondNoise: [String]
    public let drifted: Bool

    /// The rotation-invariant statistics between two factor matrices whose rows are the same items.
    public static func statistics(
        _ a: SampleMatrix,
        _ b: SampleMatrix,
        neighbours k: Int = 10
    ) throws(DriftError)
        -> RetrainStatistics
    {
        try SampleMatrix.requireSameWidth(a, b)
        guard a.rows == b.rows, a.rows > k + 1 else {
            throw .emptySample("\(min(a.rows, b.rows)) shared items; a retrain check needs more than \(k + 1)")
        }
        let ua = unitRows(a)
        let ub = unitRows(b)
        let n = a.rows
        let f = a.cols
        // Nearest neighbours of every item under each model (parallel over items).
        let overlaps = Parallel.map(n) { i -> Double in
            func nearest(_ u: [Double]) -> Set<Int> {
                var scored: [(Double, Int)] = []
                scored.reserveCapacity(n - 1)
                for j in 0..<n where j != i {
                    var dot = 0.0
                    for c in 0..<f { dot += u[i * f + c] * u[j * f + c] }
                    scored.append((dot, j))
                }
                scored.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
                return Set(scored.prefix(k).map(\.1))
            }
            return Double(nearest(ua).intersection(nearest(ub)).count) / Double(k)
        }
        var generator = SeededGenerator(seed: 2026)
        var x: [Double] = []
        var y: [Double] = []
        for _ in 0..<2000 {
            let i = generator.nextIndex(n)
            var j = generator.nextIndex(n - 1)
            if j >= i { j += 1 }
            x.append((0..<f).reduce(0.0) { $0 + ua[i * f + $1] * ua[j * f + $1] })
            y.append((0..<f).reduce(0.0) { $0 + ub[i * f + $1] * ub[j * f + $1] })
        }
        let normsA = (0..<n).map { r in a.row(r).reduce(0) { $0 + $1 * $1 }.squareRoot() }
        let normsB = (0..<n).map { r in b.row(r).reduce(0) { $0 + $1 * $1 }.squareRoot() }
        return RetrainStatistics(
            neighbourOverlap: overlaps.reduce(0, +) / Double(n),
            similarityCorrelation: pearson(x, y),
            normsD: try UnivariateTests.kolmogorovSmirnov(normsA, normsB).statistic
        )
    }

    /// Adds the prediction views: both models' predicted ratings for every shared user on 50 seeded shared items.
    static func withPredictions(_ s: RetrainStatistics, _ old: EMFModel, _ new: EMFModel) -> RetrainStatistics {
        var items: [(Int, Int)] = []
        for i in 0..<old.items.count {
            if let j = new.items.denseIndex(of: old.items[i]) { items.append((i, Int(j))) }
        }
        var generator = SeededGenerator(seed: 50)
        let chosen = (0..<min(50, items.count)).map { _ in items[generator.nextIndex(items.count)] }
        var x: [Double] = []
        var y: [Double] = []
        var px: [Double] = []
        var py: [Double] = []
        let f = old.hyperparameters.factors
        func dot(_ m: EMFModel, _ u: Int, _ i: Int) -> Double {
            (0..<f).reduce(0.0) { $0 + Double(m.userFactors[u * f + $1]) * Double(m.itemFactors[i * f + $1]) }
        }
        var turned = 0
        var users = 0
        for u in 0..<old.users.count {
            guard let v = new.users.denseIndex(of: old.users[u]) else { continue }
            let a = chosen.map { Double(old.predict(user: u, item: $0.0)) }
            let b = chosen.map { Double(new.predict(user: Int(v), item: $0.1)) }
            x += a
            y += b
            px += chosen.map { dot(old, u, $0.0) }
            py += chosen.map { dot(new, Int(v), $0.1) }
            users += 1
            if pearson(a, b) < 0.5 { turned += 1 }
        }
        var out = s
        out.predictionCorrelation = pearson(x, y)
        out.interactionCorrelation = pearson(px, py)
        out.usersTurned = users > 0 ? Double(turned) / Double(users) : 0
        return out
    }

    /// Compares `new` with `old` against the seed-to-seed band: `old`'s own training ratings retrained with its
    /// hyperparameters and each of `seeds`. Drift when the correlation of the two models' predicted ratings is
    /// lower than the lowest seed-to-seed value by more than `tolerance`, or when the share of items that moved
    /// beyond the seed-to-seed 99th percentile exceeds the seeds' own share by more than `tolerance`.
    public static func compare(
        old: EMFModel,
        new: EMFModel,
        seeds: [UInt64] = [1_001, 1_002],
        tolerance: Double = 0.05
    ) throws(DriftError) -> RetrainCheck {
        guard !seeds.isEmpty else { throw .invalidOption("the retrain check needs at least one calibration seed") }
        // One Procrustes alignment per pair of models gives both the shared items' factors (the statistics are
        // rotation-invariant, so the aligned ones serve) and how far each item moved.
        let pair = try LatentDrift.procrustes(old: old, new: new)
        var observed = withPredictions(try statistics(pair.old, pair.aligned), old, new)
        let data = trainingData(of: old)
        var noise: [RetrainStatistics] = []
        var noiseDistances: [[Double]] = []
        for seed in seeds {
            var h = old.hyperparameters
            h.seed = seed
            let retrained: EMFModel
            do {
                retrained = try EMFTrainer(hyperparameters: h).train(data)
            } catch {
                throw .invalidOption("retraining the old model's data for calibration failed: \(error)")
            }
            let seedPair = try LatentDrift.procrustes(old: old, new: retrained)
            noise.append(withPredictions(try statistics(seedPair.old, seedPair.aligned), old, retrained))
            noiseDistances.append(seedPair.moved.map(\.distance))
        }
        // Item movement beyond what retraining alone moves an item.
        let pooled = noiseDistances.flatMap { $0 }.sorted()
        if !pooled.isEmpty {
            let q99 = Histogram.quantile(sorted: pooled, 99, of: 100)
            func share(_ d: [Double]) -> Double { Double(d.filter { $0 > q99 }.count) / Double(max(d.count, 1)) }
            observed.itemsMoved = share(pair.moved.map(\.distance))
            for k in noise.indices { noise[k].itemsMoved = share(noiseDistances[k]) }
        }
        // The verdict rests on predictions (rotation-invariant and what users see) and on how many items moved
        // further than retraining moves them; neighbour overlap and pair similarity of item factors vary too much
        // from seed to seed on sparse data to decide, and are diagnostics.
        var beyond: [String] = []
        if observed.predictionCorrelation < (noise.map(\.predictionCorrelation).min() ?? 1) - tolerance {
            beyond.append("prediction_correlation")
        }
        if observed.itemsMoved > (noise.map(\.itemsMoved).max() ?? 0) + tolerance {
            beyond.append("items_moved")
        }
        return RetrainCheck(
            observed: observed,
            seedNoise: noise,
            tolerance: tolerance,
            beyondNoise: beyond,
            drifted: !beyond.isEmpty
        )
    }

    /// The ratings a model was trained on, as data to train on again.
    static func trainingData(of model: EMFModel) -> RatingsData {
        var ratings: [Rating] = []
        ratings.reserveCapacity(model.training.userItems.count)
        for u in 0..<model.training.userCount {
            for k in model.training.userOffsets[u]..<model.training.userOffsets[u + 1] {
                ratings.append(
                    Rating(user: Int32(u), item: model.training.userItems[k], value: model.training.userValues[k])
                )
            }
        }
        return RatingsData(users: model.users, items: model.items, ratings: ratings)
    }

    static func unitRows(_ m: SampleMatrix) -> [Double] {
        var out = m.values
        for r in 0..<m.rows {
            let norm = (0..<m.cols).reduce(0.0) { $0 + out[r * m.cols + $1] * out[r * m.cols + $1] }.squareRoot()
            if norm > 0 { for c in 0..<m.cols { out[r * m.cols + c] /= norm } }
        }
        return out
    }

    static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        let mx = x.reduce(0, +) / Double(x.count)
        let my = y.reduce(0, +) / Double(y.count)
        var sxy = 0.0
        var sxx = 0.0
        var syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0
    }

    enum CodingKeys: String, CodingKey {
        case observed, tolerance, drifted
        case seedNoise = "seed_noise"
        case beyondNoise = "beyond_noise"
    }
}
