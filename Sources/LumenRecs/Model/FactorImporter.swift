import Foundation

/// Latent factors trained by another system (implicit ALS, Spark ALS, LightFM, surprise …) in
/// the shape Lumen needs to explain them: one row of factors per id, in id-list order.
public struct ForeignFactors: Sendable {
    /// External user ids, one per row of `userFactors`.
    public var userIDs: [String]
    /// External item ids, one per row of `itemFactors`.
    public var itemIDs: [String]
    /// Factors per row (f).
    public var factors: Int
    /// U × f, row-major.
    public var userFactors: [Float]
    /// I × f, row-major.
    public var itemFactors: [Float]
    /// Optional per-user, per-item and global biases (surprise SVD, LightFM item biases).
    public var userBias: [Float]?
    public var itemBias: [Float]?
    public var globalBias: Float?
    /// The file each part was read from, keyed by part ("user ids", "item factors", "user bias"
    /// …), so errors name the file.
    public var sources: [String: String] = [:]

    func source(_ part: String) -> String { sources[part].map { "\($0) (\(part))" } ?? part }

    public init(userIDs: [String], itemIDs: [String], factors: Int, userFactors: [Float], itemFactors: [Float]) {
        (self.userIDs, self.itemIDs, self.factors) = (userIDs, itemIDs, factors)
        (self.userFactors, self.itemFactors) = (userFactors, itemFactors)
    }
}

/// Factors that passed `FactorImporter.check`: only that check makes one, so a model is built from
/// checked factors without checking a million ids twice.
public struct CheckedFactors: Sendable {
    public let factors: ForeignFactors

    fileprivate init(_ factors: ForeignFactors) { self.factors = factors }
}

/// Builds an explainable Lumen model around factors trained elsewhere: the scores are the
/// foreign model's own (p·q plus whatever biases it had), and the neighbourhoods that explain
/// them are computed from the training interactions it was fitted to.
public struct FactorImporter: Sendable {
    /// What the foreign scores are: ratings on the interactions' scale (clipped to it), or
    /// ranking scores on their own scale (never clipped).
    public var score: ScoreKind
    /// Neighbourhood size k.
    public var neighbors: Int
    /// Explain from similar users or similar items.
    public var basis: NeighborBasis
    /// Where the factors came from (file names and digests), kept in the model file.
    public var provenance: [String: String]

    public init(
        score: ScoreKind = .score,
        neighbors: Int = 10,
        basis: NeighborBasis = .items,
        provenance: [String: String] = [:]
    ) {
        (self.score, self.neighbors, self.basis, self.provenance) = (score, neighbors, basis, provenance)
    }

    /// The model. `interactions` must have been read against the factors' id lists
    /// (`RatingsOptions.knownIDs`), so its dense indices are the factor rows.
    public func build(_ factors: ForeignFactors, interactions: RatingsData) throws(RecsError) -> EMFModel {
        try build(Self.check(factors), interactions: interactions)
    }

