import ArgumentParser
import Foundation
import LumenRecs

/// `lumen recs evaluate`: the accuracy / explainability trade-off over λ.
struct RecsEvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Train on the training split for each λ and print accuracy and explainability on the held-out split."
    )

    @OptionGroup var data: DataOptions
    @OptionGroup var model: ModelOptions

    @Option(help: "Comma-separated λ values; λ = 0 is plain MF.")
    var lambdas: String = "0,0.05,0.2"

    @Option(name: .short, help: "List length for ranking metrics.")
    var n: Int = 10

    @Flag(help: "Print JSON.")
    var json = false

    struct Row: Encodable {
        let lambda: Float
        let report: EvaluationReport
        let seconds: Double
    }

    func run() throws {
        let values = try lambdas.split(separator: ",").map { text -> Float in
            guard let v = Float(text.trimmingCharacters(in: .whitespaces)), v >= 0 else {
                throw ValidationError("bad λ '\(text)'")
            }
            return v
        }
        let dataset = try data.load()
        let split = try data.splitRule().apply(to: dataset.ratings)
        let train = dataset.with(ratings: split.train)
        var rows: [Row] = []
        for lambda in values {
            var h = try model.hyperparameters()
            h.lambda = lambda
            try h.validate()
            let started = Date()
            let trained = try EMFTrainer(hyperparameters: h).train(train)
            let seconds = Date().timeIntervalSince(started)
            rows.append(
                Row(lambda: lambda, report: try Evaluator(n: n).evaluate(trained, test: split.test), seconds: seconds)
            )
        }
        if json {
            print(try JSONOutput.text(rows))
            return
        }
        print("| λ | RMSE | MAE | P@\(n) | R@\(n) | nDCG@\(n) | MEP@\(n) | MER@\(n) | fidelity | coverage | train s |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for row in rows {
            let r = row.report
            print(
                String(
                    format: "| %g | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.2f |",
                    row.lambda,
                    r.rmse,
                    r.mae,
                    r.precision,
                    r.recall,
                    r.ndcg,
                    r.mep,
                    r.mer,
                    r.fidelity,
                    r.coverage,
                    row.seconds
                )
            )
        }
    }
}
