import Foundation
import LumenNumerics

/// How user similarity is measured.
public enum Similarity: String, Sendable, Codable, CaseIterable {
    /// Cosine of the raw rating vectors (unrated = 0).
    case cosine
    /// Cosine of the mean-centred rating vectors (each user's mean removed from their ratings).
    case pearson
}

/// Whose neighbours explain a recommendation.
public enum NeighborBasis: String, Sendable, Codable, CaseIterable {
    /// The user's most similar users (the EMF paper's choice).
    case users
    /// The item's most similar items ("you rated 4 of the 10 items most like it").
    case items
}

/// Every user's `k` most similar other users — or, with the item basis, every item's `k` most
/// similar items — positive similarity only, computed on training ratings. Small catalogues use
/// dense OpenBLAS `ssyrk` on the row-normalised rating matrix; large ones accumulate dot products
/// through the inverted index (cost Σᵢ nᵢ², not U²·I), on all cores.
public struct UserNeighborhood: Sendable {
    /// Neighbours per row.
    public let k: Int
    /// Rows are users (`.users`) or items (`.items`).
    public let basis: NeighborBasis
    /// Row `r`: up to `k` neighbour indices, most similar first, padded with -1.
    public let neighbors: [Int32]
    /// Matching similarities, padded with 0.
    public let similarities: [Float]
    /// For the item basis: the rows that list item j among their neighbours span
    /// `reverseOffsets[j]..<reverseOffsets[j + 1]` of `reverseRows`.
    let reverseOffsets: [Int]
    let reverseRows: [Int32]

    public init(k: Int, neighbors: [Int32], similarities: [Float], basis: NeighborBasis = .users) {
        self.k = k
        self.basis = basis
        self.neighbors = neighbors
        self.similarities = similarities
        guard basis == .items else {
            reverseOffsets = []
            reverseRows = []
            return
        }
        let rows = neighbors.count / max(k, 1)
        var offsets = [Int](repeating: 0, count: rows + 1)
        for v in neighbors where v >= 0 { offsets[Int(v) + 1] += 1 }
        for r in 0..<rows { offsets[r + 1] += offsets[r] }
        var cursor = offsets
        var reverse = [Int32](repeating: 0, count: offsets[rows])
        for r in 0..<rows {
            for j in 0..<k {
                let v = neighbors[r * k + j]
                guard v >= 0 else { break }
                reverse[cursor[Int(v)]] = Int32(r)
                cursor[Int(v)] += 1
            }
        }
        reverseOffsets = offsets
        reverseRows = reverse
    }

    /// The neighbours of row `u` (a user, or an item with the item basis) with their similarity.
    public func of(_ u: Int) -> [(user: Int, similarity: Float)] {
        (0..<k).compactMap { j in
            let v = neighbors[u * k + j]
            return v < 0 ? nil : (Int(v), similarities[u * k + j])
        }
    }

    /// How the similarities are computed: both give the same neighbours.
    public enum Method: Sendable {
        /// Dense when it is expected to be faster (see `denseAdvantage`) and fits `denseLimit`.
        case automatic
        /// Dense OpenBLAS `ssyrk` on the row-normalised matrix.
        case dense
        /// Sparse accumulation over each item's raters, on all cores.
        case sparse
    }

    /// Computes neighbourhoods; `denseLimit` caps the U×I size handled by dense BLAS.
    public static func compute(
        _ ratings: RatingMatrix,
        k: Int,
        similarity: Similarity,
        basis: NeighborBasis = .users,
        denseLimit: Int = 64_000_000,
        method: Method = .automatic
    ) throws(RecsError) -> UserNeighborhood {
        guard k >= 1 else { throw .invalidOption("neighbourhood size must be at least 1") }
        let matrix = basis == .users ? ratings : ratings.transposed
        let result = try computeRows(matrix, k: k, similarity: similarity, denseLimit: denseLimit, method: method)
        return basis == .users
            ? result
            : UserNeighborhood(k: k, neighbors: result.neighbors, similarities: result.similarities, basis: .items)
    }

