import Foundation
import LumenTestSupport
import Testing

@testable import LumenServer

@Suite("Audit index and rotation")
struct AuditIndexTests {
    /// Record `n` at second `n` of the day, from caller `c<n % 3>`, user `u<n % 7>`.
    static func record(_ n: Int, second: Int? = nil) -> AuditRecord {
        let s = second ?? n
        return AuditRecord(
            id: "exp-\(n)",
            time: AuditTime.string(1_795_000_000_000 + Int64(s) * 1000),
            caller: "c\(n % 3)",
            role: "viewer",
            method: "GET",
            route: "/v1/recs/{model}/users/{user}/recommendations",
            path: "/p",
            model: n % 2 == 0 ? "emf" : "ebpr",
            modelVersion: nil,
            inputsDigest: "d",
            parameters: ["user": "u\(n % 7)", "item": "i\(n % 5)"],
            outcome: "ok",
            status: 200,
            requestID: "r\(n)"
        )
    }

    /// The same query answered by decoding every line of every segment (the oracle).
    static func naive(_ folder: URL, _ path: String, _ q: AuditQuery) throws -> [String] {
        let segments = AuditSegment.rotated(of: path).map(\.path) + [path]
        var all: [AuditRecord] = []
        for s in segments {
            let text = try String(contentsOfFile: s, encoding: .utf8)
            for line in text.split(separator: "\n") {
                if let r = try? JSONDecoder().decode(AuditRecord.self, from: Data(line.utf8)) { all.append(r) }
            }
        }
        var hits = all.filter { r in
            q.matches(r) && (q.since.map { r.time >= $0 } ?? true) && (q.until.map { r.time <= $0 } ?? true)
        }
        if q.newestFirst { hits.reverse() }
        return hits.prefix(q.limit).map(\.id)
    }

    @Test("times round trip through milliseconds") func timesRoundTripThroughMilliseconds() {
        for ms: Int64 in [0, 1, 999, 1_795_000_000_123, 253_402_300_799_999] {
            #expect(AuditTime.milliseconds(AuditTime.string(ms)) == ms)
        }
        #expect(AuditTime.milliseconds("2026-11-22T10:00:03Z") == AuditTime.milliseconds("2026-11-22T10:00:03.000Z"))
        for bad in ["", "yesterday", "2026-13-01T00:00:00Z", "2026-11-22T10:00:03.000", "2026-11-22 10:00:03Z"] {
            #expect(AuditTime.milliseconds(bad) == nil, "\(bad)")
        }
    }

    @Test("filtered reads agree with decoding every line across rotated segments")
    func filteredReadsAgreeWithDecodingEveryLineAcrossRotatedSegments() throws {
        let folder = try Fixtures.temporaryDirectory()
        let path = folder.appendingPathComponent("audit.jsonl").path
        let log = try AuditLog(path: path, rotateAtBytes: 4096)
        for n in 0..<400 { try log.append(Self.record(n)) }
        let segments = AuditSegment.rotated(of: path)
        #expect(segments.count >= 10, "a 4 KiB limit over ~100 KB of records rotates often")
        #expect(segments.map(\.number) == Array(1...segments.count))
        var queries: [AuditQuery] = [AuditQuery(), AuditQuery(limit: 7)]
        var q = AuditQuery(since: AuditTime.string(1_795_000_000_000 + 33_000), until: nil, limit: 50)
        queries.append(q)
        q.until = AuditTime.string(1_795_000_000_000 + 301_000)
        q.caller = "c1"
        queries.append(q)
        q.newestFirst = true
        queries.append(q)
        var byUser = AuditQuery(limit: 10_000)
        byUser.user = "u3"
        byUser.item = "i4"
        queries.append(byUser)
        var byID = AuditQuery()
        byID.id = "exp-257"
        queries.append(byID)
        byID.id = "exp-4000"
        queries.append(byID)
        var byModel = AuditQuery(limit: 3)
        byModel.model = "ebpr"
        byModel.newestFirst = true
        queries.append(byModel)
        for query in queries {
            let page = try log.read(query)
            let expected = try Self.naive(folder, path, query)
            #expect(page.records.map(\.id) == expected, "\(query)")
            #expect(page.skippedLines == 0)
        }
        #expect(try log.read(AuditQuery(limit: 7)).truncated)
        #expect(try !log.read(byUser).truncated)
        #expect(try log.read(byModel).records.map(\.id) == ["exp-399", "exp-397", "exp-395"])
    }

    @Test("records stamped out of order are written in time order") func recordsStampedOutOfOrderAreWrittenInTimeOrder()
        throws
    {
        let path = try Fixtures.temporaryDirectory().appendingPathComponent("audit.jsonl").path
        let log = try AuditLog(path: path)
        try log.append(Self.record(0, second: 10))
        try log.append(Self.record(1, second: 5))  // stamped earlier, written later
        let page = try log.read(AuditQuery())
        #expect(page.records.map(\.time) == [Self.record(0, second: 10).time, Self.record(0, second: 10).time])
        let since = AuditQuery(since: Self.record(0, second: 10).time)
        #expect(try log.read(since).records.map(\.id) == ["exp-0", "exp-1"])
    }

