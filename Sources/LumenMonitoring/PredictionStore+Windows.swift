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
            let outcomes = try Row.fetchAll(
                db,
                sql:
                    "SELECT a.prediction AS prediction, f.label AS truth \(joined) AND a.kind = 'label' AND f.label IS NOT NULL",
                arguments: range
            ).compactMap { row -> ClassificationReport.Outcome? in
                let text: String = row["prediction"]
                guard
                    case .label(let predicted, let confidence, let scores)? = try? JSONDecoder().decode(
                        Prediction.self,
                        from: Data(text.utf8)
                    )
                else { return nil }
                return ClassificationReport.Outcome(
                    predicted: predicted,
                    truth: row["truth"],
                    confidence: confidence,
                    scores: scores
                )
            }
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
}
