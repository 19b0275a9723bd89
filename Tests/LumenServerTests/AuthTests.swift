import Foundation
import HTTPTypes
import Testing

@testable import LumenServer

@Suite("Bearer tokens and roles")
struct AuthTests {
    let server = ServerFixtures.secured
    let t = ServerFixtures.tokens

    @Test("missing or wrong tokens are 401 with a challenge") func missingOrWrongTokensAre401WithAChallenge()
        async throws
    {
        let none = try await server.get("/v1/models")
        #expect(none.status == 401)
        #expect(none.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        #expect(try await server.get("/v1/models", token: "wrong-token-wrong-token").status == 401)
        #expect(try await server.get("/v1/models", headers: ["Authorization": "Basic dXNlcjpwYXNz"]).status == 401)
    }

    @Test(
        "each role reaches its routes and no more",
        arguments: [
            // (route, method, lowest role allowed)
            ("/v1/models", "GET", Role.viewer),
            ("/v1/recs/emf-synthetic/users/u1/recommendations", "GET", Role.viewer),
            ("/v1/drift/latest", "GET", Role.viewer),
            ("/v1/recs/emf-synthetic/users/u1/items/i1/explanation", "GET", Role.auditor),
            ("/v1/audit", "GET", Role.auditor),
            ("/v1/admin/reload", "POST", Role.admin),
        ]
    )
    func eachRoleReachesItsRoutesAndNoMore(path: String, method: String, lowest: Role) async throws {
        for (role, token) in [(Role.viewer, t.viewer), (.auditor, t.auditor), (.admin, t.admin)] {
            let reply = try await server.send(
                method == "GET" ? .get : .post,
                path,
                headers: ["Authorization": "Bearer \(token)"]
            )
            if role >= lowest {
                #expect(reply.status == 200, "\(role) on \(path): \(reply.text)")
            } else {
                #expect(reply.status == 403, "\(role) on \(path)")
                #expect(
                    try reply.json()["detail"] as? String ?? ""
                        == "'\(role == .viewer ? "vera" : "aldo")' has the \(role) role; this route needs \(lowest) or higher"
                )
            }
        }
    }

    @Test("probes and metrics need no token") func probesAndMetricsNeedNoToken() async throws {
        for path in ["/healthz", "/readyz", "/metrics"] { #expect(try await server.get(path).status == 200) }
    }

    @Test("audit records name the caller not the token") func auditRecordsNameTheCallerNotTheToken() async throws {
        let reply = try await server.get("/v1/recs/emf-synthetic/users/u2/recommendations?n=2", token: t.viewer)
        let id = try #require(reply.header("Lumen-Explanation-Id"))
        let record = try #require(try server.auditRecords().records.first { $0.id == id })
        #expect(record.caller == "vera" && record.role == "viewer")
        let text = try String(contentsOfFile: server.services.audit.path, encoding: .utf8)
        #expect(!text.contains(t.viewer) && !text.contains(t.admin))
        #expect(!server.logs.lines.joined().contains(t.viewer))
    }

    @Test("token files are parsed and bad ones refused") func tokenFilesAreParsedAndBadOnesRefused() throws {
        let folder = try ServerFixtures.smallModels()
        let file = folder.appendingPathComponent("tokens")
        try "# ops\nadmin ada 0123456789abcdefXYZ\n\nviewer dash dashboard-token-123456\n".write(
            to: file,
            atomically: true,
            encoding: .utf8
        )
        let store = try TokenStore(file: file.path)
        #expect(store.caller(for: "0123456789abcdefXYZ") == Caller(name: "ada", role: .admin))
        #expect(store.caller(for: "dashboard-token-123456") == Caller(name: "dash", role: .viewer))
        #expect(store.caller(for: "0123456789abcdefXY") == nil)
        #expect(throws: ServerError.self) { try TokenStore(inline: "viewer:x:short") }
        #expect(throws: ServerError.self) { try TokenStore(inline: "root:x:0123456789abcdef0") }
        #expect(throws: ServerError.self) {
            try TokenStore(inline: "viewer:x:0123456789abcdef0,admin:y:0123456789abcdef0")
        }
    }

    @Test("an empty tokens file refuses to start even on loopback") func anEmptyTokensFileRefusesToStartEvenOnLoopback()
        throws
    {
        let file = try ServerFixtures.smallModels().appendingPathComponent("tokens")
        try "# nobody yet\n\n".write(to: file, atomically: true, encoding: .utf8)
        var c = ServerConfiguration()
        c.tokensFile = file.path
        #expect(throws: ServerError.self) { try c.validate(tokens: try TokenStore(file: file.path)) }
    }

    @Test(
        "loopback is decided on the parsed address",
        arguments: [
            ("127.0.0.1", true), ("127.1.2.3", true), ("localhost", true), ("::1", true), ("[::1]", true),
            ("127.example.com", false), ("127.0.0.1.nip.io", false), ("0.0.0.0", false), ("10.0.0.1", false),
            ("127.0.0.256", false),
            ("127.0.0", false), ("", false),
        ]
    )
    func loopbackIsDecidedOnTheParsedAddress(host: String, loopback: Bool) {
        var c = ServerConfiguration()
        c.host = host
        #expect(c.bindsLoopback == loopback)
    }

    @Test("public address without tokens refuses to start unless insecure")
    func publicAddressWithoutTokensRefusesToStartUnlessInsecure() throws {
        var c = ServerConfiguration()
        c.host = "0.0.0.0"
        #expect(throws: ServerError.self) { try c.validate(tokens: try TokenStore()) }
        try c.validate(tokens: try TokenStore(inline: "viewer:v:0123456789abcdef0"))
        c.insecure = true
        try c.validate(tokens: try TokenStore())
    }

    @Test("environment overrides the config file") func environmentOverridesTheConfigFile() throws {
        let folder = try ServerFixtures.smallModels()
        let file = folder.appendingPathComponent("lumen.json")
        try #"{"port": 9000, "max_body_bytes": 5000, "access_log": false}"#.write(
            to: file,
            atomically: true,
            encoding: .utf8
        )
        var c = try ServerConfiguration.load(file: file.path)
        #expect(c.port == 9000 && c.maxBodyBytes == 5000 && !c.accessLog && c.host == "127.0.0.1")
        try c.apply(environment: ["LUMEN_PORT": "9100", "LUMEN_AUDIT_FSYNC": "true"])
        #expect(c.port == 9100 && c.auditFsync)
        #expect(throws: ServerError.self) { try c.apply(environment: ["LUMEN_PORT": "eighty"]) }
        try #"{"port": "x"}"#.write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: ServerError.configuration("config file \(file.path): port should be an integer")) {
            try ServerConfiguration.load(file: file.path)
        }
    }

    @Test("the audit log lives in the data folder not the current one")
    func theAuditLogLivesInTheDataFolderNotTheCurrentOne() throws {
        #expect(ServerConfiguration.defaultDataDir(["HOME": "/home/ana"]) == "/home/ana/.local/state/lumen")
        #expect(
            ServerConfiguration.defaultDataDir(["HOME": "/home/ana", "XDG_STATE_HOME": "/var/st"]) == "/var/st/lumen"
        )
        #expect(ServerConfiguration.defaultDataDir(["LUMEN_DATA_DIR": "/srv/lumen", "HOME": "/h"]) == "/srv/lumen")
        var c = ServerConfiguration()
        c.dataDir = "/srv/lumen"
        #expect(c.auditLogPath == "/srv/lumen/audit.jsonl")
        try c.apply(environment: ["LUMEN_DATA_DIR": "/data"])
        #expect(c.auditLogPath == "/data/audit.jsonl")
        c.auditLog = "/logs/a.jsonl"
        #expect(c.auditLogPath == "/logs/a.jsonl")
        #expect(!ServerConfiguration().auditLogPath.hasPrefix(FileManager.default.currentDirectoryPath + "/"))
    }
}
