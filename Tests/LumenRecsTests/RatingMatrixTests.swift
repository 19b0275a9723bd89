import LumenNumerics
import Testing

@testable import LumenRecs

@Suite("Rating matrix layouts")
struct RatingMatrixTests {
    /// Shuffled ratings with repeated pairs, and what the matrix must hold: each pair's last value.
    static func shuffledWithRepeats(seed: UInt64) -> (ratings: [Rating], last: [UInt64: Float], users: Int, items: Int)
    {
        var g = SeededGenerator(seed: seed)
        let (users, items) = (37, 23)
        var ratings: [Rating] = []
        var last: [UInt64: Float] = [:]
        for k in 0..<900 {
            let u = Int32(g.next() % UInt64(users - 2))  // the last two users rate nothing
            let i = Int32(g.next() % UInt64(items))
            ratings.append(Rating(user: u, item: i, value: Float(k)))
            last[UInt64(u) << 32 | UInt64(i)] = Float(k)
        }
        return (ratings, last, users, items)
    }

    @Test("rows hold each pair once with its last rating, items ascending; columns mirror them", arguments: [1, 2, 3])
    func layoutsAgreeWithReference(seed: UInt64) {
        let (ratings, last, users, items) = Self.shuffledWithRepeats(seed: seed)
        let m = RatingMatrix(ratings: ratings, users: users, items: items)
        #expect(m.count == last.count)
        #expect(m.userOffsets.count == users + 1 && m.itemOffsets.count == items + 1)
        for u in 0..<users {
            let row = Array(m.items(of: u))
            #expect(row == row.sorted() && Set(row).count == row.count, "user \(u)'s items are not strictly ascending")
            for (p, i) in zip(m.userOffsets[u]..<m.userOffsets[u + 1], row) {
                #expect(m.userValues[p] == last[UInt64(u) << 32 | UInt64(i)])
            }
        }
        for i in 0..<items {
            let column = Array(m.itemUsers[m.itemOffsets[i]..<m.itemOffsets[i + 1]])
            #expect(column == column.sorted())
            for (p, u) in zip(m.itemOffsets[i]..<m.itemOffsets[i + 1], column) {
                #expect(m.itemValues[p] == m.rating(user: Int(u), item: Int32(i)))
            }
        }
        let t = m.transposed
        #expect(t.userCount == items && t.itemCount == users)
        #expect(t.userOffsets == m.itemOffsets && t.userItems == m.itemUsers && t.itemUsers == m.userItems)
        #expect(t.transposed.userValues == m.userValues)
    }
}

@Suite("Data fingerprints")
struct FingerprintTests {
    /// The fingerprint's definition, written plainly: FNV-1a of "user␟item␟value␟" per rating, summed.
    static func reference(_ data: RatingsData) -> String {
        var combined: UInt64 = 0
        for r in data.ratings {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for part in [data.users[Int(r.user)], data.items[Int(r.item)], String(r.value)] {
                for byte in part.utf8 {
                    h ^= UInt64(byte)
                    h = h &* 0x100_0000_01b3
                }
                h ^= 0x1f
                h = h &* 0x100_0000_01b3
            }
            combined = combined &+ h
        }
        return String(combined, radix: 16) + "-\(data.ratings.count)"
    }

    @Test("the fingerprint follows its definition, so models saved before still match their data")
    func matchesDefinition() throws {
        var data = try SyntheticRatings(users: 50, items: 30, ratingsPerUser: 9, seed: 6).generate()
        data.ratings[3].value = 3.5
        data.ratings[4].value = 0.1
        #expect(data.fingerprint == Self.reference(data))
        var other = data
        other.ratings[0].value += 1
        #expect(other.fingerprint != data.fingerprint)
    }
}
