import Foundation
import LumenMonitoring
import LumenTestSupport
import Testing

@testable import LumenServer

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("Audit trail")
struct AuditLogTests {
    static func record(_ n: Int) -> AuditRecord {
        AuditRecord(
            id: "exp-\(n)",
            time: "2026-11-22T10:00:\(String(format: "%02d", n % 60)).000Z",
            caller: "c",
            role: "viewer",
            method: "GET",
            route: "/r",
            path: "/r?x=\"q\"\n",
            model: nil,
            modelVersion: nil,
            inputsDigest: "d",
            parameters: ["n": String(n)],
            outcome: "ok ★",
            status: 200,
            requestID: "r"
        )
    }

    @Test("records round trip through the hand written JSON") func recordsRoundTripThroughTheHandWrittenJSON() throws {
        let path = try Fixtures.temporaryDirectory().appendingPathComponent("a.jsonl").path
        let log = try AuditLog(path: path)
        for n in 0..<5 { try log.append(Self.record(n)) }
        let page = try AuditLog.read(path: path)
        #expect(page.records == (0..<5).map(Self.record))
        #expect(page.skippedLines == 0)
        #expect(
            try AuditLog.read(path: path, since: "2026-11-22T10:00:03.000Z").records.map(\.id) == ["exp-3", "exp-4"]
        )
        #expect(try AuditLog.read(path: path, limit: 2).truncated)
    }

    @Test("a torn last line is skipped and sealed on reopen") func aTornLastLineIsSkippedAndSealedOnReopen() throws {
        let path = try Fixtures.temporaryDirectory().appendingPathComponent("a.jsonl").path
        do {
            let log = try AuditLog(path: path)
            for n in 0..<3 { try log.append(Self.record(n)) }
        }
        // A crash mid-record: half a line, no newline.
        let handle = FileHandle(forWritingAtPath: path)!
        handle.seekToEndOfFile()
        handle.write(Data(Self.record(3).jsonLine().prefix(40)))
        handle.closeFile()
        #expect(try AuditLog.read(path: path).records.count == 3)
        #expect(try AuditLog.read(path: path).skippedLines == 1)
        let reopened = try AuditLog(path: path)
        try reopened.append(Self.record(4))
        let page = try AuditLog.read(path: path)
        #expect(page.records.map(\.id) == ["exp-0", "exp-1", "exp-2", "exp-4"])
        #expect(page.skippedLines == 1)
    }

    @Test("auditors query the log over HTTP") func auditorsQueryTheLogOverHTTP() async throws {
        let server = try TestServer(models: try ServerFixtures.smallModels())
        let before = JSONLogHandler.timestamp()
        _ = try await server.get("/v1/recs/emf-synthetic/users/u1/recommendations?n=1")
        let answer = try await server.get("/v1/recs/emf-synthetic/users/u1/items/i3/explanation")
        let page = try await server.get("/v1/audit?since=\(before)").json()
        let records = try #require(page["records"] as? [[String: Any]])
        #expect(records.count == 2)
        #expect(records.last?["id"] as? String == answer.header("Lumen-Explanation-Id"))
        #expect(try await server.get("/v1/audit?since=yesterday").status == 400)
        #expect(try await server.get("/v1/audit?limit=0").status == 400)
    }

    @Test("an answer that cannot be audited is not served and leaks nothing")
    func anAnswerThatCannotBeAuditedIsNotServedAndLeaksNothing() async throws {
        let server = try TestServer(models: try ServerFixtures.smallModels()) { $0.auditLog = "/dev/full" }
        let reply = try await server.get("/v1/recs/emf-synthetic/users/u1/items/i3/explanation")
        #expect(reply.status == 500)
        let detail = try reply.json()["detail"] as? String ?? ""
        #expect(detail.contains(reply.header("X-Request-Id")!))
        #expect(!detail.contains("/dev/full") && !detail.contains("No space"))
        #expect(!reply.text.contains("predicted_rating"))
    }

    /// The real thing: a served process killed with SIGKILL while answering; every answer the
    /// clients received is in the log and in the prediction store, every line but a torn tail
    /// parses, and the log keeps working.
    @Test("kill nine during writes loses no served answer, from the log or the store", .timeLimit(.minutes(2)))
    func killNineDuringWritesLosesNoServedAnswer() async throws {
        let folder = try Fixtures.temporaryDirectory()
        let audit = folder.appendingPathComponent("audit.jsonl").path
        let live = try LiveServer(models: try ServerFixtures.smallModels(), audit: audit)
        let (server, port) = (live.process, live.port)
        let served = ServedIDs()
        let boundPort = port
        let clients = (0..<4).map { (c: Int) in
            Task.detached {
                for n in 0..<100_000 {
                    let url = URL(
                        string:
                            "http://127.0.0.1:\(boundPort)/v1/recs/emf-synthetic/users/u\((c * 37 + n) % 600)/recommendations?n=3"
                    )!
                    do {
                        let (_, response) = try await URLSession.shared.data(from: url)
                        guard let http = response as? HTTPURLResponse, http.statusCode == 200,
                            let id = http.value(forHTTPHeaderField: "Lumen-Explanation-Id")
                        else {
                            served.fail("status \((response as? HTTPURLResponse)?.statusCode ?? 0)")
                            return
                        }
                        served.add(id)
                    } catch {
                        served.fail("\(error)")
                        return
                    }
                }
            }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while served.count < 300, served.failure == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(served.count >= 300, "clients got only \(served.count) answers: \(served.failure ?? "too slow")")
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        // The clients stop at their first failed request (the server is gone). They are not
        // cancelled: cancelling URLSession tasks can deadlock in FoundationNetworking on Linux.
        for c in clients { await c.value }
        let page = try AuditLog.read(path: audit, limit: 10_000_000)
        let logged = Set(page.records.map(\.id))
        #expect(
            served.ids.isSubset(of: logged),
            "\(served.ids.subtracting(logged).count) answered requests missing from the log"
        )
        #expect(page.skippedLines <= 1)
        // And in the prediction store (LiveServer keeps it beside the audit log).
        let store = try PredictionStore(path: folder.appendingPathComponent("predictions.sqlite").path)
        var missing = 0
        for id in served.ids where try store.answer(id) == nil { missing += 1 }
        #expect(missing == 0, "\(missing) answered requests missing from the prediction store")
        let reopened = try AuditLog(path: audit)
        try reopened.append(Self.record(99))
        let after = try AuditLog.read(path: audit, limit: 10_000_000)
        #expect(after.records.last?.id == "exp-99")
        #expect(after.records.count == page.records.count + 1)
    }
}

/// Explanation ids the clients received.
final class ServedIDs: @unchecked Sendable {
    private let lock = NSLock()
    private var set = Set<String>()
    private var firstFailure: String?
    func add(_ id: String) {
        lock.lock()
        set.insert(id)
        lock.unlock()
    }
    func fail(_ why: String) {
        lock.lock()
        if firstFailure == nil { firstFailure = why }
        lock.unlock()
    }
    var failure: String? {
        lock.lock()
        defer { lock.unlock() }
        return firstFailure
    }
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return set.count
    }
    var ids: Set<String> {
        lock.lock()
        defer { lock.unlock() }
        return set
    }
}
