import Foundation
import LumenIO

/// The drift comparisons behind `lumen drift`: profiles on either side, features, predictions and
/// image properties.
public enum DriftAnalysis {
    /// Compares matching columns of two profiles. `tests` forces a test per kind of feature (by default Evidently's
    /// choice per feature); features with fewer than `minimumRows` rows on a side get no verdict.
    public static func features(
        _ reference: ReferenceProfile,
        _ current: ReferenceProfile,
        tests: DriftTestChoice = .automatic,
        correction: MultipleTesting = .none,
        alpha: Double = 0.05,
        minimumRows: Int = ColumnComparison.minimumRows
    ) throws(DriftError) -> [FeatureDrift] {
        var byName: [String: ColumnProfile] = [:]
        for column in current.columns where byName[column.name] == nil { byName[column.name] = column }
        var results: [FeatureDrift] = []
        results.reserveCapacity(reference.columns.count)
        for column in reference.columns {
            guard let other = byName[column.name] else {
                let names = current.columns.map(\.name)
                let hint = NameSuggestion.nearest(column.name, in: names).map { "; did you mean '\($0)'?" } ?? ""
                let shown = names.prefix(20).joined(separator: ", ") + (names.count > 20 ? ", … (\(names.count))" : "")
                throw .dimensionMismatch(
                    "column '\(column.name)' is missing from the current data, which has \(shown)\(hint)"
                )
            }
            results.append(
                try ColumnComparison.compare(
                    column,
                    other,
                    test: tests.test(for: column.kind),
                    minimumRows: minimumRows
                )
            )
        }
        // Corrections apply to the p-value tests that reached a verdict.
        if correction != .none {
            let indices = results.indices.filter {
                results[$0].result.pValue != nil && results[$0].result.direction == .lowerIsDrift
                    && !results[$0].insufficientData
            }
            let flags = correction.significant(indices.map { results[$0].result.pValue! }, alpha: alpha)
            for (k, i) in indices.enumerated() { results[i].result.drifted = flags[k] }
        }
        return results
    }

    /// Profiles a scanned image folder (one column per property).
    public static func profile(_ scan: ImageFolderScan, source: String) throws(DriftError) -> ReferenceProfile {
        var columns: [ColumnProfile] = []
        for (k, name) in ImageProperties.names.enumerated() {
            columns.append(try ColumnProfile.numeric(name, scan.values(of: k)))
        }
        return ReferenceProfile(kind: .images, source: source, columns: columns)
    }

    /// Image-property drift: KS statistic as the score (Deepchecks, drift ≥ 0.2), with the
    /// normalised Earth mover's distance beside it, and the images most responsible.
    public static func images(
        _ reference: ReferenceProfile,
        current scan: ImageFolderScan,
        source: String
    ) throws(DriftError) -> DriftReport {
        let currentProfile = try profile(scan, source: source)
        var report = try images(reference, currentProfile)
        for (k, name) in ImageProperties.names.enumerated() {
            guard report.features[k].result.drifted,
                let q = reference.columns.first(where: { $0.name == name })?.quantiles
            else { continue }
            let values = scan.values(of: k)
            let low = q[1]
            let high = q[99]
            let spread = max(q[75] - q[25], 1e-12)
            let median = q[50]
            let extreme = zip(scan.files, values).filter { $0.1 < low || $0.1 > high }
                .sorted { abs($0.1 - median) > abs($1.1 - median) }.prefix(5)
            report.features[k].responsibleFiles = extreme.map(\.0)
            report.features[k].responsible = extreme.map {
                "\($0.0) (\(ColumnComparison.short($0.1)); reference median \(ColumnComparison.short(median)), IQR \(ColumnComparison.short(spread)))"
            }
        }
        report.skipped = scan.skipped
        return report
    }

    /// Fewer images than this in a folder give "insufficient data" per property (a KS statistic on a handful of
    /// images says little; Deepchecks states no minimum).
    public static let minimumImages = 10

    /// Image-property drift between two profiles (no per-image attribution).
    public static func images(
        _ reference: ReferenceProfile,
        _ current: ReferenceProfile
    ) throws(DriftError) -> DriftReport {
        var features: [FeatureDrift] = []
        for name in ImageProperties.names {
            guard let ref = reference.columns.first(where: { $0.name == name }), let r = ref.reservoir else {
                throw .badProfile("the reference has no image property '\(name)'")
            }
            guard let cur = current.columns.first(where: { $0.name == name }), let values = cur.reservoir else {
                throw .badProfile("the current data has no image property '\(name)'")
            }
            var drift = try ColumnComparison.compare(ref, cur, minimumRows: minimumImages)
            let ks = try UnivariateTests.kolmogorovSmirnov(r, values)
            // Earth mover's distance after min-max scaling both samples to the pooled range.
            let lo = min(r.min()!, values.min()!)
            let hi = max(r.max()!, values.max()!)
            let span = hi > lo ? hi - lo : 1
            let emd = try UnivariateTests.wasserstein(r.map { ($0 - lo) / span }, values.map { ($0 - lo) / span })
            drift.result = DriftResult(
                method: "ks_statistic",
                statistic: ks.statistic,
                pValue: ks.pValue,
                threshold: 0.2,
                direction: .higherIsDrift
            )
            if drift.insufficientData { drift.result.drifted = false }
            drift.statistics =
                [
                    drift.result,
                    DriftResult(
                        method: "earth_movers_normed",
                        statistic: emd,
                        pValue: nil,
                        threshold: 0.1,
                        direction: .higherIsDrift
                    ),
                ]
                + drift.statistics.filter { $0.method != "ks" }
            features.append(drift)
        }
        return DriftReport(
            kind: .images,
            reference: reference.source,
            current: current.source,
            features: features,
            shareThreshold: 1.0 / 7.0
        )
    }
}
