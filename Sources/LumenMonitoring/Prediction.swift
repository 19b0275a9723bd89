import Foundation

/// What a served answer predicted, as much as the feedback that comes back later needs.
public enum Prediction: Sendable, Equatable, Codable {
    /// A classifier's top label with its probability, and the probabilities of the top-k
    /// classes served (for ROC and PR curves).
    case label(label: String, confidence: Double, scores: [String: Double] = [:])
    /// Predicted ratings (or ranking scores) of the items in a recommendation list or rationale.
    case ratings(user: String, predicted: [String: Double])
    /// Detections (feedback is counted, not scored).
    case detections(labels: [String])

    /// The closed set of prediction kinds, as stored.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case label, ratings, detections
    }

    public var kind: Kind {
        switch self {
        case .label: .label
        case .ratings: .ratings
        case .detections: .detections
        }
    }
}

/// One served answer as the store keeps it.
public struct StoredAnswer: Sendable, Equatable {
    /// The answer's id (`Lumen-Explanation-Id`).
    public var id: String
    public var time: Date
    /// The route that served it (`/v1/models/{name}/explain`, …).
    public var route: String
    /// The caller's name (token name, or "anonymous").
    public var caller: String
    public var model: String
    /// The model file's version (its SHA-256), when known.
    public var version: String?
    public var prediction: Prediction
    /// The input's features, for predictions observed from a model Lumen does not run.
    public var features: [String: FeatureValue]?

    public init(
        id: String,
        time: Date = Date(),
        route: String,
        caller: String,
        model: String,
        version: String? = nil,
        prediction: Prediction,
        features: [String: FeatureValue]? = nil
    ) {
        (self.id, self.time, self.route, self.caller) = (id, time, route, caller)
        (self.model, self.version, self.prediction, self.features) = (model, version, prediction, features)
    }
}

/// The ground truth posted for an answer, and how it scored.
public struct StoredFeedback: Sendable, Equatable {
    /// The true class (classifiers).
    public var label: String?
    /// The item and the rating the user gave (recommenders).
    public var item: String?
    public var rating: Double?
    /// Whether the predicted label was right (classifiers).
    public var correct: Bool?
    /// |predicted − given| (ratings).
    public var absoluteError: Double?

    public init(
        label: String? = nil,
        item: String? = nil,
        rating: Double? = nil,
        correct: Bool? = nil,
        absoluteError: Double? = nil
    ) {
        (self.label, self.item, self.rating) = (label, item, rating)
        (self.correct, self.absoluteError) = (correct, absoluteError)
    }
}

/// One input feature of an observed prediction, as a client sent it.
public enum FeatureValue: Sendable, Equatable, Codable {
    case number(Double)
    case text(String)
    case flag(Bool)
    case missing

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .missing
        } else if let b = try? c.decode(Bool.self) {
            self = .flag(b)
        } else if let x = try? c.decode(Double.self) {
            self = .number(x)
        } else if let s = try? c.decode(String.self) {
            self = .text(s)
        } else {
            throw DecodingError.dataCorruptedError(
                in: c,
                debugDescription: "a feature is a number, a string, a boolean or null"
            )
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let x): try c.encode(x)
        case .text(let s): try c.encode(s)
        case .flag(let b): try c.encode(b)
        case .missing: try c.encodeNil()
        }
    }
}
