import ArgumentParser
import Foundation
import LumenIO
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
    @Option(help: "Neighbours per user or item (k).") var neighbours: Int = 10
    @Option(help: "Explain from similar items (items) or similar users (users).")
    var basis: NeighbourBasis = .items
    @Option(help: "Model file to write (.safetensors).") var out: String

    enum ImportedScore: String, ExpressibleByArgument, CaseIterable {
        case dot, rating
    }

    func run() throws {
        let userIDList = try IDListReader.load(URL(fileURLWithPath: userIDs))
        let itemIDList = try IDListReader.load(URL(fileURLWithPath: itemIDs))
        let p = try matrix(userFactors, part: "user factors")
        let q = try matrix(itemFactors, part: "item factors")
        var foreign = ForeignFactors(
            userIDs: userIDList,
            itemIDs: itemIDList,
            factors: p.shape[1],
            userFactors: p.values,
            itemFactors: q.values
        )
        foreign.sources = [
            "user ids": userIDs, "item ids": itemIDs, "user factors": userFactors, "item factors": itemFactors,
        ]
        guard q.shape[1] == p.shape[1] else {
            throw RecsError.importMismatch(
                source: "\(itemFactors) (item factors)",
                reason: "\(q.shape[1]) factors per row, but the user factors have \(p.shape[1])"
            )
        }
        if let userBias {
            foreign.userBias = try vector(userBias, part: "user bias")
            foreign.sources["user bias"] = userBias
        }
        if let itemBias {
            foreign.itemBias = try vector(itemBias, part: "item bias")
            foreign.sources["item bias"] = itemBias
        }
        foreign.globalBias = globalBias
        var options = RatingsOptions(scale: ratingScale, duplicates: duplicates)
        options.feedback = implicit ? .implicit : .explicit
        options.knownIDs = KnownIDs(
            users: IDMap(ids: userIDList),
            items: IDMap(ids: itemIDList),
            userSource: userIDs,
            itemSource: itemIDs
        )
        // Shapes and values are checked before the interactions are read.
        try FactorImporter.check(foreign)
        let data = try RatingsLoader.load(
            ratings: URL(fileURLWithPath: interactions),
            items: items.map { URL(fileURLWithPath: $0) },
            options: options
        )
        var provenance: [String: String] = [:]
        for (part, path) in foreign.sources {
            provenance[part] = path
            provenance[part + " sha256"] = try SHA256.hex(ofFile: URL(fileURLWithPath: path))
        }
        provenance["interactions"] = interactions
        provenance["interactions sha256"] = try SHA256.hex(ofFile: URL(fileURLWithPath: interactions))
        if let globalBias { provenance["global bias"] = String(globalBias) }
        let importer = FactorImporter(
            score: score == .dot ? .score : .rating,
            neighbours: neighbours,
            basis: basis,
            provenance: provenance
        )
        let model = try importer.build(foreign, interactions: data)
        try EMFModelFile.save(model, to: URL(fileURLWithPath: out), lumenVersion: LumenVersion.string)
        print(
            "imported \(model.users.count) users × \(model.items.count) items × \(foreign.factors) factors (\(score.rawValue) scores), neighbourhoods from \(data.ratings.count) interactions; wrote \(out)"
        )
    }

    private func matrix(_ path: String, part: String) throws -> Tensor {
        let t = try TensorFile.load(URL(fileURLWithPath: path))
        guard t.rank == 2, t.shape[1] >= 1 else {
            throw RecsError.importMismatch(
                source: "\(path) (\(part))",
                reason: "shape \(t.shape); expected [ids, factors]"
            )
        }
        return t
    }

    private func vector(_ path: String, part: String) throws -> [Float] {
        let t = try TensorFile.load(URL(fileURLWithPath: path))
        guard t.rank == 1 || (t.rank == 2 && t.shape[1] == 1) else {
            throw RecsError.importMismatch(source: "\(path) (\(part))", reason: "shape \(t.shape); expected [ids]")
        }
        return t.values
    }
}
