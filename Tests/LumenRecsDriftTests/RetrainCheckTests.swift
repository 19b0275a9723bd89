import LumenDrift
import LumenNumerics
import LumenRecs
import Testing

@testable import LumenRecsDrift

/// The retrain check on ML-100k-shaped synthetic data (taste segments, 5-star ratings): a retrain of the same data
/// with another seed must pass, a retrain after a fifth of the users turned their taste round must not.
@Suite("Retrain check")
struct RetrainCheckTests {
    static let data = try! SyntheticRatings(users: 500, items: 300, ratingsPerUser: 40, segments: 8, seed: 12)
        .generate()

    static func train(_ data: RatingsData, seed: UInt64) throws -> EMFModel {
        var h = EMFHyperparameters()
        h.factors = 10
        h.epochs = 15
        h.seed = seed
        return try EMFTrainer(hyperparameters: h).train(data)
    }

    static let old = try! train(data, seed: 1)

    @Test("a retrain of the same data with another seed stays inside the seed-to-seed band")
    func sameDataRetrainPasses() throws {
        let new = try Self.train(Self.data, seed: 77)
        let check = try RecommenderDrift.retrainCheck(old: Self.old, new: new)
        print("same data: observed \(check.observed), noise \(check.seedNoise)")
        #expect(!check.drifted, "\(check.beyondNoise)")
        // Aligned dimension by dimension, the two models still look unlike (the MMD test alone flags them); the
        // report's verdict is the retrain check's.
        let report = try RecommenderDrift.items(old: Self.old, new: new)
        print("same data, Procrustes + MMD alone: drifted \(report.multivariate.drifted)")
        #expect(!report.drifted && report.retrain == check)
    }

    @Test("a retrain after a fifth of the users turned their taste round leaves the band")
    func flippedSegmentFails() throws {
        let flipped = Self.data.ratings.map { r in
            r.user % 5 == 0 ? Rating(user: r.user, item: r.item, value: 6 - r.value, timestamp: r.timestamp) : r
        }
        let new = try Self.train(Self.data.with(ratings: flipped), seed: 77)
        let check = try RecommenderDrift.retrainCheck(old: Self.old, new: new)
        print("flipped: observed \(check.observed), noise \(check.seedNoise)")
        #expect(check.drifted && check.beyondNoise.contains("prediction_correlation"))
    }
}
