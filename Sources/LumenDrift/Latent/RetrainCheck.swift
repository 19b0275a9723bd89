import LumenNumerics

/// Rotation-invariant comparison of two models' item factors on the items both know: nothing here changes if either
/// model's factors are rotated, so two trainings of the same data with different seeds can be told apart from a
/// model that learned something else.
public struct RetrainStatistics: Sendable, Codable, Equatable {
    /// Mean share of each item's 10 nearest neighbours (cosine) that the two models agree on.
    public let neighborOverlap: Double
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

    public init(neighborOverlap: Double, similarityCorrelation: Double, normsD: Double) {
        self.neighborOverlap = neighborOverlap
        self.similarityCorrelation = similarityCorrelation
        self.normsD = normsD
    }

    enum CodingKeys: String, CodingKey {
        case predictionCorrelation = "prediction_correlation"
        case interactionCorrelation = "interaction_correlation"
        case itemsMoved = "items_moved"
        case usersTurned = "users_turned"
        case neighborOverlap = "neighbour_overlap"
        case similarityCorrelation = "similarity_correlation"
        case normsD = "norms_d"
    }
}

/// The verdict of `lumen drift latent --old-model --new-model`: the new model against the old one, beside the same
/// statistics between the old model and retrains of the old model's own training ratings with other seeds (what a
/// retrain changes when nothing changed). LumenRecsDrift computes the statistics from EMF models.
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
        neighbors k: Int = 10
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
            neighborOverlap: overlaps.reduce(0, +) / Double(n),
            similarityCorrelation: pearson(x, y),
            normsD: try UnivariateTests.kolmogorovSmirnov(normsA, normsB).statistic
        )
    }

    public init(
        observed: RetrainStatistics,
        seedNoise: [RetrainStatistics],
        tolerance: Double,
        beyondNoise: [String],
        drifted: Bool
    ) {
        self.observed = observed
        self.seedNoise = seedNoise
        self.tolerance = tolerance
        self.beyondNoise = beyondNoise
        self.drifted = drifted
    }

    /// The verdict from the statistics of the new model (`observed`, with `moved`: each shared
    /// item's distance from its old position after alignment) and of each calibration retrain
    /// (`seedNoise`, `seedMoved`). Drift when the correlation of the two models' predicted ratings
    /// is lower than the lowest seed-to-seed value by more than `tolerance`, or when the share of
    /// items that moved beyond the seed-to-seed 99th percentile exceeds the seeds' own share by
    /// more than `tolerance`.
    public static func decide(
        observed: RetrainStatistics,
        moved: [Double],
        seedNoise: [RetrainStatistics],
        seedMoved: [[Double]],
        tolerance: Double = 0.05
    ) throws(DriftError) -> RetrainCheck {
        guard !seedNoise.isEmpty, seedNoise.count == seedMoved.count else {
            throw .invalidOption("the retrain check needs at least one calibration seed")
        }
        var observed = observed
        var noise = seedNoise
        // Item movement beyond what retraining alone moves an item.
        let pooled = seedMoved.flatMap { $0 }.sorted()
        if !pooled.isEmpty {
            let q99 = Histogram.quantile(sorted: pooled, 99, of: 100)
            func share(_ d: [Double]) -> Double { Double(d.filter { $0 > q99 }.count) / Double(max(d.count, 1)) }
            observed.itemsMoved = share(moved)
            for k in noise.indices { noise[k].itemsMoved = share(seedMoved[k]) }
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

    static func unitRows(_ m: SampleMatrix) -> [Double] {
        var out = m.values
        for r in 0..<m.rows {
            let norm = (0..<m.cols).reduce(0.0) { $0 + out[r * m.cols + $1] * out[r * m.cols + $1] }.squareRoot()
            if norm > 0 { for c in 0..<m.cols { out[r * m.cols + c] /= norm } }
        }
        return out
    }

    /// Pearson correlation of two equally long samples (0 when either is constant).
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
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
