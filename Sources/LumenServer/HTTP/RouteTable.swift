import Synchronization

/// The router's path templates and their methods, so a request for a known path with another
/// method gets 405 with `Allow` rather than 404.
final class RouteTable: Sendable {
    private let routes = Mutex<[(template: [Substring], methods: Set<String>)]>([])

    /// Records the router's routes (called once, after they are all added).
    func fill(_ list: [(method: String, path: String)]) {
        var grouped: [String: Set<String>] = [:]
        for r in list { grouped[r.path, default: []].insert(r.method) }
        routes.withLock { $0 = grouped.map { (template: $0.key.split(separator: "/"), methods: $0.value) } }
    }

    /// Methods allowed on `path`, if some route matches it.
    func methods(for path: String) -> Set<String>? {
        let parts = path.split(separator: "/")
        return routes.withLock { table in
            table.first { entry in
                entry.template.count == parts.count
                    && zip(entry.template, parts).allSatisfy { t, p in t.first == "{" || t == p }
            }?.methods
        }
    }
}
