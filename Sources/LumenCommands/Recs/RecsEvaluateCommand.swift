import ArgumentParser
import Foundation
import LumenRecs

/// `lumen recs evaluate`: the accuracy / explainability trade-off over λ.
struct RecsEvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract:
            "Train for each λ and print accuracy, ranking and explainability on held-out ratings (the split, or --test)."
    )

    @OptionGroup var data: DataOptions
    @OptionGroup var model: ModelOptions

    @Option(help: "Comma-separated λ values (default: 0,0.05,0.2 for EMF; 1 for a ranking objective).")
    var lambdas: String?

    @Option(
        help:
            "Held-out ratings to evaluate on instead of a split of --ratings (users/items unseen in training are skipped)."
    )
    var test: String?

    @Option(help: "Held-out ratings at or above this are relevant (default 4; every interaction with --implicit).")
    var relevant: Float?

    @Option(name: .short, help: "List length for ranking metrics.")
    var n: Int = 10

    @Option(
        help: ArgumentHelp(
            "Also rank each held-out item among this many sampled items the user never interacted with: HR@n, nDCG@n, MEP@n.",
            discussion:
                "The EBPR paper's protocol is --split leave-n-out --negatives 100 (every held-out interaction is a case)."
        )
    )
    var negatives: Int?

    @Option(help: "Seed for the sampled negatives.")
    var negativeSeed: UInt64 = 1

    @Option(help: ArgumentHelp(JSONOutput.help, valueName: "path"))
    var json: String?

    struct Row: Encodable {
        let lambda: Float
        let report: EvaluationReport
        let sampled: SampledReport?
        let seconds: Double
    }

    func run() throws {
        let values = try lambdaValues()
        let dataset = try data.load()
        let (train, held) = try split(dataset)
        let threshold = relevant ?? (dataset.feedback == .implicit ? -.infinity : 4)
        var rows: [Row] = []
        for lambda in values {
            var options = model
            options.lambda = lambda
            let started = Date()
            let trained = try options.train(train)
            let seconds = Date().timeIntervalSince(started)
            let report = try Evaluator(n: n, relevanceThreshold: threshold).evaluate(trained, test: held)
            let sampled = try negatives.map { count throws(RecsError) in
                try SampledEvaluator(n: n, negatives: count, seed: negativeSeed).evaluate(trained, test: held)
            }
            rows.append(Row(lambda: lambda, report: report, sampled: sampled, seconds: seconds))
        }
        if try JSONOutput.emit(rows, to: json) { return }
        printTables(rows)
    }

    /// `--lambdas`, or the model's own λ for ranking objectives and 0, 0.05, 0.2 for ratings.
    func lambdaValues() throws -> [Float] {
        let defaults = model.objective.isRanking ? "\(try model.hyperparameters().lambda)" : "0,0.05,0.2"
        return try (lambdas ?? defaults).split(separator: ",").map { text -> Float in
            guard let v = Float(text.trimmingCharacters(in: .whitespaces)), v >= 0 else {
                throw ValidationError("bad λ '\(text)'")
            }
            return v
        }
    }

    /// Training data and held-out ratings: `--test`'s file against the whole data set, or the
    /// split rule's cut of it.
    func split(_ dataset: RatingsData) throws -> (train: RatingsData, held: [Rating]) {
        guard let test else {
            let split = try data.splitRule().apply(to: dataset.ratings)
            return (dataset.with(ratings: split.train), split.test)
        }
        let outside = try TestRatings.load(test, matching: dataset, options: data.ratingsOptions)
        if outside.skipped > 0 {
            FileHandle.standardError.write(
                Data("note: \(outside.skipped) test lines name users or items unseen in training; skipped\n".utf8)
            )
        }
        return (dataset, outside.ratings)
    }

    func printTables(_ rows: [Row]) {
        print("| λ | RMSE | MAE | P@\(n) | R@\(n) | nDCG@\(n) | MEP@\(n) | MER@\(n) | fidelity | coverage | train s |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for row in rows {
            let r = row.report
            let error = r.rmse.map { String(format: "%.4f | %.4f", $0, r.mae ?? .nan) } ?? "— | —"
            let rest = [r.precision, r.recall, r.ndcg, r.mep, r.mer, r.fidelity, r.coverage].map {
                String(format: "%.4f", $0)
            }
            print(
                "| \(String(format: "%g", row.lambda)) | \(error) | \(rest.joined(separator: " | ")) | \(String(format: "%.2f", row.seconds)) |"
            )
        }
        guard let negatives else { return }
        print("\nEach held-out item among \(negatives) sampled negatives:")
        print("| λ | cases | HR@\(n) | nDCG@\(n) | MEP@\(n) |")
        print("|---|---|---|---|---|")
        for row in rows {
            guard let s = row.sampled else { continue }
            print(String(format: "| %g | %d | %.4f | %.4f | %.4f |", row.lambda, s.cases, s.hitRate, s.ndcg, s.mep))
        }
    }
}

/// Held-out ratings from their own file, mapped onto a training set's users and items.
enum TestRatings {
    static func load(
        _ path: String,
        matching train: RatingsData,
        options: RatingsOptions
    ) throws -> (ratings: [Rating], skipped: Int) {
        var relaxed = options
        relaxed.duplicates = .last
        let raw = try RatingsLoader.load(ratings: URL(fileURLWithPath: path), options: relaxed)
        let (out, skipped) = train.aligned(raw)
        guard !out.isEmpty else { throw RecsError.emptyData("\(path): no test line names a training user and item") }
        return (out, skipped)
    }
}
