import Foundation
import LumenIO
import LumenNumerics
import LumenRecs

/// The ranking half of `lumen-bench recs`: Lumen's BPR and explainable BPR against popularity,
/// implicit ALS and cornac BPR on one MovieLens split in the same run, the ML-25M-shaped scale run,
/// and importing a million users' factors.
struct RecsRankingBenchmark {
    /// Fits per model on the split; the table shows the fastest (this VM's timings swing 1.5×).
    static let repeats = 5

    /// MovieLens-100k ratings; the peer script writes its 80/20 split next to its lists.
    var movielens: String
    var runPeers: Bool

    /// Peers first (they write the split), then Lumen on the same train/test files; one table.
    func compareOnSplit() throws {
        guard FileManager.default.fileExists(atPath: movielens) else {
            print("MovieLens-100k not found at \(movielens): run scripts/fetch-movielens (ranking comparison skipped)")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-bench-split-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        print("\nRanking on one random 80/20 MovieLens-100k split (relevant = test rating ≥ 4), n = 10")
        var peers: [String: [String: Double]] = [:]
        if runPeers,
            let out = PythonPeer.run(
                script: "scripts/recs-ranking-peers.py",
                arguments: [
                    "--ratings", movielens, "--out", dir.path, "--models", "popularity,als,bpr",
                    "--repeats", String(Self.repeats),
                ]
            )
        {
            for (name, value) in out { peers[name] = value as? [String: Double] }
        }
        let trainURL = dir.appendingPathComponent("train.tsv")
        guard FileManager.default.fileExists(atPath: trainURL.path) else {
            print("  the peer script wrote no split (needs numpy, scipy, implicit, cornac): skipped")
            return
        }
        let train = try RatingsLoader.load(ratings: trainURL)
        var relaxed = RatingsOptions()
        relaxed.duplicates = .last
        let test = train.aligned(
            try RatingsLoader.load(ratings: dir.appendingPathComponent("test.tsv"), options: relaxed)
        )
        let evaluator = Evaluator(n: 10, relevanceThreshold: 4)
        var rows: [(name: String, precision: Double, ndcg: Double, mep: Double?, seconds: Double)] = []
        for (name, key) in [
            ("popularity (peer)", "popularity"), ("implicit ALS, defaults (peer)", "implicit_als"),
            ("cornac BPR, k 50, 200 it (peer)", "cornac_bpr"),
        ] {
            if let m = peers[key] {
                rows.append((name, m["precision"] ?? .nan, m["ndcg"] ?? .nan, m["mep"], m["train_s"] ?? .nan))
            }
        }
        for (name, objective) in [("Lumen BPR", TrainingObjective.bpr), ("Lumen EBPR λ 0.5", .ebpr)] {
            var seconds = Double.infinity
            var trained: EMFModel?
            for _ in 0..<Self.repeats {
                let started = Date()
                trained = try RankingTrainer(hyperparameters: .ranking(objective)).train(train)
                seconds = min(seconds, Date().timeIntervalSince(started))
            }
            guard let model = trained else { continue }
            let report = try evaluator.evaluate(model, test: test.ratings)
            rows.append((name, report.precision, report.ndcg, report.mep, seconds))
        }
        let als = peers["implicit_als"]?["train_s"]
        let bpr = peers["cornac_bpr"]?["train_s"]
        print("| model | P@10 | nDCG@10 | MEP@10 | train s | time ÷ implicit ALS | time ÷ cornac BPR |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for r in rows {
            func ratio(_ peer: Double?) -> String { peer.map { String(format: "%.2f×", r.seconds / $0) } ?? "—" }
            print(
                "| \(r.name) | \(String(format: "%.3f", r.precision)) | \(String(format: "%.3f", r.ndcg)) | "
                    + "\(r.mep.map { String(format: "%.3f", $0) } ?? "—") | \(String(format: "%.2f", r.seconds)) | "
                    + "\(ratio(als)) | \(ratio(bpr)) |"
            )
        }
        print("  train s: the fastest of \(Self.repeats) fits, for the peers and for Lumen")
        print(
            "  peers' MEP is the script's user-based share (k = 10); Lumen's is the model's own (item-based, k = 10); Lumen's time includes neighbourhoods"
        )
    }

    /// Neighbourhoods and EBPR training on ML-25M's shape, with the process's peak memory.
    func scale(users: Int, items: Int, perUser: Int, epochs: Int) throws {
        let generated = Date()
        let data = try SyntheticRatings(users: users, items: items, ratingsPerUser: perUser, seed: 3).generate()
        print(
            String(
                format: "\nEBPR scale run: %d interactions (%d users × %d items), generated in %.1f s",
                data.ratings.count,
                users,
                items,
                Date().timeIntervalSince(generated)
            )
        )
        var h = EMFHyperparameters.ranking(.ebpr)
        h.epochs = epochs
        var lap = Date()
        let matrix = RatingMatrix(ratings: data.ratings, users: users, items: items)
        let matrixSeconds = Date().timeIntervalSince(lap)
        lap = Date()
        _ = try UserNeighborhood.compute(matrix, k: h.neighbors, similarity: .cosine, basis: h.basis)
        print(
            String(
                format: "  on their own: rating matrix %.1f s, item neighbourhoods (k = %d) %.1f s",
                matrixSeconds,
                h.neighbors,
                Date().timeIntervalSince(lap)
            )
        )
        var epochSeconds: [Double] = []
        let started = Date()
        let model = try RankingTrainer(hyperparameters: h).train(data) { epochSeconds.append($0.seconds) }
        let total = Date().timeIntervalSince(started)
        let sgd = epochSeconds.reduce(0, +)
        print(
            String(
                format:
                    "  total %.1f s: neighbourhoods and explainability %.1f s, %d epochs of SGD %.1f s (%.2f s each, %.0f ns per triple); peak RSS %.2f GB",
                total,
                total - sgd,
                epochs,
                sgd,
                sgd / Double(max(epochs, 1)),
                sgd * 1e9 / Double(max(epochs, 1) * data.ratings.count),
                PeakMemory.gigabytes
            )
        )
        try RecsBenchmark.timeQueries(model)
    }

    /// Writes a million users' factors, ids and interactions as another system would, then times
    /// the `lumen recs import` path: read and check, neighbourhoods, save.
    func importFactors(users: Int, items: Int, factors: Int, perUser: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-bench-import-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SeededGenerator(seed: 11)
        func gaussian(_ count: Int) -> [Float] { (0..<count).map { _ in Float(g.nextGaussian()) * 0.1 } }
        let path = { (name: String) in dir.appendingPathComponent(name).path }
        try NPYWriter.write(
            try Tensor(shape: [users, factors], values: gaussian(users * factors)),
            to: URL(fileURLWithPath: path("P.npy"))
        )
        try NPYWriter.write(
            try Tensor(shape: [items, factors], values: gaussian(items * factors)),
            to: URL(fileURLWithPath: path("Q.npy"))
        )
        try AtomicFile.write(text: (0..<users).map { "u\($0)\n" }.joined(), to: URL(fileURLWithPath: path("users.txt")))
        try AtomicFile.write(text: (0..<items).map { "i\($0)\n" }.joined(), to: URL(fileURLWithPath: path("items.txt")))
        let interactions = try SyntheticRatings(users: users, items: items, ratingsPerUser: perUser, seed: 4).generate()
        var lines = ""
        lines.reserveCapacity(interactions.ratings.count * 16)
        for r in interactions.ratings { lines += "u\(r.user)\ti\(r.item)\t1\n" }
        try AtomicFile.write(text: lines, to: URL(fileURLWithPath: path("train.tsv")))
        print(
            "\nImport: \(users) users × \(items) items × \(factors) factors (.npy), \(interactions.ratings.count) implicit interactions"
        )
        var options = RatingsOptions()
        options.feedback = .implicit
        let files = FactorFiles(
            userFactors: path("P.npy"),
            itemFactors: path("Q.npy"),
            userIDs: path("users.txt"),
            itemIDs: path("items.txt"),
            interactions: path("train.tsv"),
            options: options
        )
        let started = Date()
        let (foreign, data, provenance) = try files.load()
        let loaded = Date()
        let model = try FactorImporter(provenance: provenance).build(foreign, interactions: data)
        let built = Date()
        try EMFModelFile.save(model, to: URL(fileURLWithPath: path("model.safetensors")), lumenVersion: "bench")
        let saved = Date()
        print(
            String(
                format:
                    "  total %.2f s: read and check (with SHA-256) %.2f s, item neighbourhoods %.2f s, save %.2f s",
                saved.timeIntervalSince(started),
                loaded.timeIntervalSince(started),
                built.timeIntervalSince(loaded),
                saved.timeIntervalSince(built)
            )
        )
    }
}

/// The process's peak resident set so far.
enum PeakMemory {
    static var gigabytes: Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1_048_576  // KiB
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Double(usage.ru_maxrss) / 1_073_741_824  // bytes
        #endif
    }
}
