import Foundation
import GRDB
import LumenTestSupport
import Testing

@testable import LumenMonitoring

/// What a test's scorer throws to refuse feedback.
enum Refusal: Error { case refused }

@Suite("Prediction store")
struct PredictionStoreTests {
    static func answer(
        _ id: String,
        model: String = "cls",
        label: String = "tabby",
        at time: Double = 1000
    ) -> StoredAnswer {
        StoredAnswer(
            id: id,
            time: Date(timeIntervalSince1970: time),
            route: "/v1/models/\(model)/explain",
            caller: "alice",
            model: model,
            version: "sha256:abc",
            prediction: .label(label: label, confidence: 0.8)
        )
    }

    /// Scores a classification as the server does: right when the posted label is the predicted one.
    static func label(_ truth: String) -> (StoredAnswer) throws -> (StoredFeedback, Bool) {
        { answer in
            guard case .label(let predicted, _, _) = answer.prediction else { throw Refusal.refused }
            return (StoredFeedback(label: truth, correct: predicted == truth), predicted == truth)
        }
    }

    @Test("answers and their feedback survive closing and reopening the store, and feedback counts once")
    func survivesReopening() throws {
        try Fixtures.withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("data/predictions.sqlite").path
            do {
                let store = try PredictionStore(path: path)
                try store.record(Self.answer("a1"))
                try store.record(Self.answer("a2", label: "helmet"))
            }
            let store = try PredictionStore(path: path)
            #expect(try store.answer("a1") == Self.answer("a1"))
            guard
                case .accepted(let answer, let correct) = try store.takeFeedback(for: "a1", score: Self.label("tabby"))
            else {
                Issue.record("feedback for a stored answer was not accepted")
                return
            }
            #expect(answer.id == "a1" && correct)
            guard case .alreadyAnswered = try store.takeFeedback(for: "a1", score: Self.label("tabby")) else {
                Issue.record("a second post for the same answer was accepted")
                return
            }
            guard case .unknown = try store.takeFeedback(for: "never-served", score: Self.label("tabby")) else {
                Issue.record("an unknown id was accepted")
                return
            }
            _ = try store.takeFeedback(for: "a2", score: Self.label("tabby"))
            let reopened = try PredictionStore(path: path)
            let accuracy = try reopened.accuracyByModel()["cls"]
            #expect(accuracy?.correct == 1 && accuracy?.total == 2)
        }
    }

    @Test("a scorer that refuses the feedback stores nothing and leaves the answer open")
    func refusedFeedbackLeavesAnswerOpen() throws {
        try Fixtures.withTemporaryDirectory { dir in
            let store = try PredictionStore(path: dir.appendingPathComponent("p.sqlite").path)
            try store.record(Self.answer("a1"))
            #expect(throws: Refusal.self) {
                try store.takeFeedback(for: "a1") { _ -> (StoredFeedback, Bool) in throw Refusal.refused }
            }
            #expect(try store.accuracyByModel().isEmpty)
            guard case .accepted = try store.takeFeedback(for: "a1", score: Self.label("tabby")) else {
                Issue.record("the corrected post was not accepted")
                return
            }
        }
    }

    @Test("two stores on one file, posting the same ids at once from many threads, accept each id exactly once")
    func concurrentFeedbackCountsOnce() async throws {
        let dir = try Fixtures.temporaryDirectory()
        let path = dir.appendingPathComponent("shared.sqlite").path
        let a = try PredictionStore(path: path)
        let b = try PredictionStore(path: path)
        for k in 0..<20 { try a.record(Self.answer("id\(k)")) }
        let accepted = try await withThrowingTaskGroup(of: Int.self) { group in
            for t in 0..<8 {
                group.addTask {
                    var n = 0
                    for k in 0..<20 {
                        let store = (t + k) % 2 == 0 ? a : b
                        if case .accepted = try store.takeFeedback(for: "id\(k)", score: Self.label("tabby")) { n += 1 }
                    }
                    return n
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(accepted == 20)
        #expect(try b.accuracyByModel()["cls"]?.total == 20)
    }

    @Test("a duplicate answer id is a typed error, not a second row")
    func duplicateID() throws {
        try Fixtures.withTemporaryDirectory { dir in
            let store = try PredictionStore(path: dir.appendingPathComponent("p.sqlite").path)
            try store.record(Self.answer("a1"))
            #expect(throws: MonitoringError.self) { try store.record(Self.answer("a1")) }
        }
    }

    @Test("pruning by age and by row count removes answers with their feedback")
    func pruneByAgeAndCount() throws {
        try Fixtures.withTemporaryDirectory { dir in
            let store = try PredictionStore(path: dir.appendingPathComponent("p.sqlite").path)
            for k in 0..<10 { try store.record(Self.answer("a\(k)", at: Double(1000 + k))) }
            _ = try store.takeFeedback(for: "a0", score: Self.label("tabby"))
            _ = try store.takeFeedback(for: "a9", score: Self.label("tabby"))
            #expect(try store.prune(olderThan: Date(timeIntervalSince1970: 1003), keepNewest: nil) == 3)
            #expect(try store.answer("a2") == nil && store.answer("a3") != nil)
            #expect(try store.accuracyByModel()["cls"]?.total == 1, "a0's feedback goes with it")
            #expect(try store.prune(olderThan: nil, keepNewest: 4) == 3)
            #expect(try store.answer("a5") == nil && store.answer("a6") != nil && store.answer("a9") != nil)
        }
    }

    @Test("a file that is not a store, or a store from a newer Lumen, is refused with a typed error")
    func refusesForeignFiles() throws {
        try Fixtures.withTemporaryDirectory { dir in
            let junk = dir.appendingPathComponent("junk.sqlite")
            try Data(repeating: 0x41, count: 4096).write(to: junk)
            #expect(throws: MonitoringError.self) { try PredictionStore(path: junk.path) }
            let path = dir.appendingPathComponent("newer.sqlite").path
            do {
                let store = try PredictionStore(path: path)
                try store.pool.write { db in
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
                }
            }
            #expect {
                try PredictionStore(path: path)
            } throws: { error in
                guard case .incompatible = error as? MonitoringError else { return false }
                return true
            }
        }
    }

    @Test("drift checks: the latest per reference and kind survives reopening and pruning by age")
    func latestDriftChecks() throws {
        try Fixtures.withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("p.sqlite").path
            do {
                let store = try PredictionStore(path: path)
                for (k, (reference, kind, time)) in [
                    ("tabular", "features", 10.0), ("tabular", "features", 30.0), ("tabular", "images", 20.0),
                    ("users", "latent", 5.0),
                ].enumerated() {
                    try store.record(
                        StoredDriftCheck(
                            id: "d\(k)",
                            time: Date(timeIntervalSince1970: time),
                            reference: reference,
                            kind: kind,
                            report: Data("{\"n\":\(k)}".utf8)
                        )
                    )
                }
            }
            let store = try PredictionStore(path: path)
            #expect(try store.latestDriftChecks().map(\.id) == ["d1", "d2", "d3"])
            try store.prune(olderThan: Date(timeIntervalSince1970: 1000), keepNewest: nil)
            let kept = try store.latestDriftChecks()
            #expect(kept.map(\.id) == ["d1", "d2", "d3"] && kept[0].report == Data("{\"n\":1}".utf8))
            #expect(try store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM drift_check") } == 3)
        }
    }

    @Test("a window counts answers, feedback and kinds in [from, to) and scores ratings by MAE and RMSE")
    func windowCounts() throws {
        try Fixtures.withTemporaryDirectory { dir in
            let store = try PredictionStore(path: dir.appendingPathComponent("p.sqlite").path)
            for k in 0..<6 { try store.record(Self.answer("c\(k)", at: Double(100 + k))) }
            _ = try store.takeFeedback(for: "c1", score: Self.label("tabby"))
            _ = try store.takeFeedback(for: "c2", score: Self.label("helmet"))
            _ = try store.takeFeedback(for: "c5", score: Self.label("tabby"))
            for (k, error) in [0.5, 1.5].enumerated() {
                let id = "r\(k)"
                try store.record(
                    StoredAnswer(
                        id: id,
                        time: Date(timeIntervalSince1970: 102),
                        route: "/v1/recs",
                        caller: "bob",
                        model: "cls",
                        prediction: .ratings(user: "u1", predicted: ["i1": 4])
                    )
                )
                _ = try store.takeFeedback(for: id) { _ in
                    (StoredFeedback(item: "i1", rating: 4 - error, absoluteError: error), 0)
                }
            }
            let w = try store.window(
                model: "cls",
                from: Date(timeIntervalSince1970: 101),
                to: Date(timeIntervalSince1970: 105)
            )
            #expect(w.answers == 6 && w.withFeedback == 4)
            #expect(w.kinds == [.label: 4, .ratings: 2])
            #expect(w.classification?.count == 2 && w.classification?.accuracy == 0.5)
            #expect(w.ratingMAE == 1 && abs((w.ratingRMSE ?? 0) - (1.25 as Double).squareRoot()) < 1e-12)
            #expect(throws: MonitoringError.self) {
                try store.window(model: "cls", from: Date(timeIntervalSince1970: 5), to: Date(timeIntervalSince1970: 1))
            }
        }
    }
}

