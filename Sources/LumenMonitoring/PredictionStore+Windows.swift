import Foundation
import GRDB

/// A time window of one model's stored answers: what was served, what came back, how it scored.
public struct MonitorWindow: Sendable, Equatable {
    public let model: String
    public let from: Date
    public let to: Date
    /// Answers served in the window, and how many of them got ground truth.
    public let answers: Int
    public let withFeedback: Int
    /// Served answers per prediction kind.
    public let kinds: [Prediction.Kind: Int]
    /// Classifier answers with a true label.
    public let classification: ClassificationReport?
    /// Rating answers with a given rating: mean absolute and root mean squared error.
    public let ratingMAE: Double?
    public let ratingRMSE: Double?
    public let ratingCount: Int
}

extension PredictionStore {
    /// The window [from, to) of `model`'s answers (feedback joined whenever it arrived).
    public func window(model: String, from: Date, to: Date) throws(MonitoringError) -> MonitorWindow {
        guard from <= to else { throw .invalidWindow("'from' is after 'to'") }
        let range: StatementArguments = [model, from.timeIntervalSince1970, to.timeIntervalSince1970]
        return try read { db in
            var kinds: [Prediction.Kind: Int] = [:]
            var answers = 0
            for row in try Row.fetchAll(
                db,
                sql: "SELECT kind, COUNT(*) AS n FROM answer WHERE model = ? AND time >= ? AND time < ? GROUP BY kind",
                arguments: range
            ) {
                let n: Int = row["n"]
                answers += n
                if let kind = Prediction.Kind(rawValue: row["kind"]) { kinds[kind] = n }
            }
            let joined = "FROM answer a JOIN feedback f ON f.id = a.id WHERE a.model = ? AND a.time >= ? AND a.time < ?"
            let withFeedback = try Int.fetchOne(db, sql: "SELECT COUNT(*) \(joined)", arguments: range) ?? 0
            let outcomes = try Self.outcomes(db, joined: joined, range: range)
            let errors = try Double.fetchAll(
                db,
                sql: "SELECT f.absolute_error \(joined) AND a.kind = 'ratings' AND f.absolute_error IS NOT NULL",
                arguments: range
            )
            let mae = errors.isEmpty ? nil : errors.reduce(0, +) / Double(errors.count)
            let rmse = errors.isEmpty ? nil : (errors.reduce(0) { $0 + $1 * $1 } / Double(errors.count)).squareRoot()
            return MonitorWindow(
                model: model,
                from: from,
                to: to,
                answers: answers,
                withFeedback: withFeedback,
                kinds: kinds,
                classification: outcomes.isEmpty ? nil : ClassificationReport(outcomes),
                ratingMAE: mae,
                ratingRMSE: rmse,
                ratingCount: errors.count
            )
        }
    }

    /// The features of `model`'s observed predictions in [from, to), oldest first.
    public func observedFeatures(
        model: String,
        from: Date,
        to: Date
    ) throws(MonitoringError) -> [[String: FeatureValue]] {
        try read { db in
            try String.fetchAll(
                db,
                sql:
                    "SELECT features FROM answer WHERE model = ? AND time >= ? AND time < ? AND features IS NOT NULL ORDER BY time",
                arguments: [model, from.timeIntervalSince1970, to.timeIntervalSince1970]
            ).compactMap { try? JSONDecoder().decode([String: FeatureValue].self, from: Data($0.utf8)) }
        }
    }

    /// The classifier answers of the window that got a true label, with their stored scores.
    public func outcomes(model: String, from: Date, to: Date) throws(MonitoringError) -> [ClassificationReport.Outcome]
    {
        let range: StatementArguments = [model, from.timeIntervalSince1970, to.timeIntervalSince1970]
        return try read { db in
            try Self.outcomes(
                db,
                joined: "FROM answer a JOIN feedback f ON f.id = a.id WHERE a.model = ? AND a.time >= ? AND a.time < ?",
                range: range
            )
        }
    }

    static func outcomes(
        _ db: Database,
        joined: String,
        range: StatementArguments
    ) throws -> [ClassificationReport.Outcome] {
        // Label and confidence are columns; only the class scores come from the stored JSON, read
        // with JSONSerialization (several times faster than JSONDecoder here, measured in
        // `lumen-bench store`).
        try Row.fetchAll(
            db,
            sql: """
                SELECT a.label AS predicted, a.confidence AS confidence, a.prediction AS prediction, f.label AS truth
                \(joined) AND a.kind = 'label' AND f.label IS NOT NULL
                """,
            arguments: range
        ).map { row in
            var scores: [String: Double] = [:]
            if let text = row["prediction"] as String?,
                let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                let label = object["label"] as? [String: Any], let stored = label["scores"] as? [String: Any]
            {
                for (name, value) in stored { if let x = value as? Double { scores[name] = x } }
            }
            return ClassificationReport.Outcome(
                predicted: row["predicted"] ?? "",
                truth: row["truth"],
                confidence: row["confidence"] ?? 0,
                scores: scores
            )
        }
    }

    /// Answers, feedback and classifier accuracy per bucket of `bucketSeconds` from `from` (empty
    /// buckets included), for the report's time series.
    public func series(
        model: String,
        from: Date,
        to: Date,
        bucketSeconds: Double
    ) throws(MonitoringError) -> [SeriesPoint] {
        guard bucketSeconds >= 1, from <= to else { throw .invalidWindow("buckets must be at least a second long") }
        let count = Int(((to.timeIntervalSince1970 - from.timeIntervalSince1970) / bucketSeconds).rounded(.up))
        guard count <= 100_000 else { throw .invalidWindow("\(count) buckets; use longer ones") }
        let start = from.timeIntervalSince1970
        let rows = try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT CAST((a.time - ?) / ? AS INTEGER) AS bucket, COUNT(*) AS answers, COUNT(f.id) AS feedback,
                           COALESCE(SUM(f.correct), 0) AS right, COUNT(f.correct) AS scored
                    FROM answer a LEFT JOIN feedback f ON f.id = a.id
                    WHERE a.model = ? AND a.time >= ? AND a.time < ?
                    GROUP BY bucket ORDER BY bucket
                    """,
                arguments: [start, bucketSeconds, model, start, to.timeIntervalSince1970]
            )
        }
        var points = (0..<max(count, 0)).map {
            SeriesPoint(
                start: Date(timeIntervalSince1970: start + Double($0) * bucketSeconds),
                answers: 0,
                withFeedback: 0,
                correct: 0,
                scored: 0
            )
        }
        for row in rows {
            let b: Int = row["bucket"]
            guard points.indices.contains(b) else { continue }
            points[b].answers = row["answers"]
            points[b].withFeedback = row["feedback"]
            points[b].correct = row["right"]
            points[b].scored = row["scored"]
        }
        return points
    }
}

/// One bucket of a model's time series.
public struct SeriesPoint: Sendable, Equatable {
    public var start: Date
    public var answers: Int
    public var withFeedback: Int
    /// Classifier feedback in the bucket: confirmed, and all.
    public var correct: Int
    public var scored: Int

    public var accuracy: Double? { scored > 0 ? Double(correct) / Double(scored) : nil }
}
