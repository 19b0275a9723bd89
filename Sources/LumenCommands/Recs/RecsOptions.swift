import ArgumentParser
import Foundation
import LumenRecs

/// Where ratings come from and how they are split.
struct DataOptions: ParsableArguments {
    @Option(help: "Ratings file: MovieLens u.data, ML-1M ratings.dat, ratings.csv with a header, or RecBole .inter.")
    var ratings: String

    @Option(help: "Optional item metadata with titles (u.item, movies.dat, movies.csv, RecBole .item).")
    var items: String?

    @Option(help: "How to hold out test ratings: random, leave-n-out or temporal.")
    var split: String = "random"

    @Option(name: .customLong("test-fraction"), help: "Share of ratings held out (random and temporal splits).")
    var testFraction: Double = 0.2

    @Option(name: .customLong("leave-n"), help: "Ratings held out per user (leave-n-out split).")
    var leaveN: Int = 1

    @Option(help: "Seed for the split.")
    var splitSeed: UInt64 = 42

    @Option(
        name: .customLong("rating-scale"),
        help: "The scale ratings lie on, MIN..MAX (default: inferred, with a note)."
    )
    var ratingScale: RatingScale?

    @Option(help: "A (user, item) pair rated twice: error, last or mean.")
    var duplicates: DuplicatePolicy = .error

    @Flag(
        help:
            "Implicit feedback: lines are `user item [weight] [timestamp]` (clicks, plays, purchases); weight 1 when absent."
    )
    var implicit = false

    @Option(
        name: .customLong("positive-at"),
        help: "Keep only ratings at or above this, as implicit interactions of weight 1 (binarise ratings)."
    )
    var positiveAt: Float?

    var ratingsOptions: RatingsOptions {
        var options = RatingsOptions(scale: ratingScale, duplicates: duplicates)
        options.feedback = implicit ? .implicit : .explicit
        options.positiveThreshold = positiveAt
        return options
    }

    func load() throws -> RatingsData {
        let data = try RatingsLoader.load(
            ratings: URL(fileURLWithPath: ratings),
            items: items.map { URL(fileURLWithPath: $0) },
            options: ratingsOptions
        )
        if data.scaleInferred, let scale = data.scale {
            FileHandle.standardError.write(
                Data(
                    "note: ratings taken to lie on \(scale) (inferred; declare it with --rating-scale MIN..MAX)\n".utf8
                )
            )
        }
        return data
    }

    func splitRule() throws -> RatingsSplit {
        switch split {
        case "random": return .random(testFraction: testFraction, seed: splitSeed)
        case "leave-n-out": return .leaveNOut(n: leaveN, seed: splitSeed)
        case "temporal": return .temporal(testFraction: testFraction)
        default: throw ValidationError("unknown split '\(split)'; choose random, leave-n-out or temporal")
        }
    }
}

/// Model hyperparameters on the command line; an option left out takes the objective's default.
struct ModelOptions: ParsableArguments {
    @Option(
        help:
            "Loss: rating (EMF on explicit ratings), ebpr (explainable BPR), puebpr (EBPR with a popularity-propensity correction) or bpr."
    )
    var objective: TrainingObjective = .rating
    @Option(help: "Latent factors (default 100; ranking 64).") var factors: Int?
    @Option(help: "SGD epochs (default 40; ranking 60).") var epochs: Int?
    @Option(name: .customLong("learning-rate"), help: "SGD step size α (default 0.005; ranking 0.05).")
    var learningRate: Float?
    @Option(help: "L2 penalty β on factors (default 0.2; ranking 0.01).") var regularization: Float?
    @Option(
        help:
            "Weight λ of the explainability term (EMF default 0.2, 0 = plain MF; ranking 0.5: 0 = BPR … 1 = the EBPR paper's loss)."
    )
    var lambda: Float?
    @Option(name: [.customLong("neighbours"), .customLong("neighbors")], help: "Neighbours per user or item (k).")
    var neighbors: Int?
    @Option(help: "Explainability threshold θ.") var threshold: Float?
    @Option(help: "Similarity: cosine or pearson.") var similarity: Similarity?
    @Option(help: "Explain from the user's similar users (users) or the item's similar items (items; ranking default).")
    var basis: NeighborBasis?
    @Option(help: "Explainability weight: share or expected-rating.") var explainability: ExplainabilityKind?
    @Flag(name: .customLong("no-biases"), help: "Train without biases (the papers' models).")
    var noBiases = false
    @Option(help: "Form of the explainability pull: inner-product or distance (the paper's ‖p − q‖²).")
    var pull: ExplainabilityPull?
    @Option(
        help:
            "Pairs that get the explainability term: unrated (explainable items the user has not rated), observed (the paper's choice) or both."
    )
    var pairs: String = "both"
    @Option(help: "Seed for initialisation and SGD order.") var seed: UInt64 = 42
    @Option(
        name: .customLong("rank-blend"),
        help:
            "Rating models rank by predicted rating + this × W (explainability weight); 0 ranks by rating alone (default 4)."
    )
    var rankBlend: Float?

