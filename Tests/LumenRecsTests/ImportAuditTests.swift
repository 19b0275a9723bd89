import Foundation
import LumenIO
import LumenTestSupport
import Testing

@testable import LumenRecs

/// fixtures/recs-import (scripts/make-recs-import-fixtures.py): factors "trained elsewhere",
/// their id lists, the training ratings and numpy's rankings and audit figures.
enum ImportFixture {
    nonisolated(unsafe) static let reference: [String: Any] = {
        let data = try! Data(contentsOf: Fixtures.url("recs-import/reference.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    static func factors() throws -> ForeignFactors {
        let p = try Fixtures.tensor("recs-import/P.npy")
        let q = try Fixtures.tensor("recs-import/Q.npy")
        return ForeignFactors(
            userIDs: try IDListReader.load(Fixtures.url("recs-import/user_ids.txt")),
            itemIDs: try IDListReader.load(Fixtures.url("recs-import/item_ids.txt")),
            factors: p.shape[1],
            userFactors: p.values,
            itemFactors: q.values
        )
    }

    static func options(_ f: ForeignFactors) -> RatingsOptions {
        var options = RatingsOptions()
        options.knownIDs = KnownIDs(users: IDMap(ids: f.userIDs), items: IDMap(ids: f.itemIDs))
        return options
    }

    static func model() throws -> EMFModel {
        let f = try factors()
        let data = try RatingsLoader.load(ratings: Fixtures.url("recs-import/train.tsv"), options: options(f))
        return try FactorImporter(score: .score, neighbors: reference["k"] as! Int, basis: .items).build(
            f,
            interactions: data
        )
    }

    static func test(_ model: EMFModel) throws -> [Rating] {
        var options = RatingsOptions()
        options.knownIDs = KnownIDs(users: model.users, items: model.items)
        return try RatingsLoader.load(ratings: Fixtures.url("recs-import/test.tsv"), options: options).ratings
    }
}

@Suite("Importing factors trained elsewhere")
struct FactorImportTests {
    @Test("an imported model recommends exactly what P·Qᵀ ranks, on the factors' own scale")
    func roundTrip() throws {
        let model = try ImportFixture.model()
        let expected = ImportFixture.reference["top10"] as! [String: [String]]
        let f = try ImportFixture.factors()
        for u in 0..<model.users.count {
            #expect(model.topItems(user: u, n: 10).map { model.items[$0] } == expected[model.users[u]]!)
            for i in 0..<model.items.count {
                var dot = 0.0
                for c in 0..<f.factors {
                    dot += Double(f.userFactors[u * f.factors + c]) * Double(f.itemFactors[i * f.factors + c])
                }
                #expect(abs(Double(model.predict(user: u, item: i)) - dot) < 1e-5)
            }
        }
        #expect(model.scoreKind == .score)
        #expect(model.provenance["trainer"] == "imported")
    }

    @Test("the imported model survives its model file, provenance included")
    func modelFile() throws {
        var model = try ImportFixture.model()
        model.provenance["user factors"] = "P.npy"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try EMFModelFile.save(model, to: url, lumenVersion: "test")
        let loaded = try EMFModelFile.load(url)
        #expect(loaded.provenance == model.provenance)
        #expect(loaded.scoreKind == .score)
        for u in 0..<model.users.count {
            #expect(loaded.topItems(user: u, n: 10) == model.topItems(user: u, n: 10))
        }
    }

    @Test("rating imports add the biases and clip to the interactions' scale")
    func ratingScores() throws {
        var f = try ImportFixture.factors()
        f.userFactors = f.userFactors.map { $0 * 4 }
        f.userBias = (0..<f.userIDs.count).map { Float($0) / 10 }
        f.itemBias = [Float](repeating: 0.5, count: f.itemIDs.count)
        f.globalBias = 3.5
        let data = try RatingsLoader.load(
            ratings: Fixtures.url("recs-import/train.tsv"),
            options: ImportFixture.options(f)
        )
        let model = try FactorImporter(score: .rating).build(f, interactions: data)
        var clipped = 0
        for u in 0..<model.users.count {
            for i in 0..<model.items.count {
                let raw = model.rawScore(user: u, item: i)
                let predicted = model.predict(user: u, item: i)
                #expect(predicted == min(max(raw, 1), 5))
                if raw != predicted { clipped += 1 }
            }
        }
        #expect(clipped > 0)
    }
}

@Suite("Honest rationales for imported and implicit models")
struct HonestRationaleTests {
    @Test("a ranking score is reported as a score, never as a predicted rating")
    func scoreNotRating() throws {
        let model = try ImportFixture.model()
        let i = model.topItems(user: 0, n: 1)[0]
        let e = model.explain(user: 0, item: i)
        #expect(e.scoreKind == .score && e.predictedRating == nil)
        #expect(e.score == model.rawScore(user: 0, item: i))
        #expect(!e.alreadyInteracted)
    }

    @Test("an explanation for an item the user already rated says so")
    func alreadyRated() throws {
        let model = try ImportFixture.model()
        let p = model.training.userOffsets[0]
        let e = model.explain(user: 0, item: Int(model.training.userItems[p]))
        let stars = model.training.userValues[p]
        #expect(e.alreadyInteracted)
        #expect(e.sentence.hasPrefix("You already rated it \(Int(stars))★, so it is not recommended to you."))
    }

    @Test("implicit feedback is described as interactions, without stars")
    func implicitWording() throws {
        let f = try ImportFixture.factors()
        var options = ImportFixture.options(f)
        options.feedback = .implicit
        let data = try RatingsLoader.load(ratings: Fixtures.url("recs-import/train.tsv"), options: options)
        let model = try FactorImporter(score: .score, neighbors: 5, basis: .users).build(f, interactions: data)
        var cited = 0
        for u in 0..<model.users.count {
            for i in model.topItems(user: u, n: 10) {
                let e = model.explain(user: u, item: i)
                #expect(
                    e.sentence.contains("interacted with") && !e.sentence.contains("★") && !e.sentence.contains("rated")
                )
                if !e.neighbors.isEmpty { cited += 1 }
            }
        }
        #expect(cited > 0)
        let p = model.training.userOffsets[1]
        #expect(
            model.explain(user: 1, item: Int(model.training.userItems[p])).sentence.hasPrefix(
                "You already interacted with it"
            )
        )
    }
}

