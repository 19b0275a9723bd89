import Hummingbird
import LumenIO
import LumenMonitoring

/// `POST /v1/feedback` (viewer): ground truth for an answer served earlier, scored against what
/// was predicted (label accuracy for classifiers, absolute error for ratings).
struct FeedbackRoutes {
    let services: LumenServices

    struct Body: Decodable {
        /// The explanation id of the answer (`Lumen-Explanation-Id`).
        let id: String
        /// The true class (image models).
        let label: String?
        /// The item and the rating the user actually gave (recommenders).
        let item: String?
        let rating: Double?
    }

    func add(to group: RouterGroup<LumenRequestContext>) {
        group.post("/v1/feedback") { request, context in
            let body = try await services.json(Body.self, from: request)
            // Scored inside the store's transaction: a refused post (no label, unknown item)
            // stores nothing and leaves the answer open for a corrected one.
            let claim = try services.predictions.takeFeedback(for: body.id) { answer in
                try score(body, against: answer)
            }
            let (answer, scored) = try accepted(claim, id: body.id)
            let accuracy = try scored.correct.map { _ in try services.predictions.accuracy(model: answer.model) }
            services.metrics.feedback(
                model: answer.model,
                correct: scored.correct,
                absoluteError: scored.absoluteError,
                accuracy: accuracy
            )
            var w = JSONWriter()
            w.beginObject()
            w.field("prediction_id", body.id)
            w.field("model", answer.model)
            scored.write(into: &w, accuracy: accuracy)
            var parameters = scored.parameters
            parameters["prediction_id"] = body.id
            let outcome = scored.outcome
            let id = services.audit.nextID()
            w.field("id", id)
            w.endObject()
            try services.record(
                id: id,
                request: request,
                context: context,
                model: answer.model,
                version: nil,
                digest: AuditRecord.digest(of: parameters),
                parameters: parameters,
                outcome: outcome,
                status: 202
            )
            return Respond.json(w.bytes, status: .accepted, headers: [.explanationID: id])
        }
    }

    /// What scoring a post against its answer found.
    struct Scored: Sendable {
        var outcome: String
        var correct: Bool?
        var absoluteError: Double?
        /// Reply fields besides the outcome and accuracy.
        var predicted: String?
        var predictedRating: Double?
        var item: String?
        /// Audit parameters.
        var parameters: [String: String] = [:]

        func write(into w: inout JSONWriter, accuracy: Double?) {
            w.field("outcome", outcome)
            if let item { w.field("item", item) }
            if let predicted { w.field("predicted", predicted) }
            if let predictedRating { w.field("predicted", predictedRating) }
            if let absoluteError { w.field("absolute_error", absoluteError) }
            if let accuracy { w.field("accuracy", accuracy) }
        }
    }

    /// The answer the feedback was taken for: 404 when none is stored under `id`, 409 when
    /// feedback for it was already taken.
    func accepted(_ claim: PredictionStore.Claim<Scored>, id: String) throws -> (StoredAnswer, Scored) {
        switch claim {
        case .accepted(let answer, let scored): return (answer, scored)
        case .unknown:
            throw Problem.notFound("no answer with id '\(id)' is stored (never served here, or pruned by retention)")
        case .alreadyAnswered:
            throw Problem.conflict("feedback for answer '\(id)' was already taken; it counts once")
        }
    }

    /// Scores the post against the stored answer: what to store and what to reply; 422 when it
    /// does not fit the answer.
    func score(_ body: Body, against answer: StoredAnswer) throws -> (StoredFeedback, Scored) {
        switch answer.prediction {
        case .label(let predicted, _, _):
            guard let label = body.label else {
                throw Problem.unprocessable("answer '\(body.id)' was a classification; send 'label'")
            }
            let correct = label == predicted
            let scored = Scored(
                outcome: correct ? "correct" : "incorrect",
                correct: correct,
                predicted: predicted,
                parameters: ["label": label]
            )
            return (StoredFeedback(label: label, correct: correct), scored)
        case .ratings(_, let predicted):
            guard let rating = body.rating, rating.isFinite else {
                throw Problem.unprocessable("answer '\(body.id)' was a rating prediction; send a finite 'rating'")
            }
            let item: String
            if let given = body.item {
                item = given
            } else if predicted.count == 1 {
                item = predicted.keys.first!
            } else {
                throw Problem.unprocessable(
                    "answer '\(body.id)' covered \(predicted.count) items; say which with 'item'"
                )
            }
            guard let p = predicted[item] else {
                throw Problem.unprocessable("item '\(item)' was not part of answer '\(body.id)'")
            }
            let error = abs(p - rating)
            let scored = Scored(
                outcome: "rated",
                absoluteError: error,
                predictedRating: p,
                item: item,
                parameters: ["item": item, "rating": String(rating)]
            )
            return (StoredFeedback(item: item, rating: rating, absoluteError: error), scored)
        case .detections:
            var parameters: [String: String] = [:]
            if let label = body.label { parameters["label"] = label }
            return (StoredFeedback(label: body.label), Scored(outcome: "recorded", parameters: parameters))
        }
    }
}
