/// A two-way map between external ids (as written in the data) and dense indices 0..<count.
public struct IDMap: Sendable, Equatable {
    /// External id of each dense index.
    public private(set) var ids: [String]
    private var index: [String: Int32]

    /// An empty map.
    public init() {
        ids = []
        index = [:]
    }

    /// A map over ids in the given order; a repeated id keeps its first index (check files with
    /// `firstDuplicate(in:)` first).
    public init(ids: [String]) {
        self.ids = ids
        var index: [String: Int32] = [:]
        index.reserveCapacity(ids.count)
        for (k, id) in ids.enumerated() where index[id] == nil { index[id] = Int32(k) }
        self.index = index
    }

    /// The first id that appears a second time in `ids`, if any.
    public static func firstDuplicate(in ids: [String]) -> String? {
        var seen = Set<String>(minimumCapacity: ids.count)
        return ids.first { !seen.insert($0).inserted }
    }

    /// Number of ids.
    public var count: Int { ids.count }

    /// The dense index of `id`, adding it when new.
    public mutating func intern(_ id: Substring) -> Int32 {
        let key = String(id)
        if let existing = index[key] { return existing }
        let next = Int32(ids.count)
        ids.append(key)
        index[key] = next
        return next
    }

    /// The dense index of `id`, if known.
    public func denseIndex(of id: String) -> Int32? { index[id] }

    /// The external id of a dense index.
    public subscript(dense: Int) -> String { ids[dense] }
}
