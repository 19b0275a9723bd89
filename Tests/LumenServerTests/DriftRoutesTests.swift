import Foundation
import HTTPTypes
import LumenDrift
import LumenIO
import LumenRecs
import LumenTestSupport
import Testing

@testable import LumenServer

@Suite("Drift routes")
struct DriftRoutesTests {
    let server = ServerFixtures.shared

    @Test("CSV features match the engine and update metrics and latest")
    func csvFeaturesMatchTheEngineAndUpdateMetricsAndLatest() async throws {
        let csv = try Fixtures.bytes("drift/features_current.csv")
        let reply = try await server.send(
            .post,
            "/v1/drift/features?reference=tabular",
            headers: ["Content-Type": "text/csv"],
            body: csv
        )
        #expect(reply.status == 200, "\(reply.text)")
        let json = try reply.json()
        let report = try #require(json["report"] as? [String: Any])
        let features = try #require(report["features"] as? [[String: Any]])
        let reference = server.services.store.catalog.references["tabular"]!.profile
        let current = ReferenceProfile(
            kind: .features,
            source: "x",
            columns: try CSVTable.load(Fixtures.url("drift/features_current.csv")).profiles()
        )
        let expected = try DriftAnalysis.features(reference, current)
        #expect(features.map { $0["name"] as? String } == expected.map(\.name))
        for (got, want) in zip(features, expected) {
            let result = try #require(got["result"] as? [String: Any])
            #expect(abs((result["score"] as? Double ?? -1) - want.result.score) < 1e-12)
            #expect(result["drifted"] as? Bool == want.result.drifted)
        }
        let latest = try await server.get("/v1/drift/latest?reference=tabular").json()
        // Other tests post to the same reference concurrently, so the latest may be theirs.
        let stored = try #require(
            (latest["reports"] as? [[String: Any]])?.first {
                ($0["report"] as? [String: Any])?["kind"] as? String == "features"
            }
        )
        #expect(stored["reference"] as? String == "tabular")
        #expect((stored["id"] as? String ?? "").hasPrefix("exp-"))
        let metrics = try await server.get("/metrics").text
        #expect(metrics.contains(#"lumen_drift_features_drifted_ratio{reference="tabular",kind="features"}"#))
        #expect(metrics.contains(#"lumen_drift_score{reference="tabular",kind="features",feature="age"}"#))
    }

    @Test(
        "a restarted server shows the stored drift checks: /v1/drift/latest and the gauges, with the check's own time"
    )
    func restartKeepsDriftChecks() async throws {
        let data = try Fixtures.temporaryDirectory()
        let first = try TestServer(models: ServerFixtures.fullModels) { $0.dataDir = data.path }
        let reply = try await first.send(
            .post,
            "/v1/drift/features?reference=tabular",
            headers: ["Content-Type": "text/csv"],
            body: try Fixtures.bytes("drift/features_current.csv")
        )
        #expect(reply.status == 200)
        let id = try reply.json()["id"] as? String
        let before = try await first.get("/metrics").text
        let stamp = try #require(
            before.split(separator: "\n").first {
                $0.hasPrefix(#"lumen_drift_last_check_timestamp_seconds{reference="tabular",kind="features"}"#)
            }
        )
        try await Task.sleep(for: .milliseconds(1100))
        let second = try TestServer(models: ServerFixtures.fullModels) { $0.dataDir = data.path }
        let latest = try await second.get("/v1/drift/latest?reference=tabular").json()
        let reports = try #require(latest["reports"] as? [[String: Any]])
        #expect(reports.count == 1 && reports[0]["id"] as? String == id)
        let after = try await second.get("/metrics").text
        #expect(after.contains(String(stamp)), "the restored check keeps its time, not the restart's")
        #expect(after.contains(#"lumen_drift_score{reference="tabular",kind="features",feature="age"}"#))
    }

    @Test(
        "a scheduled check compares the features of observed traffic with the same-named profile, as a posted check would"
    )
    func servedTrafficDrift() async throws {
        let server = try TestServer(models: ServerFixtures.fullModels)
        let table = try CSVTable.load(Fixtures.url("drift/features_current.csv"))
        for row in table.rows {
            var features: [String: Any] = [:]
            for (j, name) in table.header.enumerated() { features[name] = Double(row[j]).map { $0 as Any } ?? row[j] }
            #expect(
                try await server.post("/v1/observe", json: ["model": "tabular", "label": "ok", "features": features])
                    .status == 202
            )
        }
        let made = server.services.checkServedDrift()
        #expect(made.count == 1 && made[0].current.hasPrefix("served traffic (\(table.rows.count) observed rows"))
        let posted = try await server.send(
            .post,
            "/v1/drift/features?reference=tabular",
            headers: ["Content-Type": "text/csv"],
            body: try Fixtures.bytes("drift/features_current.csv")
        ).json()
        let features = try #require((posted["report"] as? [String: Any])?["features"] as? [[String: Any]])
        #expect(made[0].features.map(\.name) == features.map { $0["name"] as? String ?? "" })
        for (ours, theirs) in zip(made[0].features, features) {
            let result = try #require(theirs["result"] as? [String: Any])
            #expect(abs(ours.result.score - (result["score"] as? Double ?? .nan)) < 1e-12, "\(ours.name)")
            #expect(ours.result.drifted == result["drifted"] as? Bool)
        }
        // Nothing observed in the window: no check.
        #expect(server.services.checkServedDrift(now: Date().addingTimeInterval(3 * 86_400)).isEmpty)
    }

    @Test("JSON columns give the same report as CSV") func jsonColumnsGiveTheSameReportAsCSV() async throws {
        let table = try CSVTable.load(Fixtures.url("drift/features_current.csv"))
        var columns: [String: [Any]] = [:]
        for (j, name) in table.header.enumerated() {
            columns[name] = table.rows.map { row -> Any in Double(row[j]).map { $0 as Any } ?? row[j] }
        }
        let viaJSON = try await server.post("/v1/drift/features", json: ["reference": "tabular", "columns": columns])
            .json()
        let viaCSV = try await server.send(
            .post,
            "/v1/drift/features?reference=tabular",
            headers: ["Content-Type": "text/csv"],
            body: try Fixtures.bytes("drift/features_current.csv")
        ).json()
        let a = (viaJSON["report"] as! [String: Any])["features"] as! [[String: Any]]
        let b = (viaCSV["report"] as! [String: Any])["features"] as! [[String: Any]]
        #expect(
            a.map { ($0["result"] as! [String: Any])["score"] as! Double }
                == b.map { ($0["result"] as! [String: Any])["score"] as! Double }
        )
    }

    @Test("images uploaded as multipart are compared") func imagesUploadedAsMultipartAreCompared() async throws {
        let folder = Fixtures.url("drift/images/current")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasSuffix(".png") || $0.hasSuffix(".jpg")
        }.sorted()
        let boundary = "imgs"
        var body: [UInt8] = []
        for name in names {
            body += Array(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"\(name)\"\r\nContent-Type: image/png\r\n\r\n"
                    .utf8
            )
            body += [UInt8](try Data(contentsOf: folder.appendingPathComponent(name))) + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        let reply = try await server.send(
            .post,
            "/v1/drift/images?reference=photos",
            headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"],
            body: body
        )
        #expect(reply.status == 200, "\(reply.text)")
        let report = try #require(try reply.json()["report"] as? [String: Any])
        let expected = try DriftAnalysis.images(
            server.services.store.catalog.references["photos"]!.profile,
            current: try ImageFolderScan.scan(folder),
            source: "x"
        )
        #expect(report["drifted"] as? Bool == expected.drifted)
        #expect((report["features"] as? [[String: Any]])?.count == expected.features.count)
    }

    @Test("latent factors from the reference population do not drift")
    func latentFactorsFromTheReferencePopulationDoNotDrift() async throws {
        let model = server.services.store.catalog.recommenders["emf-synthetic"]!.model
        let f = model.hyperparameters.factors
        let rows = (0..<300).map { u in (0..<f).map { Double(model.userFactors[u * f + $0]) } }
        let reply = try await server.post("/v1/drift/latent?reference=users", json: ["factors": rows])
        #expect(reply.status == 200, "\(reply.text)")
        #expect((try reply.json()["report"] as? [String: Any])?["drifted"] as? Bool == false)
        let shifted = rows.map { $0.map { $0 + 0.5 } }
        let moved = try await server.post("/v1/drift/latent?reference=users", json: ["factors": shifted])
        #expect((try moved.json()["report"] as? [String: Any])?["drifted"] as? Bool == true)
    }

    @Test(
        "bad drift requests get problems",
        arguments: [
            ("/v1/drift/features", "text/csv", "a\n1\n", 400),
            ("/v1/drift/features?reference=nope", "text/csv", "a\n1\n", 404),
            ("/v1/drift/weather?reference=tabular", "text/csv", "a\n1\n", 404),
            ("/v1/drift/images?reference=tabular", "application/json", "{\"images\": []}", 422),
            ("/v1/drift/features?reference=tabular", "text/csv", "colour\nred\n", 422),
            ("/v1/drift/features?reference=tabular", "image/png", "x", 415),
            ("/v1/drift/latent?reference=users", "application/json", "{\"factors\": [[1, 2], [3]]}", 422),
            ("/v1/drift/features?reference=tabular&correction=magic", "text/csv", "age\n1\n", 400),
        ]
    )
    func badDriftRequestsGetProblems(path: String, type: String, body: String, status: Int) async throws {
        let reply = try await server.send(.post, path, headers: ["Content-Type": type], body: Array(body.utf8))
        #expect(reply.status == status, "\(reply.text)")
    }
}
