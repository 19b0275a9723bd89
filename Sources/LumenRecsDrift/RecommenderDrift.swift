import LumenDrift
import LumenNumerics
import LumenRecs

/// Drift of an EMF recommender's latent factors: the EMF side (fold-in, shared items, retrains)
/// of LumenDrift's matrix-level `LatentDrift` and `RetrainCheck`. Factors are only defined up to
/// rotation, so two separately trained models are never compared dimension by dimension.
public enum RecommenderDrift {
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
            let rated = model.trainingRatings(ofUser: u)
            guard !rated.isEmpty else { continue }
            let p = model.foldIn(ratings: rated, regularization: regularization)
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
            let p = model.foldIn(ratings: byUser[user]!, regularization: regularization)
            currentFactors += p.prefix(f)
            let id = current.users[Int(user)]
            if let before = trainUsers[id] {
                let distance = zip(p, before).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
                moved.append(MovedEntity(id: id, distance: distance))
            }
        }
        let a = try SampleMatrix(rows: reference.count / f, cols: f, values: reference)
        let b = try SampleMatrix(rows: currentFactors.count / f, cols: f, values: currentFactors)
        return try LatentDrift.report(kind: .users, a, b, test: test, moved: moved)
    }

    /// Item drift across a retrain: the new model's item factors aligned to the old ones by
    /// orthogonal Procrustes on the items both know, compared as diagnostics (which items moved,
    /// which dimensions). Two trainings of the same data with different seeds are not rotations of
    /// each other, so the verdict comes from `retrainCheck` (predictions of both models against
    /// retrains of the old data with `calibrationSeeds`); with no seeds, from the aligned MMD test.
    public static func items(
        old: EMFModel,
        new: EMFModel,
        test: MultivariateDrift = MultivariateDrift(),
        calibrationSeeds: [UInt64] = [1_001, 1_002]
    ) throws(DriftError) -> LatentDriftReport {
        let pair = try sharedItems(old: old, new: new)
        var report = try LatentDrift.report(kind: .items, pair.old, pair.aligned, test: test, moved: pair.moved)
        if !calibrationSeeds.isEmpty {
            let check = try retrainCheck(old: old, new: new, seeds: calibrationSeeds)
            report.retrain = check
            report.drifted = check.drifted
        }
        return report
    }

    /// The items both models know: the old model's factors, the new model's rotated onto them,
    /// and how far each item lies from its old position after the rotation.
    static func sharedItems(
        old: EMFModel,
        new: EMFModel
    ) throws(DriftError) -> (old: SampleMatrix, aligned: SampleMatrix, moved: [MovedEntity]) {
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
        let reference = try SampleMatrix(rows: ids.count, cols: f, values: b)
        let (aligned, moved) = try LatentDrift.align(
            try SampleMatrix(rows: ids.count, cols: f, values: a),
            onto: reference,
            ids: ids
        )
        return (reference, aligned, moved)
    }

    /// Compares `new` with `old` against the seed-to-seed band: `old`'s own training ratings
    /// retrained with its hyperparameters and each of `seeds` (see `RetrainCheck.decide`).
    public static func retrainCheck(
        old: EMFModel,
        new: EMFModel,
        seeds: [UInt64] = [1_001, 1_002],
        tolerance: Double = 0.05
    ) throws(DriftError) -> RetrainCheck {
        guard !seeds.isEmpty else { throw .invalidOption("the retrain check needs at least one calibration seed") }
        // One alignment per pair of models gives both the shared items' factors (the statistics are
        // rotation-invariant, so the aligned ones serve) and how far each item moved.
        let pair = try sharedItems(old: old, new: new)
        let observed = withPredictions(try RetrainCheck.statistics(pair.old, pair.aligned), old, new)
        let data = old.trainingData
        var noise: [RetrainStatistics] = []
        var noiseDistances: [[Double]] = []
        for seed in seeds {
            var h = old.hyperparameters
            h.seed = seed
            let retrained: EMFModel
            do {
                retrained = try EMFTrainer(hyperparameters: h).train(data)
            } catch {
                throw .calibrationFailed("\(error)")
            }
            let seedPair = try sharedItems(old: old, new: retrained)
            noise.append(withPredictions(try RetrainCheck.statistics(seedPair.old, seedPair.aligned), old, retrained))
            noiseDistances.append(seedPair.moved.map(\.distance))
        }
        return try RetrainCheck.decide(
            observed: observed,
            moved: pair.moved.map(\.distance),
            seedNoise: noise,
            seedMoved: noiseDistances,
            tolerance: tolerance
        )
    }

    /// Adds the prediction views: both models' predicted ratings for every shared user on 50
    /// seeded shared items.
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
            if RetrainCheck.pearson(a, b) < 0.5 { turned += 1 }
        }
        var out = s
        out.predictionCorrelation = RetrainCheck.pearson(x, y)
        out.interactionCorrelation = RetrainCheck.pearson(px, py)
        out.usersTurned = users > 0 ? Double(turned) / Double(users) : 0
        return out
    }
}
