import Foundation
import LumenNumerics
import LumenTestSupport
import Testing

@testable import LumenRecs

@Suite("Neighbourhoods and explainability weights")
struct NeighborhoodTests {
    @Test(
        "top-k neighbours match numpy for cosine and Pearson, on the dense BLAS and the sparse path",
        arguments: [
            (Similarity.cosine, UserNeighborhood.Method.dense), (.cosine, .sparse), (.cosine, .automatic),
            (.pearson, .dense), (.pearson, .sparse),
        ]
    )
    func neighborsMatchReference(similarity: Similarity, method: UserNeighborhood.Method) throws {
        let data = try RecsFixture.train()
        let matrix = RatingMatrix(ratings: data.ratings, users: data.users.count, items: data.items.count)
        let k = RecsFixture.reference["k"] as! Int
        let result = try UserNeighborhood.compute(
            matrix,
            k: k,
            similarity: similarity,
            method: method
        )
        let expected = RecsFixture.reference["neighbours_\(similarity.rawValue)"] as! [String: [[Any]]]
        for u in 0..<data.users.count {
            let ours = result.of(u)
            let theirs = expected[data.users[u]]!
            #expect(ours.map { data.users[$0.user] } == theirs.map { $0[0] as! String }, "user \(data.users[u])")
            for (a, b) in zip(ours, theirs) { #expect(abs(Double(a.similarity) - (b[1] as! Double)) < 1e-5) }
        }
    }

    @Test(
        "W (share and expected rating) matches numpy for every pair",
        arguments: [ExplainabilityKind.share, .expectedRating]
    )
    func weightsMatchReference(kind: ExplainabilityKind) throws {
        let data = try RecsFixture.train()
        let matrix = RatingMatrix(ratings: data.ratings, users: data.users.count, items: data.items.count)
        let k = RecsFixture.reference["k"] as! Int
        let neighborhood = try UserNeighborhood.compute(matrix, k: k, similarity: .cosine)
        let expected = RecsFixture.reference[kind == .share ? "w_share" : "w_expected"] as! [String: Double]
        let rule = Explainability(kind: kind, threshold: 0, maxRating: data.ratingRange.max)
        var scratch = [Float](repeating: 0, count: data.items.count)
        var counts = scratch
        var seen = 0
        for u in 0..<data.users.count {
            let row = rule.row(
                user: u,
                neighborhood: neighborhood,
                ratings: matrix,
                scratch: &scratch,
                counts: &counts
            )
            for (item, w) in row {
                let want = try #require(expected["\(data.users[u])|\(data.items[Int(item)])"])
                #expect(abs(Double(w) - want) < 1e-6)
                #expect(w == rule.weight(user: u, item: item, neighborhood: neighborhood, ratings: matrix))
                seen += 1
            }
        }
        #expect(seen == expected.count)
    }

    @Test(
        "the sparse path gives the same neighbours for any worker count",
        arguments: [Similarity.cosine, .pearson]
    )
    func sparseIndependentOfWorkers(similarity: Similarity) throws {
        let data = try SyntheticRatings(users: 150, items: 90, ratingsPerUser: 14, seed: 13).generate()
        let matrix = RatingMatrix(ratings: data.ratings, users: data.users.count, items: data.items.count)
        func run(_ workers: Int) throws -> ([Int32], [Float]) {
            let n = try Parallel.withWorkers(workers) {
                try UserNeighborhood.compute(matrix, k: 7, similarity: similarity, denseLimit: 0)
            }
            return (n.neighbors, n.similarities)
        }
        let one = try run(1)
        #expect(one.0.contains { $0 >= 0 })
        for workers in [2, 3, 7, 64] {
            let other = try run(workers)
            #expect(other.0 == one.0 && other.1 == one.1, "\(workers) workers differ from one")
        }
    }

    @Test("the threshold θ zeroes weights at or below it")
    func thresholdApplies() {
        let rule = Explainability(kind: .share, threshold: 0.2, maxRating: 5)
        #expect(rule.apply(count: 2, sum: 8, k: 10) == 0)
        #expect(rule.apply(count: 3, sum: 12, k: 10) == 0.3)
    }
}

@Suite("Item-based explanations")
struct ItemBasisTests {
    @Test("item neighbourhoods and item-basis W match numpy")
    func itemBasisMatchesReference() throws {
        let data = try RecsFixture.train()
        let matrix = RatingMatrix(ratings: data.ratings, users: data.users.count, items: data.items.count)
        let k = RecsFixture.reference["k"] as! Int
        let neighborhood = try UserNeighborhood.compute(matrix, k: k, similarity: .cosine, basis: .items)
        let expected = RecsFixture.reference["neighbours_items"] as! [String: [[Any]]]
        for i in 0..<data.items.count {
            // Same neighbours with the same similarities (near-equal similarities may swap places).
            let ours = Dictionary(
                uniqueKeysWithValues: neighborhood.of(i).map { (data.items[$0.user], Double($0.similarity)) }
            )
            let theirs = Dictionary(
                uniqueKeysWithValues: expected[data.items[i]]!.map { ($0[0] as! String, $0[1] as! Double) }
            )
            #expect(Set(ours.keys) == Set(theirs.keys), "item \(data.items[i])")
            for (id, s) in theirs { #expect(abs((ours[id] ?? -1) - s) < 1e-5) }
        }
        let weights = RecsFixture.reference["w_items_share"] as! [String: Double]
        let rule = Explainability(kind: .share, threshold: 0, maxRating: 5)
        var scratch = [Float](repeating: 0, count: data.items.count)
        var counts = scratch
        var seen = 0
        for u in 0..<data.users.count {
            for (item, w) in rule.row(
                user: u,
                neighborhood: neighborhood,
                ratings: matrix,
                scratch: &scratch,
                counts: &counts
            ) {
                #expect(abs(Double(w) - weights["\(data.users[u])|\(data.items[Int(item)])"]!) < 1e-6)
                #expect(w == rule.weight(user: u, item: item, neighborhood: neighborhood, ratings: matrix))
                seen += 1
            }
        }
        #expect(seen == weights.count)
    }

    @Test("an item-basis model explains with the similar items the user rated, and survives a save")
    func itemBasisModel() throws {
        var h = EMFHyperparameters()
        h.epochs = 4
        h.neighbors = 5
        h.basis = .items
        let model = try EMFTrainer(hyperparameters: h).train(RecsFixture.train())
        let u = try model.user("u2")
        let e = model.recommend(user: u, n: 5, explainableOnly: true)[0].explanation
        #expect(e.basis == .items && !e.neighbors.isEmpty)
        #expect(e.sentence.hasPrefix("You rated \(e.neighbors.count) of the 5 items most similar to it"))
        for n in e.neighbors { #expect(model.training.rating(user: u, item: Int32(try model.item(n.id))) == n.rating) }
        let url = try LumenTestSupport.Fixtures.temporaryDirectory().appendingPathComponent("items.safetensors")
        try EMFModelFile.save(model, to: url, lumenVersion: "test")
        let loaded = try EMFModelFile.load(url)
        #expect(loaded.hyperparameters.basis == .items)
        #expect(loaded.explain(user: u, item: 7) == model.explain(user: u, item: 7))
    }
}
