/// Ratings as compressed sparse rows by user (items sorted) and by item (users sorted).
/// A repeated (user, item) pair keeps its last rating.
public struct RatingMatrix: Sendable {
    public let userCount: Int
    public let itemCount: Int
    /// Row `u` spans `userOffsets[u]..<userOffsets[u + 1]` of `userItems` / `userValues`.
    public let userOffsets: [Int]
    public let userItems: [Int32]
    public let userValues: [Float]
    /// Column `i` spans `itemOffsets[i]..<itemOffsets[i + 1]` of `itemUsers` / `itemValues`.
    public let itemOffsets: [Int]
    public let itemUsers: [Int32]
    public let itemValues: [Float]

    /// Builds both layouts from a list of ratings.
    public init(ratings: [Rating], users: Int, items: Int) {
        userCount = users
        itemCount = items
        let order = Self.userMajorOrder(ratings, users: users).order
        var uOffsets = [Int](repeating: 0, count: users + 1)
        var uItems: [Int32] = []
        var uValues: [Float] = []
        uItems.reserveCapacity(ratings.count)
        uValues.reserveCapacity(ratings.count)
        var k = 0
        while k < order.count {
            let r = ratings[order[k]]
            var last = r
            // Keep the last of a run of duplicates.
            while k + 1 < order.count, ratings[order[k + 1]].user == r.user, ratings[order[k + 1]].item == r.item {
                k += 1
                last = ratings[order[k]]
            }
            uItems.append(last.item)
            uValues.append(last.value)
            uOffsets[Int(r.user) + 1] += 1
            k += 1
        }
        for u in 0..<users { uOffsets[u + 1] += uOffsets[u] }
        var iOffsets = [Int](repeating: 0, count: items + 1)
        for u in 0..<users { for p in uOffsets[u]..<uOffsets[u + 1] { iOffsets[Int(uItems[p]) + 1] += 1 } }
        for i in 0..<items { iOffsets[i + 1] += iOffsets[i] }
        var cursor = iOffsets
        var iUsers = [Int32](repeating: 0, count: uItems.count)
        var iValues = [Float](repeating: 0, count: uItems.count)
        for u in 0..<users {
            for p in uOffsets[u]..<uOffsets[u + 1] {
                let i = Int(uItems[p])
                iUsers[cursor[i]] = Int32(u)
                iValues[cursor[i]] = uValues[p]
                cursor[i] += 1
            }
        }
        userOffsets = uOffsets
        userItems = uItems
        userValues = uValues
        itemOffsets = iOffsets
        itemUsers = iUsers
        itemValues = iValues
    }

    /// Positions of `ratings` ordered by (user, item, position), and where each user's run
    /// starts: a counting sort by user (stable, O(n)), then each user's short run by item and
    /// position. A comparison sort of all 25 M ratings was the slowest step of building a model.
    static func userMajorOrder(_ ratings: [Rating], users: Int) -> (start: [Int], order: [Int]) {
        var start = [Int](repeating: 0, count: users + 1)
        for r in ratings { start[Int(r.user) + 1] += 1 }
        for u in 0..<users { start[u + 1] += start[u] }
        var order = [Int](repeating: 0, count: ratings.count)
        var fill = start
        for (k, r) in ratings.enumerated() {
            order[fill[Int(r.user)]] = k
            fill[Int(r.user)] += 1
        }
        for u in 0..<users where start[u + 1] - start[u] > 1 {
            order[start[u]..<start[u + 1]].sort { (ratings[$0].item, $0) < (ratings[$1].item, $1) }
        }
        return (start, order)
    }

    /// Number of stored ratings.
    public var count: Int { userItems.count }

    /// The items user `u` rated, sorted.
    public func items(of u: Int) -> ArraySlice<Int32> { userItems[userOffsets[u]..<userOffsets[u + 1]] }

    /// User `u`'s rating of `item`, if any (binary search).
    public func rating(user u: Int, item: Int32) -> Float? {
        var lo = userOffsets[u]
        var hi = userOffsets[u + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            if userItems[mid] < item { lo = mid + 1 } else { hi = mid }
        }
        return lo < userOffsets[u + 1] && userItems[lo] == item ? userValues[lo] : nil
    }

    /// The same ratings with users and items swapped (items as rows).
    public var transposed: RatingMatrix {
        RatingMatrix(
            userCount: itemCount,
            itemCount: userCount,
            rows: (itemOffsets, itemUsers, itemValues),
            columns: (userOffsets, userItems, userValues)
        )
    }

    private init(
        userCount: Int,
        itemCount: Int,
        rows: (offsets: [Int], items: [Int32], values: [Float]),
        columns: (offsets: [Int], users: [Int32], values: [Float])
    ) {
        (self.userCount, self.itemCount) = (userCount, itemCount)
        (userOffsets, userItems, userValues) = rows
        (itemOffsets, itemUsers, itemValues) = columns
    }

    /// The ratings back as a list, user-major.
    public var ratings: [Rating] {
        var out: [Rating] = []
        out.reserveCapacity(count)
        for u in 0..<userCount {
            for p in userOffsets[u]..<userOffsets[u + 1] {
                out.append(Rating(user: Int32(u), item: userItems[p], value: userValues[p]))
            }
        }
        return out
    }
}
