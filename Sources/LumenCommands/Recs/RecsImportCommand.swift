import ArgumentParser
import Foundation
import LumenRecs

/// `lumen recs import`: a Lumen model around factors trained by another system.
struct RecsImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract:
            "Build an explainable model from factors trained elsewhere (implicit ALS, Spark ALS, LightFM, surprise).",
        discussion: """
            Factor files are .npy, .safetensors or JSON tensors of shape [ids, factors], rows in the
            order of the id files (one id per line). The neighbourhoods that explain the scores are
            computed from --interactions, the data the factors were trained on; every user and item
            in it must be in the id files. The model file records the source files and their SHA-256.

              lumen recs import --user-factors P.npy --item-factors Q.npy --user-ids users.txt \\
                --item-ids items.txt --interactions train.tsv --score dot --out als.safetensors
            """
    )

    @Option(name: .customLong("user-factors"), help: "User factors [users, f] (.npy, .safetensors, .json).")
    var userFactors: String
    @Option(name: .customLong("item-factors"), help: "Item factors [items, f].")
    var itemFactors: String
    @Option(name: .customLong("user-ids"), help: "User ids, one per line, in the order of the user factor rows.")
    var userIDs: String
    @Option(name: .customLong("item-ids"), help: "Item ids, one per line, in the order of the item factor rows.")
    var itemIDs: String
    @Option(name: .customLong("user-bias"), help: "Optional user biases [users].") var userBias: String?
    @Option(name: .customLong("item-bias"), help: "Optional item biases [items].") var itemBias: String?
    @Option(name: .customLong("global-bias"), help: "Optional global bias (e.g. the training mean).")
    var globalBias: Float?
    @Option(help: "Interactions or ratings the factors were trained on (any format `recs train` reads).")
    var interactions: String
    @Option(help: "Optional item metadata with titles.") var items: String?
    @Flag(help: "The interactions are implicit feedback: `user item [weight] [timestamp]`.")
    var implicit = false
    @Option(name: .customLong("rating-scale"), help: "The scale ratings lie on, MIN..MAX (default: inferred).")
    var ratingScale: RatingScale?
    @Option(help: "A (user, item) pair listed twice: error, last, mean or sum.")
    var duplicates: DuplicatePolicy = .error
    @Option(
        help:
            "What the scores are: dot (ranking scores on their own scale, never clipped) or rating (predicted ratings, clipped to the scale)."
    )
    var score: ImportedScore = .dot
    @Option(name: [.customLong("neighbours"), .customLong("neighbors")], help: "Neighbours per user or item (k).")
    var neighbors: Int = 10
    @Option(help: "Explain from similar items (items) or similar users (users).")
    var basis: NeighborBasis = .items
    @Option(help: "Model file to write (.safetensors).") var out: String

    enum ImportedScore: String, ExpressibleByArgument, CaseIterable {
        case dot, rating
    }

    func run() throws {
        var options = RatingsOptions(scale: ratingScale, duplicates: duplicates)
        options.feedback = implicit ? .implicit : .explicit
        var files = FactorFiles(
            userFactors: userFactors,
            itemFactors: itemFactors,
            userIDs: userIDs,
            itemIDs: itemIDs,
            interactions: interactions,
            options: options
        )
        (files.userBias, files.itemBias, files.globalBias, files.items) = (userBias, itemBias, globalBias, items)
        let (foreign, data, provenance) = try files.load()
        let importer = FactorImporter(
            score: score == .dot ? .score : .rating,
            neighbors: neighbors,
            basis: basis,
            provenance: provenance
        )
        let model = try importer.build(foreign, interactions: data)
        try EMFModelFile.save(model, to: URL(fileURLWithPath: out), lumenVersion: LumenVersion.string)
        print(
            "imported \(model.users.count) users × \(model.items.count) items × \(foreign.factors.factors) factors (\(score.rawValue) scores), neighbourhoods from \(data.ratings.count) interactions; wrote \(out)"
        )
    }
}
