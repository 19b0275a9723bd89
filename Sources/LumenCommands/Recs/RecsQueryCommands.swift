import ArgumentParser
import Foundation
import LumenIO
import LumenRecs

/// `lumen recs recommend`.
struct RecsRecommendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Top-n recommendations for a user, each with its neighbourhood rationale."
    )

    @Option(help: "Model file.") var model: String
    @Option(help: "External user id, as in the ratings file.") var user: String
    @Option(name: .shortAndLong, help: "List length.") var n: Int = 10
    @Flag(name: .customLong("explainable-only"), help: "Only items some of the user's neighbours rated (W > 0).")
    var explainableOnly = false
    @Option(help: ArgumentHelp(JSONOutput.help, valueName: "path")) var json: String?

    func validate() throws {
        guard n >= 1 else { throw ValidationError("-n must be at least 1") }
    }

    func run() throws {
        let m = try EMFModelFile.load(URL(fileURLWithPath: model))
        let recommendations = m.recommend(user: try m.user(user), n: n, explainableOnly: explainableOnly)
        if try JSONOutput.emit(recommendations, to: json) { return }
        for r in recommendations {
            let e = r.explanation
            let name = e.title.map { "\($0) (\(e.item))" } ?? e.item
            print(String(format: "%2d. %@  %@", r.rank, name, Self.scoreText(e)))
            print("    \(e.sentence)")
        }
    }
}

extension RecsRecommendCommand {
    /// "predicted 4.21" for rating models, "score 0.873" for ranking scores.
    static func scoreText(_ e: Explanation) -> String {
        e.predictedRating.map { String(format: "predicted %.2f", $0) } ?? String(format: "score %.3f", e.score)
    }
}

/// `lumen recs explain`.
struct RecsExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Why is (or isn't) this item recommended to this user?"
    )

    @Option(help: "Model file.") var model: String
    @Option(help: "External user id.") var user: String
    @Option(help: "External item id.") var item: String
    @Option(help: ArgumentHelp(JSONOutput.help, valueName: "path")) var json: String?

    func run() throws {
        let m = try EMFModelFile.load(URL(fileURLWithPath: model))
        let e = m.explain(user: try m.user(user), item: try m.item(item))
        if try JSONOutput.emit(e, to: json) { return }
        print(
            "\(e.title.map { "\($0) (\(e.item))" } ?? e.item) for user \(e.user): \(RecsRecommendCommand.scoreText(e)), W = \(String(format: "%.2f", e.weight))\(e.explainable ? "" : " (not explainable)")"
        )
        print(e.sentence)
        let who = e.basis == .users ? "ratings by your neighbours" : "your ratings of similar items"
        print("\(who): \(e.histogram.good) good, \(e.histogram.neutral) neutral, \(e.histogram.bad) bad")
        for n in e.neighbors {
            print(
                String(
                    format: "  %@ %@  similarity %.3f  rated %.1f",
                    e.basis == .users ? "user" : "item",
                    n.id,
                    n.similarity,
                    n.rating
                )
            )
        }
    }
}

/// `lumen recs inspect`.
struct RecsInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a model file's settings, size and metrics."
    )

    @Option(help: "Model file.") var model: String

    func run() throws {
        let m = try EMFModelFile.load(URL(fileURLWithPath: model))
        print(
            "users \(m.users.count), items \(m.items.count), training ratings \(m.training.count), created \(m.createdAt)"
        )
        print("data fingerprint \(m.fingerprint)")
        print("hyperparameters: " + (try JSONOutput.text(m.hyperparameters)).replacingOccurrences(of: "\n", with: " "))
        if !m.metrics.isEmpty {
            print(
                "metrics: "
                    + m.metrics.keys.sorted().map { "\($0) \(String(format: "%.4f", m.metrics[$0]!))" }.joined(
                        separator: ", "
                    )
            )
        }
    }
}

/// `lumen recs synthesize`.
struct RecsSynthesizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthesize",
        abstract: "Write seeded synthetic ratings with planted taste segments (tab-separated, u.data layout)."
    )

    @Option(help: "How many users.") var users: Int = 600
    @Option(help: "How many items.") var items: Int = 400
    @Option(name: .customLong("per-user"), help: "Ratings each user gives.") var perUser: Int = 40
    @Option(help: "Taste segments planted (users of a segment favour the same items).") var segments: Int = 8
    @Option(help: "Random seed: the same seed writes the same file.") var seed: UInt64 = 42
    @Option(help: "Output file.") var out: String

    func run() throws {
        let data = try SyntheticRatings(
            users: users,
            items: items,
            ratingsPerUser: perUser,
            segments: segments,
            seed: seed
        ).generate()
        var text = ""
        text.reserveCapacity(data.ratings.count * 16)
        for r in data.ratings {
            text += "\(data.users[Int(r.user)])\t\(data.items[Int(r.item)])\t\(Int(r.value))\t\(r.timestamp)\n"
        }
        try AtomicFile.write(text: text, to: URL(fileURLWithPath: out))
        print("wrote \(data.ratings.count) ratings to \(out)")
    }
}
