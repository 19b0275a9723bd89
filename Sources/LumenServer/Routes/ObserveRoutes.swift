import Foundation
import Hummingbird
import LumenMonitoring

/// `POST /v1/observe` (viewer): a prediction made by a model Lumen does not run — from the
/// user's own model server — stored like Lumen's own answers, so ground truth posted to
/// `/v1/feedback` later scores it and `/v1/monitor/{model}` reports on it.
struct ObserveRoutes {
    let services: LumenServices

    struct Body: Decodable {
        let model: String
        /// The client's id for the prediction (default: a new one); feedback uses it.
        let id: String?
        /// A classifier's predicted label and, optionally, its class probabilities.
        let label: String?
        let probabilities: [String: Double]?
        /// A recommender's predicted rating of an item for a user.
        let user: String?
        let item: String?
        let rating: Double?
        /// The input's features (numbers, strings, booleans or null).
        let features: [String: FeatureValue]?
    }

    static let maxFeatures = 1000
    static let maxText = 1000

    func add(to group: RouterGroup<LumenRequestContext>) {
        group.post("/v1/observe") { request, context in
            let body = try await services.json(Body.self, from: request)
            let prediction = try Self.prediction(body)
            let id = body.id ?? services.audit.nextID()
            do {
                try services.predictions.record(
                    StoredAnswer(
                        id: id,
                        route: "/v1/observe",
                        caller: context.caller.name,
                        model: body.model,
                        prediction: prediction,
                        features: body.features
                    )
                )
            } catch MonitoringError.duplicateID {
                throw Problem.conflict("a prediction with id '\(id)' is already stored")
            } catch {
                throw services.storeFailure(error, refusing: "the observation", context: context)
            }
            try services.record(
                id: id,
                request: request,
                context: context,
                model: body.model,
                version: nil,
                digest: AuditRecord.digest(of: ["id": id, "model": body.model]),
                parameters: ["kind": prediction.kind.rawValue],
                outcome: "observed",
                status: 202
            )
            var w = JSONWriter()
            w.beginObject()
            w.field("id", id)
            w.field("model", body.model)
            w.field("kind", prediction.kind.rawValue)
            w.endObject()
            return Respond.json(w.bytes, status: .accepted, headers: [.explanationID: id])
        }
    }

    /// The prediction the body describes; 400/422 naming what is wrong.
    static func prediction(_ body: Body) throws -> Prediction {
        guard !body.model.isEmpty, body.model.count <= 200 else {
            throw Problem.badRequest("'model' must be 1…200 characters")
        }
        if let id = body.id, id.isEmpty || id.count > 200 { throw Problem.badRequest("'id' must be 1…200 characters") }
        if let features = body.features,
            features.count > maxFeatures || features.keys.contains(where: { $0.count > maxText })
        {
            throw Problem.unprocessable("at most \(maxFeatures) features, names of at most \(maxText) characters")
        }
        if let label = body.label {
            guard !label.isEmpty, label.count <= maxText else {
                throw Problem.badRequest("'label' must be 1…\(maxText) characters")
            }
            let probabilities = body.probabilities ?? [:]
            guard probabilities.count <= maxFeatures,
                probabilities.values.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1 })
            else {
                throw Problem.unprocessable("'probabilities' must be at most \(maxFeatures) values in [0, 1]")
            }
            return .label(label: label, confidence: probabilities[label] ?? 1, scores: probabilities)
        }
        if let rating = body.rating {
            guard rating.isFinite, let user = body.user, let item = body.item, !user.isEmpty, !item.isEmpty else {
                throw Problem.unprocessable("a rating prediction needs a finite 'rating', a 'user' and an 'item'")
            }
            return .ratings(user: user, predicted: [item: rating])
        }
        throw Problem.unprocessable(
            "say what was predicted: 'label' (with optional 'probabilities') or 'rating' with 'user' and 'item'"
        )
    }
}
