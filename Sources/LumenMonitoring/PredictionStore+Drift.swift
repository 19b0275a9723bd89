import Foundation
import GRDB

/// One drift check the server ran, kept so its gauges and `/v1/drift/latest` survive a restart
/// (a gauge that vanishes makes Alertmanager send "resolved" for an alert that never was).
public struct StoredDriftCheck: Sendable, Equatable {
    public var id: String
    public var time: Date
    public var reference: String
    /// The check's kind (features, predictions, images, latent).
    public var kind: String
    /// The report as JSON (LumenDrift's `DriftReport`; the store does not read it).
    public var report: Data

    public init(id: String, time: Date = Date(), reference: String, kind: String, report: Data) {
        (self.id, self.time, self.reference, self.kind, self.report) = (id, time, reference, kind, report)
    }
}

extension PredictionStore {
    /// Stores a drift check; returns once it is committed.
    public func record(_ check: StoredDriftCheck) throws(MonitoringError) {
        try write { db in
            try db.execute(
                sql: "INSERT INTO drift_check (id, time, reference, kind, report) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    check.id, check.time.timeIntervalSince1970, check.reference, check.kind,
                    String(decoding: check.report, as: UTF8.self),
                ]
            )
        }
    }

    /// The latest check per reference and kind (ties: the later insert).
    public func latestDriftChecks() throws(MonitoringError) -> [StoredDriftCheck] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM drift_check d WHERE d.rowid = (
                        SELECT rowid FROM drift_check WHERE reference = d.reference AND kind = d.kind
                        ORDER BY time DESC, rowid DESC LIMIT 1)
                    ORDER BY reference, kind
                    """
            ).map { row in
                StoredDriftCheck(
                    id: row["id"],
                    time: Date(timeIntervalSince1970: row["time"]),
                    reference: row["reference"],
                    kind: row["kind"],
                    report: Data((row["report"] as String).utf8)
                )
            }
        }
    }
}
