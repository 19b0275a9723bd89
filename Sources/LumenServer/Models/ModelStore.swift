import Synchronization

/// Holds the current model catalog and swaps it atomically on reload. Readers take a reference
/// to the catalog at the start of a request and keep using it even if a reload lands meanwhile.
public final class ModelStore: Sendable {
    private let current: Mutex<ModelCatalog>
    private let reloading = Mutex<Bool>(false)
    public let directory: String

    public init(directory: String) throws(ServerError) {
        self.directory = directory
        current = Mutex(try ModelCatalog.load(directory: directory, generation: 1))
    }

    /// The catalog to use for one request.
    public var catalog: ModelCatalog { current.withLock { $0 } }

    /// Loads the folder again and swaps the new catalog in; on failure the old one stays.
    /// Concurrent reloads are refused rather than queued.
    @discardableResult
    public func reload() throws(ServerError) -> ModelCatalog {
        let started = reloading.withLock { busy -> Bool in
            if busy { return false }
            busy = true
            return true
        }
        guard started else { throw .models("a reload is already running") }
        defer { reloading.withLock { $0 = false } }
        let next = try ModelCatalog.load(directory: directory, generation: catalog.generation + 1)
        current.withLock { $0 = next }
        return next
    }
}
