import Foundation
import LumenIO
import LumenTestSupport
import Testing

@testable import LumenRecs

/// Ratings and model files a careless export or a hostile user could hand over: each is refused
/// with a `RecsError` naming what is wrong (and the line), never a trap or a silent rescaling.
@Suite("Hostile ratings and model files are refused with typed errors")
struct HostileRecsInputTests {
    static func lineOfError(_ text: String, options: RatingsOptions = RatingsOptions()) -> Int? {
        do {
            _ = try RatingsLoader.parse(Array(text.utf8), path: "r.tsv", options: options)
            return nil
        } catch {
            guard case .malformedLine(_, let line, _) = error else { return -1 }
            return line
        }
    }

    static let stars = (1...40).map { "u\($0 % 7)\ti\($0)\t\(1 + $0 % 5)\t\(880_000_000 + $0)\n" }.joined()

    @Test(
        "timestamps of 1e300, nan, 1e23 or -inf are refused on their line",
        arguments: ["1e300", "nan", "1e23", "-inf"]
    )
    func hostileTimestamps(timestamp: String) {
        #expect(Self.lineOfError("u1\ti1\t4\t881250949\nu2\ti1\t3\t\(timestamp)\n") == 2)
    }

    @Test(
        "a rating of 1000 or -5 among stars is reported against the inferred 1..5 scale",
        arguments: ["1000", "-5", "50"]
    )
    func strayRating(value: String) {
        #expect(Self.lineOfError(Self.stars + "u9\ti3\t\(value)\t881250949\n") == 41)
    }

    @Test("the inferred scale is the common one the ratings lie on, and a declared one is enforced")
    func scales() throws {
        let stars = try RatingsLoader.parse(Array(Self.stars.utf8), path: "r.tsv")
        #expect(stars.scale == RatingScale(min: 1, max: 5) && stars.scaleInferred)
        #expect(stars.ratingRange == (1, 5))
        let halves = try RatingsLoader.parse(Array((Self.stars + "u9\ti3\t0.5\t1\n").utf8), path: "r.tsv")
        #expect(halves.scale == RatingScale(min: 0.5, max: 5))
        let declared = RatingsOptions(scale: RatingScale(parsing: "1..10"))
        let ten = try RatingsLoader.parse(Array(Self.stars.utf8), path: "r.tsv", options: declared)
        #expect(ten.ratingRange == (1, 10) && !ten.scaleInferred)
        #expect(Self.lineOfError(Self.stars, options: RatingsOptions(scale: RatingScale(parsing: "1..4"))) == 4)
        #expect(
            RatingScale(parsing: "5..1") == nil && RatingScale(parsing: "nan..3") == nil
                && RatingScale(parsing: "1-5") == nil
        )
    }

    @Test("a pair rated twice is an error naming both lines, or resolved by --duplicates last or mean")
    func duplicatePairs() throws {
        let text = "u1\ti1\t2\t10\nu2\ti1\t3\t11\nu1\ti1\t4\t12\nu1\ti2\t5\t13\nu1\ti1\t5\t14\n"
        #expect(Self.lineOfError(text) == 3)
        let last = try RatingsLoader.parse(Array(text.utf8), path: "r.tsv", options: RatingsOptions(duplicates: .last))
        #expect(last.ratings.map(\.value) == [5, 3, 5] && last.ratings[0].timestamp == 14)
        let mean = try RatingsLoader.parse(Array(text.utf8), path: "r.tsv", options: RatingsOptions(duplicates: .mean))
        #expect(mean.ratings.map(\.value) == [11.0 / 3, 3, 5])
        let sum = try RatingsLoader.parse(Array(text.utf8), path: "r.tsv", options: RatingsOptions(duplicates: .sum))
        #expect(sum.ratings.map(\.value) == [11, 3, 5] && sum.ratings[0].timestamp == 14)
        // The earliest repeated line is named, whichever user's pair repeats first.
        #expect(Self.lineOfError("u2\ti1\t1\nu1\ti1\t1\nu1\ti1\t2\nu2\ti1\t3\nu2\ti1\t4\n") == 3)
    }

    /// The model's training ratings with the first one replaced.
    static func training(of model: EMFModel, firstRating: Float) -> RatingMatrix {
        let t = model.training
        var ratings: [Rating] = []
        for u in 0..<t.userCount {
            for p in t.userOffsets[u]..<t.userOffsets[u + 1] {
                ratings.append(
                    Rating(user: Int32(u), item: t.userItems[p], value: ratings.isEmpty ? firstRating : t.userValues[p])
                )
            }
        }
        return RatingMatrix(ratings: ratings, users: t.userCount, items: t.itemCount)
    }

    /// A trained model saved after `edit`, then loaded.
    static func reload(_ edit: (inout EMFModel) -> Void) throws -> RecsError? {
        var model = try ModelFileTests.trained()
        edit(&model)
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("m.safetensors")
        try EMFModelFile.save(model, to: url, lumenVersion: "test")
        do {
            _ = try EMFModelFile.load(url)
            return nil
        } catch let error as RecsError {
            return error
        }
    }

    @Test("model files with a repeated id, NaN or infinite values, or a broken rating range are refused")
    func hostileModelFiles() throws {
        let edits: [(String, (inout EMFModel) -> Void)] = [
            ("repeated user id", { m in m.users = IDMap(ids: [m.users[1]] + m.users.ids.dropFirst()) }),
            ("repeated item id", { m in m.items = IDMap(ids: m.items.ids.dropLast() + [m.items[0]]) }),
            ("NaN user factor", { m in m.userFactors[3] = .nan }),
            ("infinite item bias", { m in m.itemBias[0] = .infinity }),
            ("NaN global mean", { m in m.globalMean = .nan }),
            ("inverted range", { m in m.ratingRange = (5, 1) }),
            ("infinite range", { m in m.ratingRange = (1, .infinity) }),
            // Found by make fuzz: a finite but huge rating trapped while the rationale was formatted.
            (
                "training rating of 1e30",
                { m in
                    m.ratingRange = (1, 5)
                    m.training = Self.training(of: m, firstRating: 1e30)
                }
            ),
        ]
        for (label, edit) in edits {
            let error = try Self.reload(edit)
            guard case .badModelFile? = error else {
                Issue.record("\(label): expected badModelFile, got \(String(describing: error))")
                continue
            }
        }
        #expect(try Self.reload { _ in } == nil)
    }
}
