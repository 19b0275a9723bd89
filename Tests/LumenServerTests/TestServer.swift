import Foundation
import HTTPTypes
import Hummingbird
import Logging
import LumenDrift
import LumenIO
import LumenMonitoring
import LumenRecs
import LumenTestSupport
import NIOCore
import NIOEmbedded

@testable import LumenServer

/// A server's router driven in-process: requests go through every middleware and route exactly as
/// over a socket, without one.
struct TestServer {
    let services: LumenServices
    let responder: RouterResponder<LumenRequestContext>
    let logs: JSONLogHandler.Sink
    let folder: URL

    /// The answer to one request.
    struct Reply {
        let status: Int
        let headers: HTTPFields
        let body: [UInt8]

        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                throw TestFailure("not a JSON object: \(text)")
            }
            return object
        }
        func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
    }

    /// A server over `models` (a folder) with optional tokens and settings.
    init(models: URL, tokens: String? = nil, configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        folder = try Fixtures.temporaryDirectory()
        var configuration = ServerConfiguration()
        configuration.models = models.path
        configuration.tokens = tokens
        configuration.dataDir = folder.path
        configuration.auditLog = folder.appendingPathComponent("audit.jsonl").path
        configure(&configuration)
        logs = .memory()
        let sink = logs
        let logger = Logger(label: "lumen-test") { label in JSONLogHandler(label: label, sink: sink) }
        services = try LumenServices(configuration: configuration, logger: logger)
        responder = LumenServer(services: services).makeRouter().buildResponder()
    }

    /// Sends one request (`stream` instead of `body`: a body that arrives as the stream yields).
    func send(
        _ method: HTTPRequest.Method,
        _ path: String,
        headers: [String: String] = [:],
        body: [UInt8] = [],
        stream: AsyncStream<ByteBuffer>? = nil
    ) async throws -> Reply {
        var fields = HTTPFields()
        for (k, v) in headers { fields[HTTPField.Name(k)!] = v }
        if !body.isEmpty, fields[.contentLength] == nil, headers["Transfer-Encoding"] == nil {
            fields[.contentLength] = String(body.count)
        }
        let head = HTTPRequest(method: method, scheme: "http", authority: "localhost", path: path, headerFields: fields)
        let request = Request(
            head: head,
            body: stream.map { RequestBody(asyncSequence: $0) } ?? RequestBody(buffer: ByteBuffer(bytes: body))
        )
        let channel = EmbeddedChannel()
        let context = LumenRequestContext(
            source: ApplicationRequestContextSource(channel: channel, logger: services.logger)
        )
        let response = try await responder.respond(to: request, context: context)
        let collector = Collector()
        try await response.body.write(collector)
        return Reply(status: response.status.code, headers: response.headers, body: collector.bytes)
    }

    func get(_ path: String, token: String? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var h = headers
        if let token { h["Authorization"] = "Bearer \(token)" }
        return try await send(.get, path, headers: h)
    }

    func post(_ path: String, json: Any, token: String? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var h = headers
        h["Content-Type"] = "application/json"
        if let token { h["Authorization"] = "Bearer \(token)" }
        return try await send(.post, path, headers: h, body: [UInt8](try JSONSerialization.data(withJSONObject: json)))
    }

    /// Audit records written so far.
    func auditRecords() throws -> AuditLog.Page { try AuditLog.read(path: services.audit.path) }
}

/// Collects a response body.
final class Collector: ResponseBodyWriter, @unchecked Sendable {
    var bytes: [UInt8] = []
    func write(_ buffer: ByteBuffer) async throws { bytes.append(contentsOf: buffer.readableBytesView) }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Model folders for the server tests, built once per process from committed models and fixtures.
enum ServerFixtures {
    static let repository = Fixtures.root.deletingLastPathComponent()

    /// A classifier answer as the explain route stores it.
    static func answer(_ id: String, model: String, label: String, confidence: Double) -> StoredAnswer {
        StoredAnswer(
            id: id,
            route: "/v1/models/{name}/explain",
            caller: "anonymous",
            model: model,
            prediction: .label(label: label, confidence: confidence)
        )
    }

    /// emf-synthetic + efficientnet-lite0 (linked) + three drift references built from fixtures.
    static let fullModels: URL = {
        let folder = try! Fixtures.temporaryDirectory()
        for name in [
            "emf-synthetic.safetensors", "efficientnet-lite0.onnx", "efficientnet-lite0.json",
            "efficientnet-lite0.labels.txt",
        ] {
            try! FileManager.default.createSymbolicLink(
                at: folder.appendingPathComponent(name),
                withDestinationURL: repository.appendingPathComponent("models/\(name)")
            )
        }
        try! writeProfiles(into: folder)
        return folder
    }()

    /// Only the recommender and the references (fast to load; for reload tests).
    static func smallModels() throws -> URL {
        let folder = try Fixtures.temporaryDirectory()
        try FileManager.default.copyItem(
            at: repository.appendingPathComponent("models/emf-synthetic.safetensors"),
            to: folder.appendingPathComponent("emf-synthetic.safetensors")
        )
        try writeProfiles(into: folder)
        return folder
    }

    static func writeProfiles(into folder: URL) throws {
        let table = try CSVTable.load(Fixtures.url("drift/features_reference.csv"))
        try ReferenceProfile(kind: .features, source: "features_reference.csv", columns: try table.profiles())
            .write(to: folder.appendingPathComponent("tabular.profile.json"))
        let scan = try ImageFolderScan.scan(Fixtures.url("drift/images/reference"))
        try DriftAnalysis.profile(scan, source: "reference images").write(
            to: folder.appendingPathComponent("photos.profile.json")
        )
        let model = try EMFModelFile.load(repository.appendingPathComponent("models/emf-synthetic.safetensors"))
        let factors = try SampleMatrix(
            rows: model.users.count,
            cols: model.hyperparameters.factors,
            values: model.userFactors.map(Double.init)
        )
        try ReferenceProfile.factors(factors, source: "emf-synthetic users").write(
            to: folder.appendingPathComponent("users.profile.json")
        )
    }

    /// The shared server over `fullModels` with tokens of every role.
    static let tokens = (
        viewer: "viewer-token-0123456789", auditor: "auditor-token-0123456789", admin: "admin-token-0123456789"
    )
    static let shared: TestServer = try! TestServer(models: fullModels)
    static let secured: TestServer = try! TestServer(
        models: try! smallModels(),
        tokens: "viewer:vera:\(tokens.viewer),auditor:aldo:\(tokens.auditor),admin:ada:\(tokens.admin)"
    )
}
