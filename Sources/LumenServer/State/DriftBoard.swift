import LumenDrift
import Synchronization

/// The latest drift report per reference profile and kind, for `GET /v1/drift/latest`.
public final class DriftBoard: Sendable {
    /// One stored report with the id it was served under.
    public struct Entry: Sendable {
        public let id: String
        public let reference: String
        public let report: DriftReport
    }

    private let latest = Mutex<[String: Entry]>([:])

    public init() {}

    public func store(_ entry: Entry) {
        latest.withLock { $0["\(entry.report.kind)/\(entry.reference)"] = entry }
    }

    /// Latest reports, optionally for one reference, sorted by reference then kind.
    public func reports(reference: String? = nil) -> [Entry] {
        latest.withLock { Array($0.values) }
            .filter { reference == nil || $0.reference == reference }
            .sorted { ($0.reference, $0.report.kind.rawValue) < ($1.reference, $1.report.kind.rawValue) }
    }
}
