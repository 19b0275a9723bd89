import ArgumentParser
import Foundation
import LumenIO
import LumenRecs

/// `lumen recs train`.
struct RecsTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an EMF model on the training split, evaluate it on the held-out split, save it."
    )

    @OptionGroup var data: DataOptions
    @OptionGroup var model: ModelOptions

    @Option(help: "Model file to write (.safetensors).")
    var out: String

    @Flag(name: .customLong("all-data"), help: "Train on every rating (no held-out evaluation).")
    var allData = false

    @Flag(help: "No progress output.")
    var quiet = false

    func run() throws {
        let dataset = try data.load()
        var train = dataset
        var test: [Rating] = []
        if !allData {
            let split = try data.splitRule().apply(to: dataset.ratings)
            train = dataset.with(ratings: split.train)
            test = split.test
        }
        let started = Date()
        let progress = TrainingProgress(quiet: quiet)
        var trained = try model.train(train, progress: progress)
        let seconds = Date().timeIntervalSince(started)
        var summary =
            "trained on \(train.ratings.count) ratings (\(dataset.users.count) users, \(dataset.items.count) items) in \(String(format: "%.2f", seconds)) s"
        if !test.isEmpty {
            let report = try Evaluator().evaluate(trained, test: test)
            trained.metrics = report.dictionary
            let error =
                report.rmse.map { String(format: "test RMSE %.4f, MAE %.4f, ", $0, report.mae ?? .nan) } ?? "test "
            summary += "; " + error
            summary += String(
                format: "P@10 %.4f, nDCG@10 %.4f, MEP@10 %.4f, MER@10 %.4f",
                report.precision,
                report.ndcg,
                report.mep,
                report.mer
            )
        }
        try EMFModelFile.save(trained, to: URL(fileURLWithPath: out), lumenVersion: LumenVersion.string)
        print(summary + "; wrote \(out)")
    }
}
