import Foundation
import HTTPTypes
import LumenTestSupport
import Testing

@testable import LumenServer

@Suite("deploy/ refers to real metrics")
struct DeployConfigTests {
    /// Every `lumen_*` name in the alert rules and the Grafana dashboard is exposed by the server
    /// once each kind of event has happened (histograms by their `_bucket` series).
    @Test("alerts and dashboard use metrics the server exposes") func alertsAndDashboardUseMetricsTheServerExposes()
        async throws
    {
        let server = ServerFixtures.shared
        let picture = CAMRoutesTests.picture
        _ = try await server.post(
            "/v1/cam",
            json: [
                "image": Data(picture).base64EncodedString(),
                "activations": Data(try Fixtures.bytes("cam/c512_7x7.npy")).base64EncodedString(),
            ]
        )
        let model = try await server.send(
            .post,
            "/v1/cam/model/efficientnet-lite0",
            headers: ["Content-Type": "image/png"],
            body: picture
        ).json()
        _ = try await server.post("/v1/feedback", json: ["id": model["id"] as! String, "label": "tabby"])
        _ = try await server.get("/v1/recs/emf-synthetic/users/u9/recommendations")
        _ = try await server.send(
            .post,
            "/v1/drift/features?reference=tabular",
            headers: ["Content-Type": "text/csv"],
            body: try Fixtures.bytes("drift/features_current.csv")
        )
        server.services.metrics.reload(succeeded: true)
        let exposition = try await server.get("/metrics").text
        let exposed = Set(
            exposition.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap {
                $0.split(whereSeparator: { $0 == "{" || $0 == " " }).first.map(String.init)
            }
        )
        let deploy = ServerFixtures.repository.appendingPathComponent("deploy")
        var referenced = Set<String>()
        for file in ["lumen-alerts.yml", "grafana/lumen-dashboard.json"] {
            let text = try String(contentsOf: deploy.appendingPathComponent(file), encoding: .utf8)
            let regex = try NSRegularExpression(pattern: "lumen_[a-z_]+")
            for m in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                referenced.insert(String(text[Range(m.range, in: text)!]))
            }
        }
        #expect(referenced.count >= 12)
        let missing = referenced.filter { !exposed.contains($0) && !exposed.contains($0 + "_bucket") }
        #expect(missing.isEmpty, "not exposed: \(missing.sorted())")
    }
}
