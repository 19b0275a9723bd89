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

    func load() throws -> RatingsData {
        let data = try RatingsLoader.load(
            ratings: URL(fileURLWithPath: ratings),
            items: items.map { URL(fileURLWithPath: $0) },
            options: RatingsOptions(scale: ratingScale, duplicates: duplicates)
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

/// EMF hyperparameters on the command line.
struct ModelOptions: ParsableArguments {
    @Option(help: "Latent factors.") var factors: Int = EMFHyperparameters().factors
    @Option(help: "SGD epochs.") var epochs: Int = EMFHyperparameters().epochs
    @Option(name: .customLong("learning-rate"), help: "SGD step size α.") var learningRate: Float = EMFHyperparameters()
        .learningRate
    @Option(help: "L2 penalty β on factors.") var regularization: Float = EMFHyperparameters().regularization
    @Option(help: "Weight λ of the explainability term (0 = plain MF).") var lambda: Float = EMFHyperparameters().lambda
    @Option(help: "Neighbours per user (k).") var neighbours: Int = EMFHyperparameters().neighbours
    @Option(help: "Explainability threshold θ.") var threshold: Float = EMFHyperparameters().threshold
    @Option(help: "Similarity: cosine or pearson.") var similarity: String = "cosine"
    @Option(help: "Explain from the user's similar users (users) or the item's similar items (items).") var basis:
        String = "users"
    @Option(help: "Explainability weight: share or expected-rating.") var explainability: String = "share"
    @Flag(name: .customLong("no-biases"), help: "Train without global/user/item biases (the paper's model).")
    var noBiases = false
    @Option(help: "Form of the explainability pull: inner-product or distance (the paper's ‖p − q‖²).")
    var pull: String = EMFHyperparameters().pull.rawValue
    @Option(
        help:
            "Pairs that get the explainability term: unrated (explainable items the user has not rated), observed (the paper's choice) or both."
    )
    var pairs: String = "both"
    @Option(help: "Seed for initialisation and SGD order.") var seed: UInt64 = 42

    func hyperparameters() throws -> EMFHyperparameters {
        var h = EMFHyperparameters()
        h.factors = factors
        h.epochs = epochs
        h.learningRate = learningRate
        h.regularization = regularization
        h.lambda = lambda
        h.neighbours = neighbours
        h.threshold = threshold
        h.useBiases = !noBiases
        guard let kind = ExplainabilityPull(rawValue: pull) else {
            throw ValidationError("unknown pull '\(pull)'; choose inner-product or distance")
        }
        h.pull = kind
        switch pairs {
        case "unrated": (h.observedPairs, h.unratedExplainablePairs) = (false, true)
        case "observed": (h.observedPairs, h.unratedExplainablePairs) = (true, false)
        case "both": (h.observedPairs, h.unratedExplainablePairs) = (true, true)
        default: throw ValidationError("unknown pairs '\(pairs)'; choose unrated, observed or both")
        }
        h.seed = seed
        guard let s = Similarity(rawValue: similarity) else {
            throw ValidationError("unknown similarity '\(similarity)'")
        }
        guard let e = ExplainabilityKind(rawValue: explainability) else {
            throw ValidationError("unknown explainability '\(explainability)'")
        }
        h.similarity = s
        guard let b = NeighbourBasis(rawValue: basis) else {
            throw ValidationError("unknown basis '\(basis)'; choose users or items")
        }
        h.basis = b
        h.explainability = e
        try h.validate()
        return h
    }
}

/// Prints training progress: a rewritten line on a terminal, plain log lines otherwise.
struct TrainingProgress {
    let interactive = isatty(STDERR_FILENO) != 0
    let quiet: Bool

    func report(_ r: EpochReport) {
        guard !quiet else { return }
        let eta = Double(r.epochs - r.epoch) * r.seconds
        let line = String(
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