    @Test("a missing or damaged index is rebuilt and reads never depend on it")
    func aMissingOrDamagedIndexIsRebuiltAndReadsNeverDependOnIt() throws {
        let folder = try Fixtures.temporaryDirectory()
        let path = folder.appendingPathComponent("audit.jsonl").path
        do {
            let log = try AuditLog(path: path, rotateAtBytes: 8192)
            for n in 0..<120 { try log.append(Self.record(n)) }
        }
        var query = AuditQuery(limit: 10_000)
        query.caller = "c2"
        let expected = try Self.naive(folder, path, query)
        #expect(expected.count == 40)
        let everything = try Self.naive(folder, path, AuditQuery(limit: 10_000))
        #expect(everything.count == 120)
        // Readers scan what the index does not cover: an index gone, a half entry, a wrong one.
        let first = try #require(AuditSegment.rotated(of: path).first).path
        try FileManager.default.removeItem(atPath: AuditSegment.indexPath(first))
        let activeIndex = AuditSegment.indexPath(path)
        let handle = try #require(FileHandle(forWritingAtPath: activeIndex))
        handle.seekToEndOfFile()
        handle.write(Data([1, 2, 3]))
        handle.closeFile()
        #expect(try AuditLog.read(path: path, query: query).records.map(\.id) == expected)
        try Data(repeating: 0xFF, count: AuditIndexEntry.size * 3).write(to: URL(fileURLWithPath: activeIndex))
        #expect(try AuditLog.read(path: path, query: query).records.map(\.id) == expected)
        // A wrong entry in the middle of an index (offset past the segment) is found by the writer.
        let second = try #require(AuditSegment.rotated(of: path).dropFirst().first).path
        let middle = try #require(FileHandle(forUpdatingAtPath: AuditSegment.indexPath(second)))
        middle.seek(toFileOffset: UInt64(AuditIndexEntry.size * 5))
        middle.write(Data(repeating: 0x7F, count: 8))
        middle.closeFile()
        // The writer rebuilds all three on open and appends after them.
        let reopened = try AuditLog(path: path, rotateAtBytes: 8192)
        #expect(FileManager.default.fileExists(atPath: AuditSegment.indexPath(first)))
        let indexed = try FileManager.default.attributesOfItem(atPath: activeIndex)[.size] as? Int ?? 0
        #expect(indexed % AuditIndexEntry.size == 0 && indexed > 0)
        try reopened.append(Self.record(122))
        #expect(try reopened.read(query).records.map(\.id) == expected + ["exp-122"])
        #expect(try reopened.read(AuditQuery(limit: 10_000)).records.map(\.id) == everything + ["exp-122"])
    }

    @Test("torn lines inside the range are counted not returned") func tornLinesInsideTheRangeAreCountedNotReturned()
        throws
    {
        let path = try Fixtures.temporaryDirectory().appendingPathComponent("audit.jsonl").path
        do {
            let log = try AuditLog(path: path)
            for n in 0..<3 { try log.append(Self.record(n)) }
        }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(Self.record(3).jsonLine().prefix(30)))
        handle.closeFile()
        let reopened = try AuditLog(path: path)
        try reopened.append(Self.record(4))
        let page = try reopened.read(AuditQuery())
        #expect(page.records.map(\.id) == ["exp-0", "exp-1", "exp-2", "exp-4"])
        #expect(page.skippedLines == 1)
        var byCaller = AuditQuery()
        byCaller.caller = "c1"
        #expect(try reopened.read(byCaller).records.map(\.id) == ["exp-1", "exp-4"])
    }

    @Test("auditors filter the trail over HTTP") func auditorsFilterTheTrailOverHTTP() async throws {
        let server = try TestServer(models: try ServerFixtures.smallModels())
        _ = try await server.get("/v1/recs/emf-synthetic/users/u1/recommendations?n=1")
        let answer = try await server.get("/v1/recs/emf-synthetic/users/u2/items/i3/explanation")
        _ = try await server.get("/v1/recs/emf-synthetic/users/u1/items/i4/explanation")
        let id = try #require(answer.header("Lumen-Explanation-Id"))
        func ids(_ query: String) async throws -> [String] {
            let page = try await server.get("/v1/audit?\(query)").json()
            return (page["records"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        #expect(try await ids("id=\(id)") == [id])
        #expect(try await ids("user=u1").count == 2)
        #expect(try await ids("user=u1&item=i4").count == 1)
        #expect(try await ids("user=u2&order=newest&limit=1") == [id])
        #expect(try await ids("model=nope").isEmpty)
        #expect(try await server.get("/v1/audit?order=sideways").status == 400)
        #expect(try await server.get("/v1/audit?until=never").status == 400)
    }
}
