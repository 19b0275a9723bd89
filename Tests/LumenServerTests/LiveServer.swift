import Foundation
import LumenTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `lumen serve` binary (debug build) in a child process on a free loopback port.
struct LiveServer {
    let process: Process
    let port: Int

    init(models: URL, audit: String, extra: [String] = []) throws {
        let binary = ServerFixtures.repository.appendingPathComponent(".build/debug/lumen")
        try #require(
            FileManager.default.isExecutableFile(atPath: binary.path),
            "build the lumen product first (make test does)"
        )
        process = Process()
        process.executableURL = binary
        // The data folder (prediction store) beside the audit log, never the user's own.
        let data = (audit as NSString).deletingLastPathComponent
        process.arguments =
            [
                "serve", "--models", models.path, "--port", "0", "--audit-log", audit, "--data-dir", data,
                "--no-access-log",
            ]
            + extra
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        // The port from the "listening" log line.
        var port = 0
        var seen = ""
        while port == 0 {
            let chunk = out.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            seen += String(decoding: chunk, as: UTF8.self)
            for line in seen.split(separator: "\n") where line.contains("\"listening\"") {
                if let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] {
                    port = obj["port"] as? Int ?? 0
                }
            }
        }
        try #require(port > 0, "server did not start: \(seen)")
        self.port = port
    }

    /// POST a JSON object; the status and JSON object.
    func post(_ path: String, json: [String: Any]) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: json)
        let (data, response) = try await URLSession.shared.data(for: request)
        return (
            (response as? HTTPURLResponse)?.statusCode ?? 0,
            (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        )
    }

    /// GET a path; the status and JSON object.
    func get(_ path: String) async throws -> (Int, [String: Any]) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        return (
            (response as? HTTPURLResponse)?.statusCode ?? 0,
            (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        )
    }
}

@Suite("lumen serve as a process")
struct ServeProcessTests {
    @Test("SIGHUP reloads and SIGTERM stops cleanly", .timeLimit(.minutes(2)))
    func sighupReloadsAndSigtermStopsCleanly() async throws {
        let models = try ServerFixtures.smallModels()
        let live = try LiveServer(
            models: models,
            audit: try Fixtures.temporaryDirectory().appendingPathComponent("a.jsonl").path
        )
        #expect(try await live.get("/v1/models").1["generation"] as? Int == 1)
        try FileManager.default.copyItem(
            at: models.appendingPathComponent("emf-synthetic.safetensors"),
            to: models.appendingPathComponent("second.safetensors")
        )
        kill(live.process.processIdentifier, SIGHUP)
        var generation = 1
        for _ in 0..<200 where generation == 1 {
            try await Task.sleep(for: .milliseconds(50))
            generation = try await live.get("/v1/models").1["generation"] as? Int ?? 1
        }
        #expect(generation == 2)
        #expect(try await live.get("/v1/recs/second/users/u1/recommendations?n=1").0 == 200)
        kill(live.process.processIdentifier, SIGTERM)
        live.process.waitUntilExit()
        #expect(live.process.terminationReason == .exit && live.process.terminationStatus == 0)
    }

    @Test(
        "feedback for an answer given before SIGKILL is taken after a restart, once, and the window counts it",
        .timeLimit(.minutes(2))
    )
    func feedbackSurvivesKill() async throws {
        let models = try ServerFixtures.smallModels()
        let audit = try Fixtures.temporaryDirectory().appendingPathComponent("a.jsonl").path
        let first = try LiveServer(models: models, audit: audit)
        let (status, answer) = try await first.get("/v1/recs/emf-synthetic/users/u4/items/i2/explanation")
        #expect(status == 200)
        let id = try #require(answer["id"] as? String)
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        let second = try LiveServer(models: models, audit: audit)
        defer {
            kill(second.process.processIdentifier, SIGTERM)
            second.process.waitUntilExit()
        }
        let (taken, reply) = try await second.post("/v1/feedback", json: ["id": id, "rating": 2.0])
        #expect(taken == 202, "\(reply)")
        #expect(reply["outcome"] as? String == "rated")
        #expect(try await second.post("/v1/feedback", json: ["id": id, "rating": 2.0]).0 == 409)
        let (_, window) = try await second.get("/v1/monitor/emf-synthetic")
        #expect(window["answers"] as? Int == 1 && window["with_feedback"] as? Int == 1)
        #expect((window["ratings"] as? [String: Any])?["count"] as? Int == 1)
    }
}
