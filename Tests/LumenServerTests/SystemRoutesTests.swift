import Foundation
import HTTPTypes
import LumenTestSupport
import Testing

@testable import LumenServer

@Suite("Health, readiness, metrics and logs")
struct SystemRoutesTests {
    let server = ServerFixtures.shared

    @Test("health and readiness") func healthAndReadiness() async throws {
        #expect(try await server.get("/healthz").json()["status"] as? String == "ok")
        let ready = try await server.get("/readyz").json()
        #expect(ready["status"] as? String == "ready" && ready["models"] as? Int == 5)
        let empty = try TestServer(models: try Fixtures.temporaryDirectory())
        let notReady = try await empty.get("/readyz")
        #expect(notReady.status == 503 && notReady.header("Content-Type") == "application/problem+json")
    }

    @Test("not ready while the audit log cannot be written") func notReadyWhileTheAuditLogCannotBeWritten() async throws
    {
        // The log file deleted under the server: answers would go to an unlinked file.
        let gone = try TestServer(models: try ServerFixtures.smallModels())
        #expect(try await gone.get("/readyz").status == 200)
        try FileManager.default.removeItem(atPath: gone.services.configuration.auditLogPath)
        let deleted = try await gone.get("/readyz")
        let deletedDetail = try deleted.json()["detail"] as? String ?? ""
        #expect(deleted.status == 503 && deletedDetail.contains("audit log"))
        // A full disk: every append fails (root can write anywhere, so /dev/full stands in).
        let full = try TestServer(models: try ServerFixtures.smallModels()) { $0.auditLog = "/dev/full" }
        #expect(try await full.get("/readyz").status == 200)
        #expect(try await full.get("/v1/recs/emf-synthetic/users/u1/recommendations?n=2").status == 500)
        let failing = try await full.get("/readyz")
        let failingDetail = try failing.json()["detail"] as? String ?? ""
        #expect(failing.status == 503 && failingDetail.contains("failed"))
    }

