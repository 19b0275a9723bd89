import Hummingbird
import LumenIO
import LumenMonitoring
import LumenRecs

/// `GET /v1/recs/{model}/users/{user}/recommendations` (viewer) and
/// `GET /v1/recs/{model}/users/{user}/items/{item}/explanation` (auditor).
struct RecsRoutes {
    let services: LumenServices

    func addViewer(to group: RouterGroup<LumenRequestContext>) {
        group.get("/v1/recs/{model}/users/{user}/recommendations") { request, context in
            let (name, loaded) = try recommender(context)
            let userID = try RequestInput.path(context, "user")
            let n = try RequestInput.int(request, "n", default: 10, range: 1...100)
            let explainableOnly = try RequestInput.bool(request, "explainable_only", default: false)
            let model = loaded.model
            let u = try model.user(userID)
            let list = model.recommend(user: u, n: n, explainableOnly: explainableOnly)
            let id = services.audit.nextID()
            let explainable = list.filter(\.explanation.explainable).count
            services.metrics.recommended(model: name, items: list.map(\.explanation.item), explainable: explainable)
            var predicted: [String: Double] = [:]
            for r in list {
                if let rating = r.explanation.predictedRating { predicted[r.explanation.item] = Double(rating) }
            }
            try services.remember(
                id: id,
                request: request,
                context: context,
                model: name,
                version: loaded.info.version,
                prediction: .ratings(user: userID, predicted: predicted)
            )
            let parameters = ["user": userID, "n": String(n), "explainable_only": String(explainableOnly)]
            try services.record(
                id: id,
                request: request,
                context: context,
                model: name,
                version: loaded.info.version,
                digest: SHA256.hex("user=\(userID)&n=\(n)&explainable_only=\(explainableOnly)"),
                parameters: parameters,
                outcome: "\(list.count) item(s): " + list.prefix(5).map(\.explanation.item).joined(separator: ",")
            )
            var w = JSONWriter(capacity: 4096)
            w.beginObject()
            w.field("id", id)
            w.field("model", name)
            w.field("model_version", loaded.info.version)
            w.field("user", userID)
            w.field("explainable_share", list.isEmpty ? 0 : Double(explainable) / Double(list.count))
            w.key("recommendations")
            w.beginArray()
            for r in list {
                w.beginObject()
                w.field("rank", r.rank)
                w.key("explanation")
                ExplanationJSON.write(r.explanation, into: &w)
                w.endObject()
            }
            w.endArray()
            w.endObject()
            return Respond.json(w.bytes, headers: [.explanationID: id])
        }
    }

    func addAuditor(to group: RouterGroup<LumenRequestContext>) {
        group.get("/v1/recs/{model}/users/{user}/items/{item}/explanation") { request, context in
            let (name, loaded) = try recommender(context)
            let userID = try RequestInput.path(context, "user")
            let itemID = try RequestInput.path(context, "item")
            let model = loaded.model
            let u = try model.user(userID)
            let i = try model.item(itemID)
            let e = model.explain(user: u, item: i)
            let id = services.audit.nextID()
            try services.remember(
                id: id,
                request: request,
                context: context,
                model: name,
                version: loaded.info.version,
                prediction: .ratings(user: userID, predicted: e.predictedRating.map { [itemID: Double($0)] } ?? [:])
            )
            try services.record(
                id: id,
                request: request,
                context: context,
                model: name,
                version: loaded.info.version,
                digest: SHA256.hex("user=\(userID)&item=\(itemID)"),
                parameters: ["user": userID, "item": itemID],
                outcome: e.sentence
            )
            var w = JSONWriter(capacity: 1024)
            w.beginObject()
            w.field("id", id)
            w.field("model", name)
            w.field("model_version", loaded.info.version)
            w.key("explanation")
            ExplanationJSON.write(e, into: &w)
            w.endObject()
            return Respond.json(w.bytes, headers: [.explanationID: id])
        }
    }

    private func recommender(_ context: LumenRequestContext) throws -> (String, ModelCatalog.Recommender) {
        let name = try RequestInput.path(context, "model")
        return (name, try ModelCatalog.require(services.store.catalog.recommenders, name, noun: "recommender"))
    }
}
