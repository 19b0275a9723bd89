import Foundation
import GRDB
import Synchronization

/// Every answer the server gave and the ground truth posted for it, in SQLite (WAL): it
/// survives restarts, and several processes on one machine can share the file. An answer's row
/// is committed before the answer is sent, so feedback for it can always be joined, days later.
public final class PredictionStore: Sendable {
    /// How much a committed row survives.
    public enum Durability: Sendable {
        /// A crash of the process (`synchronous = NORMAL` in WAL mode): the default, as for the
        /// audit log.
        case processCrash
        /// Power loss too (`synchronous = FULL`: an fsync per commit).
        case powerLoss
    }

    /// What taking feedback for an id found.
    public enum Claim<Outcome: Sendable>: Sendable {
        /// The answer, its feedback now stored, with what the scorer returned.
        case accepted(StoredAnswer, Outcome)
        /// No answer with that id is stored (never served, or pruned).
        case unknown
        /// Feedback for it was already taken: counting it again would skew the metrics.
        case alreadyAnswered
    }

    public let path: String
    let pool: DatabasePool
    /// The latest failed write, for `problem(window:)`.
    let lastFailure = Mutex<(at: ContinuousClock.Instant, message: String)?>(nil)

    /// Opens (or creates) the store at `path` and brings its schema up to date.
    public init(path: String, durability: Durability = .processCrash) throws(MonitoringError) {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: durability == .powerLoss ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
        }
        let directory = (path as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw .cannotOpen(path: path, reason: Self.reason(error))
        }
        do {
            if try pool.read({ try StoreSchema.migrator.hasBeenSuperseded($0) }) {
                throw MonitoringError.incompatible(
                    path: path,
                    reason: "written by a newer Lumen (unknown schema version)"
                )
            }
            try StoreSchema.migrator.migrate(pool)
        } catch let error as MonitoringError {
            throw error
        } catch {
            throw .incompatible(path: path, reason: Self.reason(error))
        }
    }

    /// Stores a served answer; returns once the row is committed.
    public func record(_ answer: StoredAnswer) throws(MonitoringError) {
        let prediction = try Self.encode(answer.prediction)
        let features = try answer.features.map { features throws(MonitoringError) in try Self.encode(features) }
        var label: String?
        var confidence: Double?
        if case .label(let l, let c, _) = answer.prediction { (label, confidence) = (l, c) }
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO answer (id, time, route, caller, model, version, kind, label, confidence, prediction, features)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    answer.id, answer.time.timeIntervalSince1970, answer.route, answer.caller, answer.model,
                    answer.version, answer.prediction.kind.rawValue, label, confidence, prediction, features,
                ]
            )
        }
    }

    /// The stored answer `id`, if any.
    public func answer(_ id: String) throws(MonitoringError) -> StoredAnswer? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM answer WHERE id = ?", arguments: [id]) }
            .map { row throws(MonitoringError) in try Self.answer(row) }
    }

    /// Takes the ground truth for answer `id`, once: `score` sees the stored answer and says what
    /// to store; if it throws, nothing is stored and the answer stays open for a corrected post.
    /// One transaction, so two replicas posting the same id cannot both count it.
    public func takeFeedback<Outcome: Sendable>(
        for id: String,
        at time: Date = Date(),
        score: (StoredAnswer) throws -> (StoredFeedback, Outcome)
    ) throws -> Claim<Outcome> {
        do {
            return try pool.write { db -> Claim<Outcome> in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM answer WHERE id = ?", arguments: [id]) else {
                    return .unknown
                }
                if (row["answered"] as Int?) == 1 { return .alreadyAnswered }
                let answer = try Self.answer(row)
                let (feedback, outcome) = try score(answer)
                try db.execute(sql: "UPDATE answer SET answered = 1 WHERE id = ?", arguments: [id])
                try db.execute(
                    sql: """
                        INSERT INTO feedback (id, time, model, label, item, rating, correct, absolute_error)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        id, time.timeIntervalSince1970, answer.model, feedback.label, feedback.item, feedback.rating,
                        feedback.correct.map { $0 ? 1 : 0 }, feedback.absoluteError,
                    ]
                )
                return .accepted(answer, outcome)
            }
        } catch let error as DatabaseError {
            failed(error)
            throw MonitoringError.database(Self.reason(error))
        }
    }

    /// Classifier feedback so far: right and total, per model (for the accuracy gauges, restored
    /// at start).
    public func accuracyByModel() throws(MonitoringError) -> [String: (correct: Int, total: Int)] {
        let rows = try read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT model, SUM(correct) AS right, COUNT(*) AS total FROM feedback WHERE correct IS NOT NULL GROUP BY model"
            )
        }
        var result: [String: (correct: Int, total: Int)] = [:]
        for row in rows { result[row["model"]] = (row["right"] ?? 0, row["total"] ?? 0) }
        return result
    }

    /// Share of `model`'s classifier feedback that confirmed the prediction (0 with none).
    public func accuracy(model: String) throws(MonitoringError) -> Double {
        let row = try read { db in
            try Row.fetchOne(
                db,
                sql:
                    "SELECT SUM(correct) AS right, COUNT(*) AS total FROM feedback WHERE model = ? AND correct IS NOT NULL",
                arguments: [model]
            )
        }
        let total: Int = row?["total"] ?? 0
        let right: Int = row?["right"] ?? 0
        return total == 0 ? 0 : Double(right) / Double(total)
    }

    /// Deletes answers (and their feedback) older than `cutoff`, then all but the newest
    /// `keepNewest`; returns how many answers went.
    @discardableResult
    public func prune(olderThan cutoff: Date?, keepNewest: Int?) throws(MonitoringError) -> Int {
        try write { db in
            var deleted = 0
            if let cutoff {
                try db.execute(sql: "DELETE FROM answer WHERE time < ?", arguments: [cutoff.timeIntervalSince1970])
                deleted += db.changesCount
                // Old drift checks go too, except each reference's latest (the gauges come from it).
                try db.execute(
                    sql: """
                        DELETE FROM drift_check WHERE time < ? AND rowid NOT IN (
                            SELECT MAX(rowid) FROM drift_check GROUP BY reference, kind)
                        """,
                    arguments: [cutoff.timeIntervalSince1970]
                )
            }
            if let keepNewest {
                try db.execute(
                    sql:
                        "DELETE FROM answer WHERE rowid NOT IN (SELECT rowid FROM answer ORDER BY time DESC, rowid DESC LIMIT ?)",
                    arguments: [max(keepNewest, 0)]
                )
                deleted += db.changesCount
            }
            return deleted
        }
    }

    /// Why answers cannot be stored now, or nil: the file is not writable, or a write failed in
    /// the last `window` (after which `/readyz` lets traffic try again, so a recovered disk comes
    /// back).
    public func problem(window: Duration = .seconds(10)) -> String? {
        if access(path, W_OK) != 0 {
            return "the prediction store \(path) cannot be written: \(String(cString: strerror(errno)))"
        }
        if let failure = lastFailure.withLock({ $0 }), ContinuousClock.now - failure.at < window {
            return "the last write to the prediction store failed: \(failure.message)"
        }
        return nil
    }

    func failed(_ error: Error) {
        let message = Self.reason(error)
        lastFailure.withLock { $0 = (ContinuousClock.now, message) }
    }

    // MARK: Helpers

    func read<T>(_ body: (Database) throws -> T) throws(MonitoringError) -> T {
        do { return try pool.read(body) } catch { throw .database(Self.reason(error)) }
    }

    func write<T>(_ body: (Database) throws -> T) throws(MonitoringError) -> T {
        do {
            return try pool.write(body)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw .duplicateID(error.message ?? "")
        } catch {
            failed(error)
            throw .database(Self.reason(error))
        }
    }

    static func reason(_ error: Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }

    static func encode<T: Encodable>(_ value: T) throws(MonitoringError) -> String {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw .database("cannot encode \(T.self): \(error)")
        }
    }

    static func answer(_ row: Row) throws(MonitoringError) -> StoredAnswer {
        let text: String = row["prediction"]
        let prediction: Prediction
        do {
            prediction = try JSONDecoder().decode(Prediction.self, from: Data(text.utf8))
        } catch {
            throw .database("answer \(row["id"] as String? ?? "?") holds an unreadable prediction")
        }
        return StoredAnswer(
            id: row["id"],
            time: Date(timeIntervalSince1970: row["time"]),
            route: row["route"],
            caller: row["caller"],
            model: row["model"],
            version: row["version"],
            prediction: prediction,
            features: (row["features"] as String?).flatMap {
                try? JSONDecoder().decode([String: FeatureValue].self, from: Data($0.utf8))
            }
        )
    }
}
