import LumenRecs

/// Writes recommendation rationales as JSON by hand: the rationale routes are the hot path
/// (thousands per second) and the field set is fixed. Same keys as `Explanation`'s Codable form.
enum ExplanationJSON {
    static func write(_ e: Explanation, into w: inout JSONWriter) {
        w.beginObject()
        w.field("user", e.user)
        w.field("item", e.item)
        w.field("title", e.title)
        w.field("score", e.score)
        w.field("score_kind", e.scoreKind.rawValue)
        w.key("predicted_rating")
        if let r = e.predictedRating { w.value(r) } else { w.null() }
        w.field("already_interacted", e.alreadyInteracted)
        w.field("weight", e.weight)
        w.field("explainable", e.explainable)
        w.field("basis", e.basis.rawValue)
        w.field("neighbour_count", e.neighborCount)
        w.key("neighbours")
        w.beginArray()
        for n in e.neighbors {
            w.beginObject()
            w.field("id", n.id)
            w.field("similarity", n.similarity)
            w.field("rating", n.rating)
            w.endObject()
        }
        w.endArray()
        w.key("histogram")
        w.beginObject()
        w.field("good", e.histogram.good)
        w.field("neutral", e.histogram.neutral)
        w.field("bad", e.histogram.bad)
        w.endObject()
        w.key("neighbour_average")
        if let a = e.neighborAverage { w.value(a) } else { w.null() }
        w.field("sentence", e.sentence)
        w.endObject()
    }
}