@Suite("Refusing factors that do not fit")
struct FactorImportRefusalTests {
    private func refusal(_ change: (inout ForeignFactors) -> Void) throws -> RecsError? {
        var f = try ImportFixture.factors()
        change(&f)
        do {
            try FactorImporter.check(f)
            return nil
        } catch {
            return error
        }
    }

    @Test("shapes that disagree with the id lists, NaN, repeated and missing ids are refused")
    func badFactors() throws {
        let cases: [(String, (inout ForeignFactors) -> Void)] = [
            ("user factors", { $0.userIDs.removeLast() }),
            ("item factors", { $0.itemFactors.removeLast($0.factors) }),
            ("item factors", { $0.itemFactors[17] = .nan }),
            ("user bias", { $0.userBias = [1, 2] }),
            ("global bias", { $0.globalBias = .infinity }),
            ("item ids", { $0.itemIDs[3] = $0.itemIDs[0] }),
            ("user ids", { $0.userIDs = [] }),
        ]
        for (part, change) in cases {
            let error = try refusal(change)
            guard case .importMismatch(let source, _) = error else {
                Issue.record("\(part): expected importMismatch, got \(String(describing: error))")
                continue
            }
            #expect(source == part)
        }
        #expect(try refusal { _ in } == nil)
    }

