import Foundation
import Logging
import LumenDrift
import LumenMonitoring

/// Drift of the traffic the server saw, on a schedule: for every features reference profile named
/// like a model with observed predictions (`POST /v1/observe` with features), the features of the
/// last `drift_window_hours` against the profile — stored and published like a posted check, so
/// `/v1/drift/latest`, the gauges and the alerts cover it without anyone posting current data.
extension LumenServices {
    /// Runs the check for every such model; returns the reports made (logged, never thrown).
    @discardableResult
    func checkServedDrift(now: Date = Date()) -> [DriftReport] {
        let from = now.addingTimeInterval(-configuration.driftWindowHours * 3600)
        var made: [DriftReport] = []
        for (name, reference) in store.catalog.references.sorted(by: { $0.key < $1.key })
        where reference.profile.kind == .features {
            do {
                let rows = try predictions.observedFeatures(model: name, from: from, to: now)
                guard !rows.isEmpty else { continue }
                let id = audit.nextID()
                var report = try Self.servedReport(rows, reference: reference.profile, name: name, id: id)
                report.reference = name
                try predictions.record(
                    StoredDriftCheck(
                        id: id,
                        time: now,
                        reference: name,
                        kind: report.kind.rawValue,
                        report: try JSONEncoder().encode(report)
                    )
                )
                publish(driftCheck: report, id: id, at: now)
                made.append(report)
                logger.info(
                    "drift checked on served traffic",
                    metadata: [
                        "reference": .string(name), "rows": .stringConvertible(rows.count),
                        "drifted": .stringConvertible(report.drifted),
                    ]
                )
            } catch {
                logger.error(
                    "drift check on served traffic failed",
                    metadata: ["reference": .string(name), "error": .string("\(error)")]
                )
            }
        }
        return made
    }

    /// The observed rows as columns, profiled like the reference and compared column by column.
    static func servedReport(
        _ rows: [[String: FeatureValue]],
        reference: ReferenceProfile,
        name: String,
        id: String
    ) throws -> DriftReport {
        let names = reference.columns.map(\.name)
        var columns: [String: [CellValue]] = [:]
        for column in names {
            columns[column] = rows.map { row in
                switch row[column] {
                case .number(let x)?: .number(x)
                case .text(let s)?: .text(s)
                case .flag(let b)?: .text(b ? "true" : "false")
                case .missing?, nil: .missing
                }
            }
        }
        let current = try ReferenceProfile.current(columns, like: reference, columns: names)
        let features = try DriftAnalysis.features(
            ReferenceProfile(
                kind: .features,
                source: name,
                columns: reference.columns.filter { c in current.columns.contains { $0.name == c.name } }
            ),
            current
        )
        return DriftReport(
            kind: .features,
            reference: name,
            current: "served traffic (\(rows.count) observed rows, \(id))",
            features: features,
            shareThreshold: 0.5
        )
    }
}
