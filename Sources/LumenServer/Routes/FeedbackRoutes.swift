import Hummingbird
import LumenIO

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
            _ = try RequestInput.requireMediaType(request, ["application/json"])
            let body = try RequestInput.decode(
                Body.self,
                from: try await RequestInput.body(
                    request,
                    limit: services.configuration.maxBodyBytes,
                    timeout: services.configuration.requestTimeoutSeconds
                )
            )
            let entry = try claim(body.id)
            // Refused feedback (no label, unknown item) leaves the answer open for a corrected post.
            var counted = false
            defer { if !counted { services.ledger.releaseFeedback(body.id) } }
            var w = JSONWriter()
            w.beginObject()
            w.field("prediction_id", body.id)
            w.field("model", entry.model)
            var parameters = ["prediction_id": body.id]
            let outcome = try score(body, against: entry, into: &w, parameters: &parameters)
            counted = true
            let id = services.audit.nextID()
            w.field("id", id)
            w.endObject()
            try services.record(
                id: id,
                request: request,
                context: context,
                model: entry.model,
                version: nil,
                digest: AuditRecord.digest(of: parameters),
                parameters: parameters,
                outcome: outcome,
                status: 202
            )
            return Respond.json(w.bytes, status: .accepted, headers: [.explanationID: id])
        }
    }

    /// The answer `id` refers to, claimed for this feedback: 404 when it is not remembered, 409
    /// when feedback for it was already taken.
    func claim(_ id: String) throws -> PredictionLedger.Entry {
        switch services.ledger.claimFeedback(id) {
        case .claimed(let found): return found
        case .unknown:
            throw Problem.notFound(
                "no answer with id '\(id)' is remembered (the server keeps the last \(services.ledger.capacity))"
            )
        case .alreadyAnswered:
            throw Problem.conflict("feedback for answer '\(id)' was already taken; it counts once")
        }
    }

    /// Scores the feedback against the answer (metrics, accuracy), writes what it found into the
    /// reply and the audit parameters, and returns the outcome; 422 when it does not fit the answer.
    func score(
        _ body: Body,
        against entry: PredictionLedger.Entry,
        into w: inout JSONWriter,
        parameters: inout [String: String]
    ) throws -> String {
        switch entry {
        case .label(let model, let predicted, _):
            guard let label = body.label else {
                throw Problem.unprocessable("answer '\(body.id)' was a classification; send 'label'")
            }
            let correct = label == predicted
            let accuracy = services.ledger.score(model: model, correct: correct)
            services.metrics.feedback(model: model, correct: correct, absoluteError: nil, accuracy: accuracy)
            let outcome = correct ? "correct" : "incorrect"
            w.field("outcome", outcome)
            w.field("predicted", predicted)
            w.field("accuracy", accuracy)
            parameters["label"] = label
            return outcome
        case .ratings(let model, _, let predicted):
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
            services.metrics.feedback(model: model, correct: nil, absoluteError: error, accuracy: nil)
            w.field("outcome", "rated")
            w.field("item", item)
            w.field("predicted", p)
            w.field("absolute_error", error)
            parameters["item"] = item
            parameters["rating"] = String(rating)
            return "rated"
        case .detections(let model, _):
            services.metrics.feedback(model: model, correct: nil, absoluteError: nil, accuracy: nil)
            w.field("outcome", "recorded")
            if let label = body.label { parameters["label"] = label }
            return "recorded"
        }
    }
}
