import Foundation
import Prometheus

/// Drift checks and ground-truth feedback, as gauges, counters and histograms.
extension ServerMetrics {
    /// The latest drift check against `reference`.
    func drift(
        reference: String,
        kind: String,
        features: [(name: String, score: Double, drifted: Bool)],
        share: Double,
        drifted: Bool,
        checkedAt: Date = Date()
    ) {
        for f in features {
            let labels = [("reference", reference), ("kind", kind), ("feature", f.name)]
            registry.makeGauge(
                descriptor: .lumen(
                    "drift_score",
                    unit: "",
                    help: "Latest drift score per reference and feature (see the report for its test)."
                ),
                labels: labels
            )
            .set(to: f.score)
            registry.makeGauge(
                descriptor: .lumen(
                    "drift_detected",
                    unit: "",
                    help: "1 if the feature drifted in the latest check, else 0."
                ),
                labels: labels
            )
            .set(to: f.drifted ? 1 : 0)
        }
        let labels = [("reference", reference), ("kind", kind)]
        registry.makeGauge(
            descriptor: .lumen(
                "drift_features_drifted",
                unit: "ratio",
                help: "Share of features drifted in the latest check."
            ),
            labels: labels
        )
        .set(to: share)
        registry.makeGauge(
            descriptor: .lumen(
                "drift_dataset_drifted",
                unit: "",
                help: "1 if the latest check flagged the data set as drifted."
            ),
            labels: labels
        )
        .set(to: drifted ? 1 : 0)
        registry.makeGauge(
            descriptor: .lumen("drift_last_check_timestamp", unit: "seconds", help: "When the latest drift check ran."),
            labels: labels
        )
        .set(to: checkedAt.timeIntervalSince1970)
    }

    /// Sets the accuracy gauge from stored feedback (at start).
    func restoreAccuracy(model: String, accuracy: Double) {
        accuracyGauge(model: model).set(to: accuracy)
    }

    func accuracyGauge(model: String) -> Gauge {
        registry.makeGauge(
            descriptor: .lumen(
                "feedback_accuracy",
                unit: "ratio",
                help: "Share of classified predictions confirmed by feedback (all stored feedback)."
            ),
            labels: [("model", model)]
        )
    }

    /// Ground truth posted back for a served prediction.
    func feedback(model: String, correct: Bool?, absoluteError: Double?, accuracy: Double?) {
        let outcome = correct.map { $0 ? "correct" : "incorrect" } ?? "rated"
        registry.makeCounter(
            descriptor: .lumen("feedback", unit: "total", help: "Ground-truth feedback received, by outcome."),
            labels: [("model", model), ("outcome", outcome)]
        ).increment()
        if let accuracy { accuracyGauge(model: model).set(to: accuracy) }
        if let absoluteError {
            registry.makeValueHistogram(
                descriptor: .lumen(
                    "feedback_rating_absolute_error",
                    unit: "",
                    help: "Absolute error of predicted ratings against feedback."
                ),
                labels: [("model", model)],
                buckets: [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4]
            ).record(absoluteError)
        }
    }
}