@Suite("Window metrics")
struct ClassificationReportTests {
    @Test("accuracy, confusion matrix, per-class precision/recall/F1 and calibration error match scikit-learn")
    func matchesScikitLearn() throws {
        let reference =
            try JSONSerialization.jsonObject(with: Data(Fixtures.bytes("monitoring/classification.json")))
            as! [String: Any]
        let outcomes = (reference["outcomes"] as! [[String: Any]]).map {
            ClassificationReport.Outcome(
                predicted: $0["predicted"] as! String,
                truth: $0["truth"] as! String,
                confidence: $0["confidence"] as! Double,
                scores: $0["scores"] as! [String: Double]
            )
        }
        let report = ClassificationReport(outcomes)
        #expect(report.labels == reference["labels"] as! [String])
        #expect(report.confusion == reference["confusion"] as! [[Int]])
        #expect(abs(report.accuracy - (reference["accuracy"] as! Double)) < 1e-12)
        for (k, scores) in report.perClass.enumerated() {
            #expect(abs(scores.precision - (reference["precision"] as! [Double])[k]) < 1e-12, "\(scores.label)")
            #expect(abs(scores.recall - (reference["recall"] as! [Double])[k]) < 1e-12, "\(scores.label)")
            #expect(abs(scores.f1 - (reference["f1"] as! [Double])[k]) < 1e-12, "\(scores.label)")
            #expect(scores.support == (reference["support"] as! [Int])[k])
        }
        #expect(abs(report.macroF1 - (reference["macro_f1"] as! Double)) < 1e-12)
        let auc = reference["roc_auc"] as! [String: Double]
        let ap = reference["average_precision"] as! [String: Double]
        for scores in report.perClass {
            #expect(
                scores.rocAUC.map { abs($0 - auc[scores.label]!) < 1e-12 } ?? (auc[scores.label] == nil),
                "\(scores.label)"
            )
            #expect(
                scores.averagePrecision.map { abs($0 - ap[scores.label]!) < 1e-12 } ?? (ap[scores.label] == nil),
                "\(scores.label)"
            )
        }
        #expect(report.perClass.filter { $0.rocAUC != nil }.count == auc.count)
        #expect(abs(report.expectedCalibrationError - (reference["ece"] as! Double)) < 1e-9)
    }
}

