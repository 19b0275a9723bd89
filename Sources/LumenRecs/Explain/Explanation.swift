/// Why an item is (or is not) recommended to a user, in the neighbourhood's terms.
public struct Explanation: Sendable, Codable, Equatable {
    /// One supporting neighbour: a similar user who rated the item (user basis) or a similar
    /// item the user rated (item basis), with the rating.
    public struct NeighborRating: Sendable, Codable, Equatable {
        public let id: String
        public let similarity: Float
        public let rating: Float
    }

    /// Neighbours' ratings grouped as people read them.
    public struct Histogram: Sendable, Codable, Equatable {
        public let good: Int
        public let neutral: Int
        public let bad: Int
    }

    public let user: String
    public let item: String
    public let title: String?
    /// The model's score of the pair: a predicted rating (clipped to the scale) or a ranking
    /// score on the model's own scale.
    public let score: Float
    /// What `score` is.
    public let scoreKind: ScoreKind
    /// `score` when it is a predicted rating; nil for ranking scores.
    public let predictedRating: Float?
    /// The user already rated or interacted with the item in training (it is never recommended).
    public let alreadyInteracted: Bool
    /// W_ui as defined by the model (0 when not explainable).
    public let weight: Float
    public let explainable: Bool
    /// "users" (similar users who rated the item) or "items" (similar items the user rated).
    public let basis: NeighborBasis
    /// Neighbourhood size k.
    public let neighborCount: Int
    /// Supporting neighbours, most similar first.
    public let neighbors: [NeighborRating]
    public let histogram: Histogram
    /// Mean rating of those neighbours, if any rated it.
    public let neighborAverage: Float?
    /// One plain sentence for a person.
    public let sentence: String

    enum CodingKeys: String, CodingKey {
        case user, item, title, score, weight, explainable
        case neighbors = "neighbours"
        case histogram, sentence, basis
        case scoreKind = "score_kind"
        case predictedRating = "predicted_rating"
        case alreadyInteracted = "already_interacted"
        case neighborCount = "neighbour_count"
        case neighborAverage = "neighbour_average"
    }
}

extension EMFModel {
    /// The rating thresholds used for the good/neutral/bad histogram: on a 1–5 scale, good ≥ 4,
    /// bad ≤ 2.
    var goodThreshold: Float { ratingRange.min + 0.75 * (ratingRange.max - ratingRange.min) }
    var badThreshold: Float { ratingRange.min + 0.25 * (ratingRange.max - ratingRange.min) }

    /// Explains the pair (u, i) from the training ratings its neighbourhood cites.
    public func explain(user u: Int, item i: Int) -> Explanation {
        let basis = neighborhood.basis
        let cited = explainability.support(user: u, item: Int32(i), neighborhood: neighborhood, ratings: training)
        let rated = cited.map {
            Explanation.NeighborRating(
                id: basis == .users ? users[$0.row] : items[$0.row],
                similarity: $0.similarity,
                rating: $0.rating
            )
        }
        let good = rated.filter { $0.rating >= goodThreshold }.count
        let bad = rated.filter { $0.rating <= badThreshold }.count
        let histogram = Explanation.Histogram(good: good, neutral: rated.count - good - bad, bad: bad)
        let average = rated.isEmpty ? nil : rated.reduce(Float(0)) { $0 + $1.rating } / Float(rated.count)
        let weight = explainability.apply(
            count: Float(cited.count),
            sum: cited.reduce(0) { $0 + $1.rating },
            k: neighborhood.k
        )
        let k = neighborhood.k
        let star = formatStars(goodThreshold)
        let implicit = feedback == .implicit
        let acted = implicit ? "interacted with" : "rated"
        let tally =
            implicit
            ? ""
            : " (average \(formatStars(average ?? 0))); \(good) of them \(star)★ or more"
        var sentence: String
        switch (basis, rated.isEmpty) {
        case (.users, true):
            sentence =
                "None of your \(k) most similar users \(acted) it; this recommendation rests on the latent factors alone."
        case (.users, false):
            sentence = "\(rated.count) of your \(k) most similar users \(acted) it\(tally)."
        case (.items, true):
            sentence =
                "You have \(acted) none of the \(k) items most similar to it; this recommendation rests on the latent factors alone."
        case (.items, false):
            sentence = "You \(acted) \(rated.count) of the \(k) items most similar to it\(tally)."
        }
        let own = training.rating(user: u, item: Int32(i))
        if let own {
            let yours = implicit ? "You already interacted with it" : "You already rated it \(formatStars(own))★"
            sentence = "\(yours), so it is not recommended to you. " + sentence
        }
        let score = predict(user: u, item: i)
        return Explanation(
            user: users[u],
            item: items[i],
            title: titles[i],
            score: score,
            scoreKind: scoreKind,
            predictedRating: scoreKind == .rating ? score : nil,
            alreadyInteracted: own != nil,
            weight: weight,
            explainable: weight > 0,
            basis: basis,
            neighborCount: k,
            neighbors: rated,
            histogram: histogram,
            neighborAverage: average,
            sentence: sentence
        )
    }

    private func formatStars(_ value: Float) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int(rounded)) : String(format1: rounded)
    }
}

extension String {
    /// One decimal (`4.4`); values no Int can hold in tenths (or NaN) as Swift prints them.
    init(format1 value: Float) {
        guard let tenths = Int(exactly: (value * 10).rounded()), abs(tenths) < 1 << 53 else {
            self = "\(value)"
            return
        }
        self = "\(tenths < 0 && tenths > -10 ? "-" : "")\(tenths / 10).\(abs(tenths % 10))"
    }
}