    func hyperparameters() throws -> EMFHyperparameters {
        var h = objective.isRanking ? EMFHyperparameters.ranking(objective) : EMFHyperparameters()
        if let factors { h.factors = factors }
        if let epochs { h.epochs = epochs }
        if let learningRate { h.learningRate = learningRate }
        if let regularization { h.regularization = regularization }
        if let lambda { h.lambda = lambda }
        if let neighbors { h.neighbors = neighbors }
        if let threshold { h.threshold = threshold }
        if let similarity { h.similarity = similarity }
        if let basis { h.basis = basis }
        if let explainability { h.explainability = explainability }
        if let pull { h.pull = pull }
        if let rankBlend { h.rankBlend = rankBlend }
        h.useBiases = !noBiases
        switch pairs {
        case "unrated": (h.observedPairs, h.unratedExplainablePairs) = (false, true)
        case "observed": (h.observedPairs, h.unratedExplainablePairs) = (true, false)
        case "both": (h.observedPairs, h.unratedExplainablePairs) = (true, true)
        default: throw ValidationError("unknown pairs '\(pairs)'; choose unrated, observed or both")
        }
        h.seed = seed
        try h.validate()
        return h
    }

    /// Trains the model the options describe.
    func train(_ data: RatingsData, progress: TrainingProgress? = nil) throws -> EMFModel {
        let h = try hyperparameters()
        let report: (EpochReport) -> Void = { progress?.report($0) }
        return h.objective.isRanking
            ? try RankingTrainer(hyperparameters: h).train(data, progress: report)
            : try EMFTrainer(hyperparameters: h).train(data, progress: report)
    }
}

/// Prints training progress: a rewritten line on a terminal, plain log lines otherwise.
struct TrainingProgress {
    let interactive = isatty(STDERR_FILENO) != 0
    let quiet: Bool

    func report(_ r: EpochReport) {
        guard !quiet else { return }
        let eta = Double(r.epochs - r.epoch) * r.seconds
        let line =
            r.rankingLoss != nil
            ? String(
                format: "epoch %d/%d  ranking loss %.4f  pairs ordered %.4f  %.2fs/epoch  ETA %.1fs",
                r.epoch,
                r.epochs,
                r.rankingLoss ?? 0,
                r.pairAccuracy ?? 0,
                r.seconds,
                eta
            )
            : String(
                format: "epoch %d/%d  train RMSE %.4f  W-weighted gap %.4f  %.2fs/epoch  ETA %.1fs",
                r.epoch,
                r.epochs,
                r.trainRMSE,
                r.explainabilityPenalty,
                r.seconds,
                eta
            )
        if interactive {
            FileHandle.standardError.write(Data(("\r" + line + (r.epoch == r.epochs ? "\n" : "")).utf8))
        } else {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }
}

extension RatingScale: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

extension DuplicatePolicy: ExpressibleByArgument {}
extension TrainingObjective: ExpressibleByArgument {}
extension Similarity: ExpressibleByArgument {}
extension NeighborBasis: ExpressibleByArgument {}
extension ExplainabilityKind: ExpressibleByArgument {}
extension ExplainabilityPull: ExpressibleByArgument {}
