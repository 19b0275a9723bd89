import Foundation
import LumenIO

/// Everything a drift run found, for machines (JSON) and people (HTML).
public struct DriftReport: Sendable, Codable, Equatable {
    public var kind: DriftKind
    public var createdAt: String
    public var reference: String
    public var current: String
    public var features: [FeatureDrift]
    public var driftedShare: Double
    /// Share of drifted features at which the data set counts as drifted (Evidently: 0.5).
    public var shareThreshold: Double
    public var multivariate: MultivariateReport?
    public var latent: LatentDriftReport?
    public var skipped: [SkippedImage]
    public var drifted: Bool

    public init(
        kind: DriftKind,
        reference: String,
        current: String,
        features: [FeatureDrift],
        shareThreshold: Double = 0.5,
        multivariate: MultivariateReport? = nil,
        latent: LatentDriftReport? = nil,
        skipped: [SkippedImage] = []
    ) {
        self.kind = kind
        createdAt = ISO8601DateFormatter().string(from: Date())
        self.reference = reference
        self.current = current
        self.features = features
        let decided = features.filter { !$0.insufficientData }
        driftedShare = decided.isEmpty ? 0 : Double(decided.filter(\.result.drifted).count) / Double(decided.count)
        self.shareThreshold = shareThreshold
        self.multivariate = multivariate
        self.latent = latent
        self.skipped = skipped
        drifted = latent?.drifted ?? multivariate?.drifted ?? (!decided.isEmpty && driftedShare >= shareThreshold)
    }

    /// A report for latent-factor drift: one row per factor dimension beside the multivariate verdict.
    public static func latent(_ latent: LatentDriftReport, reference: String, current: String) -> DriftReport {
        let features = latent.multivariate.perDimension.enumerated().map { k, r in
            FeatureDrift(
                name: "factor \(k)",
                kind: .numeric,
                result: r,
                statistics: [r],
                bins: [],
                referenceShare: [],
                currentShare: [],
                referenceCount: latent.referenceCount,
                currentCount: latent.currentCount,
                responsible: []
            )
        }
        return DriftReport(kind: .latent, reference: reference, current: current, features: features, latent: latent)
    }

    enum CodingKeys: String, CodingKey {
        case kind, reference, current, features, multivariate, latent, skipped, drifted
        case createdAt = "created_at"
        case driftedShare = "drifted_share"
        case shareThreshold = "share_threshold"
    }

    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf",
            negativeInfinity: "-inf",
            nan: "nan"
        )
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// One line for a terminal: the verdict, the drifted features (largest score beyond its threshold first), and
    /// what limits it (features without enough rows, tests run on a profile's sample).
    public var summary: String {
        let drifting = features.filter(\.result.drifted).sorted { $0.result.excess > $1.result.excess }
        let names = drifting.map(\.name)
        let insufficient = features.filter(\.insufficientData)
        let decided = features.count - insufficient.count
        var text = drifted ? "DRIFT" : decided == 0 && !features.isEmpty ? "insufficient data" : "no drift"
        let noun = kind == .images ? "properties" : kind == .latent ? "dimensions" : "features"
        if decided > 0 { text += ": \(names.count) of \(decided) \(noun) drifted" }
        if !names.isEmpty { text += " (\(names.prefix(8).joined(separator: ", "))\(names.count > 8 ? ", …" : ""))" }
        if !insufficient.isEmpty {
            text +=
                "; \(insufficient.count) with too few rows for a verdict"
                + " (\(insufficient.prefix(3).map(\.name).joined(separator: ", "))\(insufficient.count > 3 ? ", …" : ""))"
        }
        if let sampled = features.first(where: \.sampled) {
            text +=
                "; tested on a sample (\(sampled.referenceTested) of \(sampled.referenceCount) reference rows,"
                + " \(sampled.currentTested) of \(sampled.currentCount) current rows)"
        }
        if let latent {
            text += String(
                format: "; latent %@: MMD p = %.3f, %.0f%% of dimensions drifted",
                latent.kind.rawValue,
                latent.multivariate.mmd?.pValue ?? .nan,
                latent.multivariate.driftedShare * 100
            )
            if let retrain = latent.retrain {
                let band = retrain.seedNoise.map(\.predictionCorrelation).min() ?? .nan
                text += String(
                    format: "; retrain check: predictions correlate %.3f with the old model's (seed-to-seed ≥ %.3f, "
                        + "drift below %.3f): %@",
                    retrain.observed.predictionCorrelation,
                    band,
                    band - retrain.tolerance,
                    retrain.drifted ? "beyond retraining noise" : "within retraining noise"
                )
            }
            if !latent.movedMost.isEmpty {
                text +=
                    "; moved most: "
                    + latent.movedMost.prefix(10).map { "\($0.id) (\(String(format: "%.3g", $0.distance)))" }
                    .joined(separator: ", ")
                    + (latent.movedMost.count > 10 ? " (all \(latent.movedMost.count) in the JSON report)" : "")
            }
        }
        if !skipped.isEmpty { text += "; \(skipped.count) unreadable file(s) skipped" }
        return text
    }
}
