import LumenDrift
import LumenNumerics
import LumenRecs
import Testing

@testable import LumenRecsDrift

@Suite("Latent-factor drift")
struct LatentDriftTests {
    /// 400 users in 8 taste segments; each user's ratings alternate between the training half and
    /// the "production" half, so both halves have the same number of ratings per user.
    static let halves: (train: RatingsData, current: RatingsData, model: EMFModel) = {
        let data = try! SyntheticRatings(users: 400, items: 200, ratingsPerUser: 60, segments: 8, seed: 5).generate()
        var train: [Rating] = []
        var current: [Rating] = []
        for (k, r) in data.ratings.enumerated() { if k % 2 == 0 { train.append(r) } else { current.append(r) } }
        var h = EMFHyperparameters()
        h.factors = 8
        h.epochs = 15
        let model = try! EMFTrainer(hyperparameters: h).train(data.with(ratings: train))
        return (data.with(ratings: train), data.with(ratings: current), model)
    }()

    @Test("production users behaving like the training users raise no alarm")
    func noUserDrift() throws {
        let report = try RecommenderDrift.users(Self.halves.model, current: Self.halves.current)
        #expect(!report.drifted, "MMD p = \(report.multivariate.mmd?.pValue ?? -1)")
        #expect(report.currentCount == 400)
    }

    @Test("a segment of users whose taste turned is flagged, and they are the ones that moved most")
    func shiftedSegmentIsFlagged() throws {
        // Users of segment 0 now rate the same items the other way round (r → 6 − r).
        let current = Self.halves.current
        let shifted = current.ratings.map { r in
            r.user % 8 == 0 ? Rating(user: r.user, item: r.item, value: 6 - r.value) : r
        }
        let report = try RecommenderDrift.users(Self.halves.model, current: current.with(ratings: shifted))
        #expect(report.drifted, "MMD p = \(report.multivariate.mmd?.pValue ?? -1)")
        let segmentZero = report.movedMost.prefix(10).filter { Int($0.id.dropFirst())! % 8 == 0 }.count
        #expect(segmentZero >= 8, "\(report.movedMost.prefix(10).map { "\($0.id) \($0.distance)" })")
    }

    /// The same model expressed in a rotated basis: P R and Q R predict exactly the same ratings.
    static func rotated(_ model: EMFModel, seed: UInt64) throws -> EMFModel {
        let f = model.hyperparameters.factors
        var g = SeededGenerator(seed: seed)
        let random = (0..<(f * f)).map { _ in g.nextGaussian() }
        let rotation = try DenseSVD.procrustesRotation(
            from: random,
            to: [Double](repeating: 0, count: f * f).enumerated().map { $0.offset % (f + 1) == 0 ? 1 : 0 },
            rows: f,
            n: f
        )
        func apply(_ x: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: x.count)
            for r in 0..<(x.count / f) {
                for j in 0..<f {
                    out[r * f + j] = Float((0..<f).reduce(0.0) { $0 + Double(x[r * f + $1]) * rotation[$1 * f + j] })
                }
            }
            return out
        }
        var copy = model
        copy.userFactors = apply(model.userFactors)
        copy.itemFactors = apply(model.itemFactors)
        return copy
    }

    @Test("a rotated retrain with no real change is not flagged, although raw dimensions all differ")
    func rotatedRetrainIsNotFlagged() throws {
        let old = Self.halves.model
        let new = try Self.rotated(old, seed: 3)
        // Predictions are unchanged by the rotation.
        #expect(abs(old.predict(user: 5, item: 9) - new.predict(user: 5, item: 9)) < 1e-4)
        let report = try RecommenderDrift.items(old: old, new: new)
        #expect(!report.drifted && !report.norms.drifted && !report.pairwiseSimilarity.drifted)
        #expect(report.movedMost.allSatisfy { $0.distance < 1e-4 })
        // Comparing dimension by dimension without alignment would have raised an alarm.
        let f = old.hyperparameters.factors
        let raw = try MultivariateDrift(mmd: nil, classifier: nil).compare(
            SampleMatrix(rows: old.items.count, cols: f, values: old.itemFactors.map(Double.init)),
            SampleMatrix(rows: new.items.count, cols: f, values: new.itemFactors.map(Double.init))
        )
        #expect(raw.driftedShare > 0.2)
    }

    @Test("items whose factors really changed are flagged and named")
    func changedItemsAreFlagged() throws {
        let old = Self.halves.model
        var new = try Self.rotated(old, seed: 4)
        let f = old.hyperparameters.factors
        for i in 0..<60 { for k in 0..<f { new.itemFactors[i * f + k] = -new.itemFactors[i * f + k] * 2 + 0.5 } }
        let report = try RecommenderDrift.items(old: old, new: new)
        #expect(report.drifted)
        #expect(report.movedMost.prefix(10).allSatisfy { Int($0.id.dropFirst())! < 60 })
    }
}
