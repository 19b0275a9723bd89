import Foundation
import LumenTestSupport
import Testing

@testable import LumenRecs

@Suite("Ratings loaders and splits")
struct RatingsLoaderTests {
    static let formats: [(String, String)] = [
        ("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t302\t4\t881250950\n"),
        ("ratings.dat", "196::242::3::881250949\n186::302::3::891717742\n196::302::4::881250950\n"),
        (
            "ratings.csv",
            "userId,movieId,rating,timestamp\n196,242,3.0,881250949\n186,302,3.0,891717742\n196,302,4.0,881250950\n"
        ),
        (
            "ml.inter",
            "user_id:token\titem_id:token\trating:float\ttimestamp:float\n196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t302\t4\t881250950\n"
        ),
        ("windows.csv", "user,item,rating\r\n196,242,3\r\n186,302,3\r\n196,302,4\r\n"),
    ]

    @Test(
        "MovieLens u.data, ML-1M ::, ratings.csv, RecBole .inter and CRLF files parse alike",
        arguments: 0..<formats.count
    )
    func formatsParse(index: Int) throws {
        let (name, text) = Self.formats[index]
        let data = try RatingsLoader.parse(Array(text.utf8), path: name)
        #expect(data.users.ids == ["196", "186"])
        #expect(data.items.ids == ["242", "302"])
        #expect(data.ratings.map(\.value) == [3, 3, 4])
        #expect(data.ratings[2].user == 0 && data.ratings[2].item == 1)
    }

    @Test("titles come from u.item (Latin-1), RecBole .item and movies.csv")
    func titles() throws {
        let data = try RatingsLoader.parse(Array("1\t10\t5\t0\n1\t20\t4\t0\n".utf8), path: "u.data")
        let uItem: [UInt8] =
            Array("10|Caf".utf8) + [0xE9] + Array(" Society (1995)|01-Jan-1995||url|0\n20|Heat (1995)|x\n".utf8)
        #expect(
            try ItemMetadataLoader.titles(uItem, path: "u.item", items: data.items) == [
                "Café Society (1995)", "Heat (1995)",
            ]
        )
        let inter = "item_id:token\tmovie_title:token_seq\trelease_year:token\n10\tToy Story\t1995\n"
        #expect(
            try ItemMetadataLoader.titles(Array(inter.utf8), path: "x.item", items: data.items) == ["Toy Story", nil]
        )
        let csv = "movieId,title,genres\n20,\"Heat, The (1995)\",Action\n"
        #expect(
            try ItemMetadataLoader.titles(Array(csv.utf8), path: "movies.csv", items: data.items) == [
                nil, "Heat, The (1995)",
            ]
        )
    }

    @Test("a file that is not these ratings' item metadata is refused: a user file, another data set's items")
    func wrongMetadataFiles() throws {
        var lines = ""
        for u in 1...40 { lines += "\(u)\t\(u % 20 + 1)\t4\t0\n" }
        let data = try RatingsLoader.parse(Array(lines.utf8), path: "u.data")
        func reason(_ text: String, path: String = "meta") -> String? {
            do {
                _ = try ItemMetadataLoader.titles(Array(text.utf8), path: path, items: data.items)
                return nil
            } catch {
                if case .badMetadata(_, let why) = error { return why }
                return "other: \(error)"
            }
        }
        // ml-100k's u.user: "id|age|gender|occupation|zip": ids match items, "titles" are ages.
        let users = (1...20).map { "\($0)|\(20 + $0)|M|writer|9\($0)000" }.joined(separator: "\n")
        #expect(reason(users)?.contains("are numbers") == true)
        // Items of another data set: none of the ids are rated here.
        let other = (500...540).map { "\($0)|Film \($0) (1990)" }.joined(separator: "\n")
        #expect(reason(other)?.contains("41 of its 41 ids are not items") == true)
        // RecBole's user file has no item_id column.
        #expect(reason("user_id:token\tage:token\n1\t24\n", path: "ml.user")?.contains("user_id, age") == true)
        // A catalogue larger than the ratings, titling every rated item, is fine.
        let catalogue = (1...400).map { "\($0)|Film \($0) (1990)" }.joined(separator: "\n")
        #expect(reason(catalogue) == nil)
    }

    @Test("the shipped MovieLens-style fixture loads with every user and item")
    func fixtureLoads() throws {
        let data = try RecsFixture.train()
        #expect(data.users.count == (RecsFixture.reference["users"] as! [String]).count)
        #expect(data.items.count == (RecsFixture.reference["items"] as! [String]).count)
    }

    static let malformed: [(String, Int)] = [
        ("1\t2\t3\t4\n5\t6\n", 2),
        ("1\t2\t3\t4\n1\t2\tfive\t4\n", 2),
        ("1\t2\t3\t4\n1\t2\tnan\t4\n", 2),
        ("userId,movieId,rating\n1,2,3\n1,2,\n", 3),
        ("1::2::3::4\n1::2::x::4\n", 2),
        ("1\t2\t3\tlater\n", 1),
    ]

    @Test("malformed lines are reported with their line number", arguments: 0..<malformed.count)
    func malformedLines(index: Int) {
        let (text, line) = Self.malformed[index]
        #expect {
            _ = try RatingsLoader.parse(Array(text.utf8), path: "r.txt")
        } throws: { error in
            guard case .malformedLine(_, let got, _) = error as? RecsError else { return false }
            return got == line
        }
    }

    @Test(
        "empty files, header-only files and unrecognisable text are refused",
        arguments: ["", "\n\n", "userId,movieId,rating\n", "just words\n"]
    )
    func emptyOrUnknown(text: String) {
        #expect(throws: RecsError.self) { _ = try RatingsLoader.parse(Array(text.utf8), path: "r.csv") }
    }

    @Test("random, leave-n-out and temporal splits partition the ratings reproducibly")
    func splits() throws {
        let data = try SyntheticRatings(users: 50, items: 40, ratingsPerUser: 10, seed: 3).generate()
        let a = try RatingsSplit.random(testFraction: 0.2, seed: 1).apply(to: data.ratings)
        let b = try RatingsSplit.random(testFraction: 0.2, seed: 1).apply(to: data.ratings)
        #expect(a.test == b.test && a.test.count == 100 && a.train.count == 400)
        let loo = try RatingsSplit.leaveNOut(n: 2, seed: 1).apply(to: data.ratings)
        #expect(loo.test.count == 100)
        #expect(Dictionary(grouping: loo.test, by: \.user).values.allSatisfy { $0.count == 2 })
        let temporal = try RatingsSplit.temporal(testFraction: 0.1).apply(to: data.ratings)
        #expect(temporal.train.map(\.timestamp).max()! <= temporal.test.map(\.timestamp).min()!)
        #expect(throws: RecsError.self) {
            _ = try RatingsSplit.random(testFraction: 1.5, seed: 1).apply(to: data.ratings)
        }
        #expect(throws: RecsError.self) { _ = try RatingsSplit.random(testFraction: 0.2, seed: 1).apply(to: []) }
    }

    @Test("synthetic ratings are deterministic for a seed and on the 1–5 scale")
    func syntheticDeterministic() throws {
        let a = try SyntheticRatings(users: 40, items: 30, ratingsPerUser: 8, seed: 9).generate()
        let b = try SyntheticRatings(users: 40, items: 30, ratingsPerUser: 8, seed: 9).generate()
        #expect(a.ratings == b.ratings && a.ratings.count == 320)
        #expect(a.ratings.allSatisfy { (1...5).contains($0.value) })
        #expect(Set(a.ratings.map { "\($0.user)-\($0.item)" }).count == 320)
    }
}