    static func computeRows(
        _ matrix: RatingMatrix,
        k: Int,
        similarity: Similarity,
        denseLimit: Int,
        method: Method = .automatic
    ) throws(RecsError) -> UserNeighborhood {
        let values = centeredValues(matrix, similarity: similarity)
        var norms = [Float](repeating: 0, count: matrix.userCount)
        for u in 0..<matrix.userCount {
            var s: Float = 0
            for p in matrix.userOffsets[u]..<matrix.userOffsets[u + 1] { s += values[p] * values[p] }
            norms[u] = s.squareRoot()
        }
        let users = matrix.userCount
        let fits = users * matrix.itemCount <= denseLimit && users <= 8192
        let useDense =
            switch method {
            case .dense: fits
            case .sparse: false
            case .automatic: fits && users * users * matrix.itemCount < denseAdvantage * sparsePairs(matrix)
            }
        if useDense {
            return dense(matrix, values: values, norms: norms, k: k)
        }
        return sparse(matrix, values: values, norms: norms, k: k)
    }

    /// How many more multiply-adds dense BLAS does per second than the sparse accumulation does
    /// pairs (measured on MovieLens-100k, 2026-12-06: `ssyrk` ≈ 0.011 ns per U²·I unit, the sparse
    /// path 0.9–1.7 ns per pair, so ~100). Dense is chosen only when U²·I is below this many pairs:
    /// small, densely rated catalogues. On MovieLens-100k (U²·I ≈ 210–310 × the pairs) the sparse
    /// path took 6–20 ms against 15–33 ms.
    static let denseAdvantage = 100

    /// The work of the sparse path: Σ over items of (raters of the item)².
    static func sparsePairs(_ m: RatingMatrix) -> Int {
        var pairs = 0
        for i in 0..<m.itemCount {
            let n = m.itemOffsets[i + 1] - m.itemOffsets[i]
            pairs += n * n
        }
        return pairs
    }

    /// Rating values, mean-centred per user for Pearson.
    static func centeredValues(_ m: RatingMatrix, similarity: Similarity) -> [Float] {
        guard similarity == .pearson else { return m.userValues }
        var values = m.userValues
        for u in 0..<m.userCount {
            let range = m.userOffsets[u]..<m.userOffsets[u + 1]
            guard !range.isEmpty else { continue }
            let mean = range.reduce(Float(0)) { $0 + values[$1] } / Float(range.count)
            for p in range { values[p] -= mean }
        }
        return values
    }

    static func dense(_ m: RatingMatrix, values: [Float], norms: [Float], k: Int) -> UserNeighborhood {
        let users = m.userCount
        let items = m.itemCount
        var r = [Float](repeating: 0, count: users * items)
        for u in 0..<users where norms[u] > 0 {
            for p in m.userOffsets[u]..<m.userOffsets[u + 1] {
                r[u * items + Int(m.userItems[p])] = values[p] / norms[u]
            }
        }
        let s = r.withUnsafeBufferPointer { BLAS.rowGram($0, rows: users, cols: items) }
        var selector = TopK(k: k, users: users)
        for u in 0..<users {
            selector.reset()
            for v in 0..<users where v != u {
                selector.offer(v, s[u * users + v])
            }
            selector.store(row: u)
        }
        return UserNeighborhood(k: k, neighbors: selector.neighbors, similarities: selector.similarities)
    }