    /// The model from factors already checked (as `FactorFiles.load` returns them).
    public func build(_ checked: CheckedFactors, interactions: RatingsData) throws(RecsError) -> EMFModel {
        let factors = checked.factors
        let users = factors.userIDs.count
        let items = factors.itemIDs.count
        guard interactions.users.ids == factors.userIDs, interactions.items.ids == factors.itemIDs else {
            throw .importMismatch(
                source: "interactions",
                reason: "were not read against the factors' id lists (RatingsOptions.knownIDs)"
            )
        }
        guard !interactions.ratings.isEmpty else { throw .emptyData("no training interactions to explain from") }
        guard neighbors >= 1, neighbors <= 1000 else { throw .invalidOption("neighbours must be in 1...1000") }
        var h = EMFHyperparameters()
        h.objective = score == .rating ? .rating : .ebpr
        h.factors = factors.factors
        h.epochs = 0
        h.lambda = 0
        h.rankBlend = 0
        h.neighbors = neighbors
        h.basis = basis
        h.useBiases = factors.userBias != nil || factors.itemBias != nil || factors.globalBias != nil
        let matrix = RatingMatrix(ratings: interactions.ratings, users: users, items: items)
        let explicit = interactions.feedback == .explicit
        let cited =
            explicit || matrix.userValues.allSatisfy({ $0 == 1 })
            ? matrix
            : RatingMatrix(
                ratings: interactions.ratings.map { Rating(user: $0.user, item: $0.item, value: 1) },
                users: users,
                items: items
            )
        let neighborhood = try UserNeighborhood.compute(
            cited,
            k: neighbors,
            similarity: .cosine,
            basis: basis
        )
        let range: (min: Float, max: Float) =
            explicit ? interactions.ratingRange : (0, max(1, interactions.ratings.map(\.value).max() ?? 1))
        guard range.min < range.max else {
            throw .importMismatch(source: "interactions", reason: "ratings span no range (\(range.min)…\(range.max))")
        }
        var model = EMFModel(
            hyperparameters: h,
            users: interactions.users,
            items: interactions.items,
            titles: interactions.titles,
            userFactors: factors.userFactors,
            itemFactors: factors.itemFactors,
            userBias: factors.userBias ?? [Float](repeating: 0, count: users),
            itemBias: factors.itemBias ?? [Float](repeating: 0, count: items),
            globalMean: factors.globalBias ?? 0,
            ratingRange: range,
            neighborhood: neighborhood,
            training: matrix,
            fingerprint: interactions.fingerprint,
            metrics: [:],
            createdAt: ISO8601DateFormatter().string(from: Date())
        )
        model.scoreKind = score
        model.feedback = interactions.feedback
        model.provenance = provenance.merging(["trainer": "imported"]) { _, imported in imported }
        return model
    }

    /// Shapes agree with the id lists, ids are unique and non-empty, every value is finite.
    @discardableResult
    public static func check(_ f: ForeignFactors) throws(RecsError) -> CheckedFactors {
        for (name, ids) in [("user ids", f.userIDs), ("item ids", f.itemIDs)] {
            guard !ids.isEmpty else { throw .importMismatch(source: f.source(name), reason: "the list is empty") }
            if let repeated = IDMap.firstDuplicate(in: ids) {
                let line = ids.indices.filter { ids[$0] == repeated }[1] + 1
                throw .importMismatch(source: f.source(name), reason: "line \(line): id '\(repeated)' appears twice")
            }
        }
        guard f.factors >= 1, f.factors <= 4096 else {
            throw .importMismatch(
                source: f.source("factors"),
                reason: "\(f.factors) factors per row; expected 1...4096"
            )
        }
        let shapes = [
            ("user factors", f.userFactors.count, f.userIDs.count, "user ids"),
            ("item factors", f.itemFactors.count, f.itemIDs.count, "item ids"),
        ]
        for (name, count, rows, ids) in shapes where count != rows * f.factors {
            throw .importMismatch(
                source: f.source(name),
                reason: "\(count / f.factors) rows of \(f.factors) factors, but \(rows) \(ids)"
            )
        }
        for (name, bias, rows) in [
            ("user bias", f.userBias, f.userIDs.count), ("item bias", f.itemBias, f.itemIDs.count),
        ] {
            if let bias, bias.count != rows {
                throw .importMismatch(source: f.source(name), reason: "\(bias.count) values for \(rows) ids")
            }
        }
        let arrays: [(String, [Float])] = [
            ("user factors", f.userFactors), ("item factors", f.itemFactors), ("user bias", f.userBias ?? []),
            ("item bias", f.itemBias ?? []), ("global bias", f.globalBias.map { [$0] } ?? []),
        ]
        for (name, values) in arrays {
            if let k = values.firstIndex(where: { !$0.isFinite }) {
                let position =
                    name.hasSuffix("factors")
                    ? "row \(k / f.factors + 1), column \(k % f.factors + 1)" : "entry \(k + 1)"
                throw .importMismatch(source: f.source(name), reason: "\(position) is \(values[k]) (not finite)")
            }
        }
        return CheckedFactors(f)
    }
}