@Suite("Monitor report page")
struct MonitorReportPageTests {
    /// The scikit-learn fixture's answers, served over three days, all with ground truth.
    static func store(in dir: URL) throws -> PredictionStore {
        let reference =
            try JSONSerialization.jsonObject(with: Data(Fixtures.bytes("monitoring/classification.json")))
            as! [String: Any]
        let store = try PredictionStore(path: dir.appendingPathComponent("p.sqlite").path)
        for (k, o) in (reference["outcomes"] as! [[String: Any]]).enumerated() {
            let id = "a\(k)"
            try store.record(
                StoredAnswer(
                    id: id,
                    time: Date(timeIntervalSince1970: 1_764_547_200 + Double(k) * 648),
                    route: "/v1/cam/model/{name}",
                    caller: "reviewer",
                    model: "cls",
                    prediction: .label(
                        label: o["predicted"] as! String,
                        confidence: o["confidence"] as! Double,
                        scores: o["scores"] as! [String: Double]
                    )
                )
            )
            _ = try store.takeFeedback(for: id) { answer in
                (
                    StoredFeedback(
                        label: o["truth"] as? String,
                        correct: o["truth"] as? String == o["predicted"] as? String
                    ), 0
                )
            }
        }
        return store
    }

    @Test("the report page renders in headless Chromium with the series, confusion matrix and one ROC curve per class")
    func rendersInChromium() throws {
        try #require(HeadlessChromium.available, "scripts/setup installs chromium")
        let dir = try Fixtures.temporaryDirectory()
        let store = try Self.store(in: dir)
        let from = Date(timeIntervalSince1970: 1_764_547_200)
        let page = try MonitorReportPage.make(
            store: store,
            model: "cls",
            from: from,
            to: from.addingTimeInterval(3 * 86_400),
            bucketSeconds: 86_400
        )
        #expect(page.series.map(\.answers) == [134, 133, 133])
        let file = dir.appendingPathComponent("report.html")
        try page.html.write(to: file, atomically: true, encoding: .utf8)
        let dom = try HeadlessChromium.dumpDOM(file, budgetMilliseconds: 2000)
        #expect(!dom.contains("<script"))
        #expect(
            dom.components(separatedBy: "<polyline class=\"curve\"").count - 1 == 4,
            "ROC curves for the four true classes"
        )
        #expect(dom.components(separatedBy: "<rect class=\"served\"").count - 1 == 3)
        let c = try #require(page.window.classification)
        #expect(dom.components(separatedBy: "<rect class=\"hit\"").count - 1 == c.labels.count)
        #expect(
            dom.contains(String(format: "%.3f", c.accuracy)) && dom.contains(String(format: "%.3f", c.macroROCAUC ?? 0))
        )
    }
}
