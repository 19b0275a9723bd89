import Foundation
import LumenIO
import LumenTestSupport

@testable import LumenRecs

/// The numpy reference in fixtures/recs (scripts/make-recs-fixtures.py).
enum RecsFixture {
    nonisolated(unsafe) static let reference: [String: Any] = {
        let data = try! Data(contentsOf: Fixtures.url("recs/reference.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    static func train() throws -> RatingsData {
        try RatingsLoader.load(ratings: Fixtures.url("recs/train.tsv"))
    }

    /// Test ratings mapped onto the training data's dense ids.
    static func test(_ train: RatingsData) throws -> [Rating] {
        let raw = try RatingsLoader.load(ratings: Fixtures.url("recs/test.tsv"))
        return raw.ratings.map { r in
            Rating(
                user: train.users.denseIndex(of: raw.users[Int(r.user)])!,
                item: train.items.denseIndex(of: raw.items[Int(r.item)])!,
                value: r.value
            )
        }
    }

    /// A model with the fixture's fixed factors and Lumen's own neighbourhood.
    static func fixedModel() throws -> (EMFModel, [Rating]) {
        let data = try train()
        var h = EMFHyperparameters()
        h.rankBlend = 0
        h.factors = 6
        h.neighbors = reference["k"] as! Int
        let matrix = RatingMatrix(ratings: data.ratings, users: data.users.count, items: data.items.count)
        let neighborhood = try UserNeighborhood.compute(matrix, k: h.neighbors, similarity: .cosine)
        let model = EMFModel(
            hyperparameters: h,
            users: data.users,
            items: data.items,
            titles: data.titles,
            userFactors: try Fixtures.tensor("recs/factors_P.npy").values,
            itemFactors: try Fixtures.tensor("recs/factors_Q.npy").values,
            userBias: try Fixtures.tensor("recs/factors_bu.npy").values,
            itemBias: try Fixtures.tensor("recs/factors_bi.npy").values,
            globalMean: Float(reference["global_mean"] as! Double),
            ratingRange: data.ratingRange,
            neighborhood: neighborhood,
            training: matrix,
            fingerprint: data.fingerprint,
            metrics: [:],
            createdAt: "test"
        )
        return (model, try test(data))
    }
}
