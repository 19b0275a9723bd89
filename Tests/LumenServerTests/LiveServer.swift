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
        process.arguments =
            ["serve", "--models", models.path, "--port", "0", "--audit-log", audit, "--no-access-log"] + extra
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
}