    static func sparse(_ m: RatingMatrix, values: [Float], norms: [Float], k: Int) -> UserNeighborhood {
        let users = m.userCount
        // Values in item-major order to match itemUsers.
        var itemValues = [Float](repeating: 0, count: m.count)
        var cursor = m.itemOffsets
        for u in 0..<users {
            for p in m.userOffsets[u]..<m.userOffsets[u + 1] {
                let i = Int(m.userItems[p])
                itemValues[cursor[i]] = values[p]
                cursor[i] += 1
            }
        }
        let byItem = itemValues
        // Interactions (every value 1) need no value reads in the inner loop.
        let unit = byItem.allSatisfy { $0 == 1 }
        // Eight parts per worker, taken as threads free up: rows differ wildly in cost (a
        // popular item's row touches most of the catalogue), and one part per worker left a core
        // idle for much of the ML-25M-shaped run. The result does not depend on the split.
        let pieces = max(1, min(users, Parallel.workers * 8))
        let parts = Parallel.map(pieces) { w -> UserNeighborhood in
            let range = Parallel.share(users, part: w, of: pieces)
            var selector = TopK(k: k, users: range.count)
            // Raw buffers: this loop runs Σ_u n_u² times (3.8 billion on ML-25M's shape).
            withUnsafeTemporaryAllocation(of: Float.self, capacity: users) { acc in
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: users) { touched in
                    withUnsafeTemporaryAllocation(of: Bool.self, capacity: users) { marked in
                        acc.initialize(repeating: 0)
                        marked.initialize(repeating: false)
                        m.userOffsets.withUnsafeBufferPointer { uOff in
                            m.userItems.withUnsafeBufferPointer { uItems in
                                m.itemOffsets.withUnsafeBufferPointer { iOff in
                                    m.itemUsers.withUnsafeBufferPointer { iUsers in
                                        byItem.withUnsafeBufferPointer { iValues in
                                            values.withUnsafeBufferPointer { uValues in
                                                for u in range {
                                                    selector.reset()
                                                    var seen = 0
                                                    if norms[u] > 0 {
                                                        for p in uOff[u]..<uOff[u + 1] {
                                                            let i = Int(uItems[p])
                                                            let ru = uValues[p]
                                                            for q in iOff[i]..<iOff[i + 1] {
                                                                let v = Int(iUsers[q])
                                                                // A mark, not acc[v] == 0: centred
                                                                // (Pearson) sums can return to zero.
                                                                if !marked[v] {
                                                                    marked[v] = true
                                                                    touched[seen] = Int32(v)
                                                                    seen += 1
                                                                }
                                                                acc[v] += unit ? ru : ru * iValues[q]
                                                            }
                                                        }
                                                        for t in 0..<seen {
                                                            let v = Int(touched[t])
                                                            if v != u && norms[v] > 0 {
                                                                selector.offer(v, acc[v] / (norms[u] * norms[v]))
                                                            }
                                                            acc[v] = 0
                                                            marked[v] = false
                                                        }
                                                    }
                                                    selector.store(row: u - range.lowerBound)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return UserNeighborhood(k: k, neighbors: selector.neighbors, similarities: selector.similarities)
        }
        var neighbors: [Int32] = []
        var similarities: [Float] = []
        for part in parts {
            neighbors += part.neighbors
            similarities += part.similarities
        }
        return UserNeighborhood(k: k, neighbors: neighbors, similarities: similarities)
    }
}

/// Keeps the `k` largest positive similarities seen, ties to the lower user index.
struct TopK {
    let k: Int
    var neighbors: [Int32]
    var similarities: [Float]
    private var bestUsers: [Int32]
    private var bestValues: [Float]

    init(k: Int, users: Int) {
        self.k = k
        neighbors = [Int32](repeating: -1, count: users * k)
        similarities = [Float](repeating: 0, count: users * k)
        bestUsers = []
        bestValues = []
    }

    mutating func reset() {
        bestUsers.removeAll(keepingCapacity: true)
        bestValues.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    mutating func offer(_ v: Int, _ s: Float) {
        guard s > 1e-7 else { return }
        if bestValues.count == k {
            let lastValue = bestValues[k - 1]
            let lastUser = bestUsers[k - 1]
            guard s > lastValue || (s == lastValue && Int32(v) < lastUser) else { return }
            bestValues.removeLast()
            bestUsers.removeLast()
        }
        var position = bestValues.count
        while position > 0
            && (bestValues[position - 1] < s || (bestValues[position - 1] == s && bestUsers[position - 1] > Int32(v)))
        {
            position -= 1
        }
        bestValues.insert(s, at: position)
        bestUsers.insert(Int32(v), at: position)
    }

    mutating func store(row: Int) {
        for j in 0..<bestUsers.count {
            neighbors[row * k + j] = bestUsers[j]
            similarities[row * k + j] = bestValues[j]
        }
    }
}
