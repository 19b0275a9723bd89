/// Why the prediction store could not do what it was asked.
public enum MonitoringError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database file cannot be opened or created (path, SQLite's reason).
    case cannotOpen(path: String, reason: String)
    /// The file is not a Lumen store, or one written by a newer Lumen (its schema version).
    case incompatible(path: String, reason: String)
    /// A read or write failed (SQLite's reason).
    case database(String)
    /// An answer with this id is already stored.
    case duplicateID(String)
    /// A window with `from` after `to`, or a size out of range.
    case invalidWindow(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open the prediction store \(path): \(reason)"
        case .incompatible(let path, let reason): "\(path) is not a usable prediction store: \(reason)"
        case .database(let reason): "prediction store: \(reason)"
        case .duplicateID(let id): "an answer with id '\(id)' is already stored"
        case .invalidWindow(let reason): "invalid window: \(reason)"
        }
    }
}
