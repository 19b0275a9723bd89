import ArgumentParser
import Foundation
import LumenRecs

/// `lumen-bench recs`: neighbourhoods + training, explanations and top-n lists.
struct RecsBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recs",
        abstract:
            "Time EMF and explainable ranking on MovieLens-100k and at scale, next to surprise, implicit ALS and cornac in the same run."
    )

    /// The parts of the benchmark, run in this order.
    enum Section: String, CaseIterable, ExpressibleByArgument {
        case emf, ranking, `import`
        case emfScale = "emf-scale"
        case rankingScale = "ranking-scale"
    }

    @Option(
        parsing: .upToNextOption,
        help: "Sections to run: emf, ranking, import, emf-scale, ranking-scale (default: all)."
    )
    var only: [Section] = Section.allCases

    @Option(help: "Users, items and interactions per user of the ranking scale run (ML-25M's shape).")
    var rankingScale: [Int] = [162_000, 59_000, 154]

    @Option(help: "Epochs of the ranking scale run.")
    var rankingScaleEpochs = 60

    @Option(help: "Users, items, factors and interactions per user of the import run.")
    var importShape: [Int] = [1_000_000, 50_000, 64, 5]

    @Option(help: "MovieLens-100k ratings (fetch with scripts/fetch-movielens).")
    var movielens = "data/ml-100k/ml-100k.inter"

    @Option(help: "Synthetic ratings for the scale run (users × ratings per user).")
    var scaleUsers = 70_000

    @Option(help: "Ratings per synthetic user.")
    var scalePerUser = 143

    @Option(help: "Items in the synthetic catalogue.")
    var scaleItems = 10_000

    @Flag(help: "Skip the Python peers.")
    var noPeer = false

    @Option(help: "Pairs given the explainability term: both, observed or unrated (as in lumen recs train).")
    var pairs = "both"

    func run() throws {
        var h = EMFHyperparameters()
        h.factors = 80
        h.epochs = 10
        h.observedPairs = pairs != "unrated"
        h.unratedExplainablePairs = pairs != "observed"
        let ranking = RecsRankingBenchmark(movielens: movielens, runPeers: !noPeer)
        if only.contains(.emf) { try emf(h) }
        if only.contains(.ranking) { try ranking.compareOnSplit() }
        if only.contains(.import) {
            guard importShape.count == 4 else {
                throw ValidationError("--import-shape takes users items factors per-user")
            }
            try ranking.importFactors(
                users: importShape[0],
                items: importShape[1],
                factors: importShape[2],
                perUser: importShape[3]
            )
        }
        if only.contains(.rankingScale) {
            guard rankingScale.count == 3 else { throw ValidationError("--ranking-scale takes users items per-user") }
            try ranking.scale(
                users: rankingScale[0],
                items: rankingScale[1],
                perUser: rankingScale[2],
                epochs: rankingScaleEpochs
            )
        }
        if only.contains(.emfScale) { try emfScale(h) }
    }

    func emf(_ h: EMFHyperparameters) throws {
        if FileManager.default.fileExists(atPath: movielens) {
            let data = try RatingsLoader.load(ratings: URL(fileURLWithPath: movielens))
            let model = try timeTraining("MovieLens-100k (100 000 ratings)", data: data, hyperparameters: h)
            try Self.timeQueries(model)
            if !noPeer,
                let peer = PythonPeer.run(script: "scripts/bench-recs-peer.py", arguments: ["--ratings", movielens])
            {
                for key in peer.keys.sorted() where key != "peer" {
                    print("  peer \(key): \(String(format: "%.3f", peer[key] as? Double ?? .nan)) s")
                }
                if let name = peer["peer"] as? String { print("  peer: \(name)") }
            }
        } else {
            print("MovieLens-100k not found at \(movielens): run scripts/fetch-movielens (skipped)")
        }
    }

    func emfScale(_ h: EMFHyperparameters) throws {
        do {
            let started = Date()
            let data = try SyntheticRatings(users: scaleUsers, items: scaleItems, ratingsPerUser: scalePerUser, seed: 1)
                .generate()
            print(
                String(
                    format: "\ngenerated %d synthetic ratings in %.1f s",
                    data.ratings.count,
                    Date().timeIntervalSince(started)
                )
            )
            let model = try timeTraining(
                "synthetic (\(data.ratings.count) ratings, \(scaleUsers) users, \(scaleItems) items)",
                data: data,
                hyperparameters: h
            )
            try Self.timeQueries(model)
        }
    }

    func timeTraining(_ label: String, data: RatingsData, hyperparameters h: EMFHyperparameters) throws -> EMFModel {
        print("\(label): neighbourhoods (k = \(h.neighbors)) + \(h.epochs) epochs, \(h.factors) factors")
        let matrix = RatingMatrix(ratings: data.ratings, users: data.users.count, items: data.items.count)
        let neighborStart = Date()
        _ = try UserNeighborhood.compute(matrix, k: h.neighbors, similarity: h.similarity)
        let neighborSeconds = Date().timeIntervalSince(neighborStart)
        let started = Date()
        var epochs: [Double] = []
        let model = try EMFTrainer(hyperparameters: h).train(data) { epochs.append($0.seconds) }
        let total = Date().timeIntervalSince(started)
        print(
            String(
                format: "  total %.3f s (neighbourhoods %.3f s, SGD %.3f s, %.4f s per epoch)",
                total,
                neighborSeconds,
                epochs.reduce(0, +),
                epochs.reduce(0, +) / Double(max(epochs.count, 1))
            )
        )
        return model
    }

    static func timeQueries(_ model: EMFModel) throws {
        let users = model.users.count
        let items = model.items.count
        var k = 0
        let explain = Stopwatch.measure(warmup: 100, runs: 2000, budget: 2) {
            _ = model.explain(user: k % users, item: (k * 7919) % items)
            k += 1
        }
        let top = Stopwatch.measure(warmup: 5, runs: 200, budget: 2) {
            _ = model.recommend(user: k % users, n: 10)
            k += 1
        }
        let allUsersStart = Date()
        let sample = min(users, 5000)
        for u in 0..<sample { _ = model.recommend(user: u, n: 10) }
        let allSeconds = Date().timeIntervalSince(allUsersStart) * Double(users) / Double(sample)
        print(
            String(
                format:
                    "  explain one pair %.1f µs; top-10 with rationales for one user over %d items %.3f ms; all %d users' top-10 with rationales %.2f s%@",
                explain.median * 1000,
                items,
                top.median,
                users,
                allSeconds,
                sample < users ? " (extrapolated from \(sample))" as NSString : "" as NSString
            )
        )
    }
}
