import ArgumentParser
import Foundation
import LumenRecs

/// `lumen recs audit`: ranking, explainability and popularity-bias figures of top-n lists.
struct RecsAuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract:
            "Audit top-n lists — the model's own, or another system's — for accuracy, explainability and popularity bias.",
        discussion: """
            Explainability (MEP, MER, fidelity) is measured with the model's neighbourhoods, so lists
            produced by another system entirely are audited on the same terms:
              lumen recs audit --model als.safetensors --recommendations lists.csv --interactions test.tsv
            The lists file is CSV or TSV with a header naming user and item columns and optionally
            rank or score.
            """
    )

    @Option(help: "Model file (native or imported).") var model: String
    @Option(help: "Top-n lists to audit instead of the model's own (CSV/TSV: user,item[,rank|score]).")
    var recommendations: String?
    @Option(help: "Held-out interactions or ratings (users or items the model does not know are skipped).")
    var interactions: String
    @Flag(help: "The held-out file is implicit feedback: `user item [weight] [timestamp]`.")
    var implicit = false
    @Option(help: "Held-out ratings at or above this are relevant (default 4; every interaction with --implicit).")
    var relevant: Float?
    @Option(name: .short, help: "List length.") var n: Int = 10
    @Option(help: ArgumentHelp(JSONOutput.help, valueName: "path")) var json: String?

    func validate() throws {
        guard n >= 1 else { throw ValidationError("-n must be at least 1") }
    }

    func run() throws {
        let m = try EMFModelFile.load(URL(fileURLWithPath: model))
        var options = RatingsOptions(duplicates: .last)
        options.feedback = implicit ? .implicit : .explicit
        let shell = RatingsData(users: m.users, items: m.items, ratings: [])
        let held = try TestRatings.load(interactions, matching: shell, options: options)
        if held.skipped > 0 {
            FileHandle.standardError.write(
                Data("note: \(held.skipped) held-out lines name users or items the model does not know; skipped\n".utf8)
            )
        }
        let evaluator = Evaluator(n: n, relevanceThreshold: relevant ?? (implicit ? -.infinity : 4))
        let report: EvaluationReport
        if let recommendations {
            let lists = try RecommendationLists.load(
                URL(fileURLWithPath: recommendations),
                users: m.users,
                items: m.items
            )
            var audited = evaluator.audit(m, lists: lists, relevant: evaluator.relevantSets(m, test: held.ratings))
            audited.testRatings = held.ratings.count
            report = audited
        } else {
            report = try evaluator.evaluate(m, test: held.ratings)
        }
        if try JSONOutput.emit(report, to: json) { return }
        let source = recommendations ?? "the model's own top-\(n)"
        print(
            "lists: \(source); \(report.testRatings) held-out interactions, \(report.relevantItems) relevant; \(report.rankedUsers) users ranked"
        )
        if let rmse = report.rmse { print(String(format: "RMSE %.4f  MAE %.4f", rmse, report.mae ?? .nan)) }
        print(
            String(
                format: "P@%d %.4f  R@%d %.4f  nDCG@%d %.4f",
                n,
                report.precision,
                n,
                report.recall,
                n,
                report.ndcg
            )
        )
        print(
            String(
                format: "MEP@%d %.4f  MER@%d %.4f  fidelity %.4f",
                n,
                report.mep,
                n,
                report.mer,
                report.fidelity
            )
        )
        print(
            String(
                format: "item coverage %.4f  average popularity %.1f training interactions  Gini %.4f",
                report.coverage,
                report.averagePopularity,
                report.gini
            )
        )
    }
}