    @Test("an interaction naming an id outside the id lists is refused with its line")
    func unknownInteraction() throws {
        let f = try ImportFixture.factors()
        let bytes = Array("\(f.userIDs[0])\t\(f.itemIDs[0])\t4\nstranger\t\(f.itemIDs[1])\t3\n".utf8)
        #expect(
            throws: RecsError.malformedLine(path: "t.tsv", line: 2, reason: "user 'stranger' is not in the user ids")
        ) {
            _ = try RatingsLoader.parse(bytes, path: "t.tsv", options: ImportFixture.options(f))
        }
    }

    @Test("id files: an empty file and an empty line in the middle are refused")
    func idFiles() throws {
        #expect(throws: RecsError.emptyData("ids.txt lists no ids")) {
            _ = try IDListReader.parse(Array("\n\n".utf8), path: "ids.txt")
        }
        #expect(throws: RecsError.malformedLine(path: "ids.txt", line: 2, reason: "empty id (one id per line)")) {
            _ = try IDListReader.parse(Array("a\n\nb\n".utf8), path: "ids.txt")
        }
        #expect(try IDListReader.parse(Array("a\r\nb\n\n".utf8), path: "ids.txt") == ["a", "b"])
    }
}

@Suite("Auditing top-n lists against numpy")
struct AuditTests {
    private func expectMatches(_ report: EvaluationReport, _ key: String) {
        let ref = ImportFixture.reference[key] as! [String: Any]
        for (name, ours) in [
            ("precision", report.precision), ("recall", report.recall), ("ndcg", report.ndcg), ("mep", report.mep),
            ("mer", report.mer), ("fidelity", report.fidelity), ("coverage", report.coverage),
            ("average_popularity", report.averagePopularity), ("gini", report.gini),
        ] {
            #expect(abs(ours - (ref[name] as! Double)) < 1e-9, "\(key) \(name): \(ours) vs \(ref[name]!)")
        }
        #expect(report.rankedUsers == ref["ranked_users"] as! Int)
    }

    @Test("the imported model's own lists: ranking, explainability and popularity figures match numpy")
    func ownLists() throws {
        let model = try ImportFixture.model()
        expectMatches(try Evaluator(n: 10).evaluate(model, test: try ImportFixture.test(model)), "own")
    }

    @Test("another system's lists (shuffled rows, seen items, users without a list) match numpy")
    func foreignLists() throws {
        let model = try ImportFixture.model()
        let lists = try RecommendationLists.load(
            Fixtures.url("recs-import/lists-foreign.csv"),
            users: model.users,
            items: model.items
        )
        #expect(lists.filter { $0 == nil }.count == 3)
        let evaluator = Evaluator(n: 10)
        expectMatches(
            evaluator.audit(
                model,
                lists: lists,
                relevant: evaluator.relevantSets(model, test: try ImportFixture.test(model))
            ),
            "foreign"
        )
    }

    @Test("a lists file naming an unknown user, a repeated pair or a bad rank is refused with its line")
    func badLists() throws {
        let model = try ImportFixture.model()
        let (u, i) = (model.users[0], model.items[0])
        let cases: [(String, Int)] = [
            ("user,item,rank\n\(u),\(i),1\nnobody,\(i),2\n", 3),
            ("user,item,rank\n\(u),\(i),1\n\(u),\(i),2\n", 3),
            ("user,item,rank\n\(u),\(i),first\n", 2),
            ("who,what\n\(u),\(i)\n", 1),
        ]
        for (text, line) in cases {
            do {
                _ = try RecommendationLists.parse(
                    Array(text.utf8),
                    path: "l.csv",
                    users: model.users,
                    items: model.items
                )
                Issue.record("accepted \(text)")
            } catch {
                guard case .malformedLine(_, let at, _) = error else {
                    Issue.record("\(error)")
                    continue
                }
                #expect(at == line)
            }
        }
    }

    @Test("Gini: 0 when every item is recommended equally, (m − 1)/m when one item takes all")
    func gini() {
        #expect(Evaluator.gini([3, 3, 3, 3]) == 0)
        #expect(abs(Evaluator.gini([0, 0, 0, 10]) - 0.75) < 1e-12)
        #expect(Evaluator.gini([0, 0]) == 0)
    }
}