    @Test("metrics count requests by route and status") func metricsCountRequestsByRouteAndStatus() async throws {
        let fresh = try TestServer(models: try ServerFixtures.smallModels())
        for _ in 0..<3 { _ = try await fresh.get("/v1/recs/emf-synthetic/users/u1/recommendations?n=4") }
        _ = try await fresh.get("/v1/recs/emf-synthetic/users/ghost/recommendations")
        let text = try await fresh.get("/metrics").text
        #expect(
            text.contains(
                #"lumen_http_requests_total{route="/v1/recs/{model}/users/{user}/recommendations",method="GET",status="200"} 3"#
            )
        )
        #expect(
            text.contains(
                #"lumen_http_requests_total{route="/v1/recs/{model}/users/{user}/recommendations",method="GET",status="404"} 1"#
            )
        )
        #expect(text.contains(#"lumen_recommendations_total{model="emf-synthetic"} 12"#))
        #expect(text.contains("lumen_http_request_duration_seconds_bucket"))
        #expect(text.contains("lumen_process_resident_memory_bytes"))
        #expect(text.contains(#"lumen_models_loaded{kind="recommender"} 1"#))
    }

    @Test("process figures are exposed and move") func processFiguresAreExposedAndMove() throws {
        let metrics = ServerMetrics()
        func value(_ name: String, in text: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap {
                Double($0.split(separator: " ")[1])
            }
        }
        let before = String(decoding: metrics.exposition(), as: UTF8.self)
        // Burn some CPU and hold 200 more descriptors (tests running beside this one open and
        // close their own, so the bound leaves room for them: 5 was flaky under --parallel).
        var x = 0.0
        for i in 0..<3_000_000 { x += Double(i % 7).squareRoot() }
        let handles = try (0..<200).map { _ in try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/stat")) }
        let after = String(decoding: metrics.exposition(), as: UTF8.self)
        let cpu0 = try #require(value("lumen_process_cpu_seconds_total", in: before))
        let cpu1 = try #require(value("lumen_process_cpu_seconds_total", in: after))
        #expect(cpu1 > cpu0 && x > 0)
        let fds0 = try #require(value("lumen_process_open_fds", in: before))
        let fds1 = try #require(value("lumen_process_open_fds", in: after))
        #expect(fds1 >= fds0 + 150)
        #expect(try #require(value("lumen_process_max_fds", in: after)) >= fds1)
        #expect(try #require(value("lumen_process_virtual_memory_bytes", in: after)) > 1_000_000)
        #expect(after.contains("# TYPE lumen_process_cpu_seconds_total counter"))
        for h in handles { try h.close() }
    }

    @Test("recommended item labels are capped") func recommendedItemLabelsAreCapped() throws {
        let metrics = ServerMetrics(itemLabelLimit: 3)
        metrics.recommended(model: "m", items: ["a", "b", "c", "d", "e"], explainable: 2)
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(text.contains(#"lumen_recommended_items_total{model="m",item="other"} 2"#))
        #expect(!text.contains(#"item="d""#))
        #expect(text.contains(#"lumen_recommendations_explainable_ratio{model="m"} 0.4"#))
    }

    @Test("promtool accepts the exposition") func promtoolAcceptsTheExposition() async throws {
        let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        try #require(promtool != nil, "promtool is installed by scripts/setup (Debian package prometheus)")
        // Exercise every metric family first.
        _ = try await server.get("/v1/recs/emf-synthetic/users/u1/recommendations")
        let csv = try Fixtures.bytes("drift/features_current.csv")
        _ = try await server.send(
            .post,
            "/v1/drift/features?reference=tabular",
            headers: ["Content-Type": "text/csv"],
            body: csv
        )
        let file = try Fixtures.temporaryDirectory().appendingPathComponent("metrics.txt")
        try Data(try await server.get("/metrics").body).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(promtool!) check metrics < \(file.path)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(output)")
    }

    @Test("one JSON log line per request") func oneJSONLogLinePerRequest() async throws {
        let reply = try await server.get("/v1/models", headers: ["X-Request-Id": "trace-me-42"])
        #expect(reply.header("X-Request-Id") == "trace-me-42")
        let line = try #require(server.logs.lines.last { $0.contains("trace-me-42") })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(json["route"] as? String == "/v1/models")
        #expect(json["status"] as? Int == 200)
        #expect(json["latency_ms"] is Double || json["latency_ms"] is Int)
        #expect(json["level"] as? String == "info" && json["message"] as? String == "request")
    }

    @Test("unknown routes are problems too") func unknownRoutesAreProblemsToo() async throws {
        let reply = try await server.get("/v2/nothing")
        #expect(reply.status == 404 && reply.header("Content-Type") == "application/problem+json")
        // The problem points to the contract, which the server serves without a token.
        #expect((try reply.json()["detail"] as? String ?? "").contains("/openapi.yaml"))
    }

    @Test("the served contract is the repositorys open API document")
    func theServedContractIsTheRepositorysOpenAPIDocument() async throws {
        let reply = try await server.get("/openapi.yaml")
        #expect(reply.status == 200 && reply.header("Content-Type")?.hasPrefix("application/yaml") == true)
        let committed = try Data(
            contentsOf: Fixtures.root.deletingLastPathComponent().appendingPathComponent("openapi.yaml")
        )
        // After editing openapi.yaml, run scripts/gen-openapi-swift.
        #expect(reply.body == [UInt8](committed), "the embedded document is stale: run scripts/gen-openapi-swift")
    }

    @Test("the root is a docs page listing every operation") func theRootIsADocsPageListingEveryOperation() async throws
    {
        let reply = try await server.get("/")
        #expect(reply.status == 200 && reply.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(reply.text.contains("href=\"/openapi.yaml\"") && !reply.text.contains("<script"))
        let listed = Set(DocsPage.operations(in: OpenAPIDocument.yaml).map { "\($0.method) \($0.path)" })
        #expect(listed == (try OpenAPITests.specOperations()))
        for operation in listed {
            let path = operation.split(separator: " ")[1]
            #expect(reply.text.contains("<code>\(DocsPage.escape(String(path)))</code>"), "\(operation)")
        }
    }
}

@Suite("Methods")
struct MethodTests {
    @Test("known paths with other methods are 405 with allow") func knownPathsWithOtherMethodsAre405WithAllow()
        async throws
    {
        let server = ServerFixtures.shared
        let reply = try await server.send(.delete, "/v1/recs/emf-synthetic/users/u1/recommendations")
        #expect(reply.status == 405)
        #expect(reply.header("Allow") == "GET")
        #expect(try await server.send(.post, "/healthz").status == 405)
        #expect(try await server.send(.get, "/v1/cam").header("Allow") == "POST")
    }
}
