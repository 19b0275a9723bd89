import Foundation
import Hummingbird
import LumenMonitoring

/// `GET /v1/monitor/{model}?from=&to=` (viewer): one model's served answers in a time window
/// from the prediction store, with the ground truth posted for them — counts, and for
/// classifiers accuracy, the confusion matrix, per-class precision/recall/F1 and the expected
/// calibration error; for recommenders the rating errors.
struct MonitorRoutes {
    let services: LumenServices

    func add(to group: RouterGroup<LumenRequestContext>) {
        group.get("/v1/monitor/{model}") { request, context in
            let model = try RequestInput.path(context, "model")
            let parameters = request.uri.queryParameters
            func time(_ name: String, default value: Date) throws -> Date {
                guard let raw = parameters.get(name) else { return value }
                guard let date = AuditRoutes.parse(raw) else {
                    throw Problem.badRequest(
                        "'\(name)' must be an RFC 3339 time such as 2026-11-22T10:00:00Z, got '\(raw)'"
                    )
                }
                return date
            }
            let to = try time("to", default: Date())
            let from = try time("from", default: to.addingTimeInterval(-86_400))
            guard from <= to else { throw Problem.badRequest("'from' is after 'to'") }
            let window = try await services.compute.run { [services] in
                try services.predictions.window(model: model, from: from, to: to)
            }
            var w = JSONWriter(capacity: 2048)
            Self.write(window, into: &w)
            return Respond.json(w.bytes)
        }
    }

    static func write(_ m: MonitorWindow, into w: inout JSONWriter) {
        w.beginObject()
        w.field("model", m.model)
        w.field("from", JSONLogHandler.timestamp(m.from))
        w.field("to", JSONLogHandler.timestamp(m.to))
        w.field("answers", m.answers)
        w.field("with_feedback", m.withFeedback)
        w.key("kinds")
        w.beginObject()
        for kind in Prediction.Kind.allCases { w.field(kind.rawValue, m.kinds[kind] ?? 0) }
        w.endObject()
        w.key("classification")
        if let c = m.classification {
            w.beginObject()
            w.field("count", c.count)
            w.field("accuracy", c.accuracy)
            w.field("macro_f1", c.macroF1)
            w.field("expected_calibration_error", c.expectedCalibrationError)
            w.key("macro_roc_auc")
            optional(c.macroROCAUC, into: &w)
            w.key("macro_average_precision")
            optional(c.macroAveragePrecision, into: &w)
            w.key("labels")
            w.beginArray()
            for label in c.labels { w.value(label) }
            w.endArray()
            w.key("confusion")
            w.beginArray()
            for row in c.confusion {
                w.beginArray()
                for n in row { w.value(n) }
                w.endArray()
            }
            w.endArray()
            w.key("per_class")
            w.beginArray()
            for s in c.perClass {
                w.beginObject()
                w.field("label", s.label)
                w.field("precision", s.precision)
                w.field("recall", s.recall)
                w.field("f1", s.f1)
                w.field("support", s.support)
                w.key("roc_auc")
                optional(s.rocAUC, into: &w)
                w.key("average_precision")
                optional(s.averagePrecision, into: &w)
                w.endObject()
            }
            w.endArray()
            w.endObject()
        } else {
            w.null()
        }
        w.key("ratings")
        w.beginObject()
        w.field("count", m.ratingCount)
        w.key("mae")
        optional(m.ratingMAE, into: &w)
        w.key("rmse")
        optional(m.ratingRMSE, into: &w)
        w.endObject()
        w.endObject()
    }

    static func optional(_ x: Double?, into w: inout JSONWriter) {
        if let x { w.value(x) } else { w.null() }
    }
}
