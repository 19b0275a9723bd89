import Foundation
import HTTPTypes
import Hummingbird
import Logging
import LumenDrift
import LumenIO
import LumenMonitoring
import NIOCore

/// What every route shares: configuration, the model store, the audit trail, metrics, the
/// prediction store, the latest drift reports, tokens, the compute threads and the logger.
public final class LumenServices: Sendable {
    public let configuration: ServerConfiguration
    public let store: ModelStore
    public let audit: AuditLog
    public let metrics: ServerMetrics
    /// Every answer served and the ground truth posted for it (SQLite, survives restarts).
    public let predictions: PredictionStore
    public let driftBoard: DriftBoard
    public let tokens: TokenStore
    public let compute: ComputePool
    /// Bytes in-flight image work may hold at once.
    public let memory: MemoryBudget
    public let logger: Logger
    /// Open connections against `configuration.maxConnections`.
    let connections: ConnectionCap

    /// Loads tokens and models and opens the audit log; throws a one-line reason on any failure.
    public init(
        configuration: ServerConfiguration,
        logger: Logger,
        metrics: ServerMetrics = ServerMetrics()
    ) throws(ServerError) {
        let tokens = try TokenStore(file: configuration.tokensFile, inline: configuration.tokens)
        try configuration.validate(tokens: tokens)
        self.configuration = configuration
        self.tokens = tokens
        self.logger = logger
        self.metrics = metrics
        store = try ModelStore(directory: configuration.models)
        audit = try AuditLog(
            path: configuration.auditLogPath,
            fsync: configuration.auditFsync,
            rotateAtBytes: configuration.auditRotateBytes
        )
        do {
            predictions = try PredictionStore(
                path: configuration.storePath,
                durability: configuration.auditFsync ? .powerLoss : .processCrash
            )
        } catch {
            throw .configuration("\(error)")
        }
        driftBoard = DriftBoard()
        compute = ComputePool(
            threads: configuration.resolvedComputeThreads,
            queue: configuration.computeQueue,
            timeoutSeconds: configuration.requestTimeoutSeconds
        )
        memory = MemoryBudget(bytes: configuration.memoryBudgetBytes)
        connections = ConnectionCap(limit: configuration.maxConnections, logger: logger)
        publishModelMetrics(store.catalog)
        restoreFeedbackMetrics()
        restoreDriftChecks()
        pruneStore()
    }

    /// Each reference's latest drift check from the store: `/v1/drift/latest` and the drift gauges
    /// (with the check's own time, so `LumenDriftChecksStopped` still fires) as before the restart.
    func restoreDriftChecks() {
        do {
            for check in try predictions.latestDriftChecks() {
                guard let report = try? JSONDecoder().decode(DriftReport.self, from: check.report) else {
                    logger.warning("skipped an unreadable stored drift check", metadata: ["id": .string(check.id)])
                    continue
                }
                publish(driftCheck: report, id: check.id, at: check.time)
            }
        } catch {
            logger.error("cannot read drift checks from the prediction store", metadata: ["error": .string("\(error)")])
        }
    }

    /// Shows a drift check on `/v1/drift/latest` and in the gauges.
    func publish(driftCheck report: DriftReport, id: String, at time: Date) {
        driftBoard.store(.init(id: id, reference: report.reference, report: report))
        metrics.drift(
            reference: report.reference,
            kind: report.kind.rawValue,
            features: report.features.map { ($0.name, $0.result.score, $0.result.drifted) },
            share: report.driftedShare,
            drifted: report.drifted,
            checkedAt: time
        )
    }

    /// Stores a drift check before it is answered (500 otherwise), so a restart keeps it.
    func remember(driftCheck report: DriftReport, id: String, at time: Date, context: LumenRequestContext) throws {
        do {
            let json = try JSONEncoder().encode(report)
            try predictions.record(
                StoredDriftCheck(
                    id: id,
                    time: time,
                    reference: report.reference,
                    kind: report.kind.rawValue,
                    report: json
                )
            )
        } catch {
            throw storeFailure(error, refusing: "the drift check", context: context)
        }
    }

    /// The accuracy gauges as the stored feedback says, so a restart does not reset or drop them.
    func restoreFeedbackMetrics() {
        do {
            for (model, counts) in try predictions.accuracyByModel() where counts.total > 0 {
                metrics.restoreAccuracy(model: model, accuracy: Double(counts.correct) / Double(counts.total))
            }
        } catch {
            logger.error("cannot read feedback from the prediction store", metadata: ["error": .string("\(error)")])
        }
    }

    /// Applies the store's retention (age, then row count); run at start and hourly.
    func pruneStore() {
        let c = configuration
        do {
            let pruned = try predictions.prune(
                olderThan: c.storeRetentionDays > 0 ? Date().addingTimeInterval(-c.storeRetentionDays * 86_400) : nil,
                keepNewest: c.storeMaxRows > 0 ? c.storeMaxRows : nil
            )
            if pruned > 0 {
                logger.info("pruned the prediction store", metadata: ["answers": .stringConvertible(pruned)])
            }
        } catch {
            logger.error("cannot prune the prediction store", metadata: ["error": .string("\(error)")])
        }
    }

    /// A JSON request body decoded as `T`: 415 for another media type, 413 past the body limit,
    /// 400 naming what is malformed.
    func json<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        _ = try RequestInput.requireMediaType(request, ["application/json"])
        return try RequestInput.decode(
            T.self,
            from: try await RequestInput.body(
                request,
                limit: configuration.maxBodyBytes,
                timeout: configuration.requestTimeoutSeconds
            )
        )
    }

    /// Logs a failed prediction-store write and returns the 503 (with Retry-After) that refuses
    /// what it was for.
    func storeFailure(_ error: Error, refusing what: String, context: LumenRequestContext) -> Problem {
        logger.error(
            "prediction store write failed",
            metadata: ["error": .string("\(error)"), "request_id": .string(context.requestID)]
        )
        return Problem(
            .serviceUnavailable,
            "store-unavailable",
            "Prediction store unavailable",
            detail: "\(what) could not be stored, so it was not served; quote request id \(context.requestID)",
            headers: ["Retry-After": "5"]
        )
    }

    /// Stores a served answer before it is sent: feedback for it can then be joined after a
    /// restart, or by another process sharing the store. A failed write refuses the answer (500).
    func remember(
        id: String,
        request: Request,
        context: LumenRequestContext,
        model: String,
        version: String?,
        prediction: Prediction
    ) throws {
        let answer = StoredAnswer(
            id: id,
            route: context.endpointPath ?? request.uri.path,
            caller: context.caller.name,
            model: model,
            version: version,
            prediction: prediction
        )
        do {
            try predictions.record(answer)
        } catch {
            throw storeFailure(error, refusing: "the answer", context: context)
        }
    }

    func publishModelMetrics(_ catalog: ModelCatalog) {
        metrics.models(
            recommenders: catalog.recommenders.count,
            camModels: catalog.camModels.count,
            references: catalog.references.count,
            generation: catalog.generation
        )
    }

    /// Parses a request body: inline when small, on a compute thread (under the request timeout
    /// and the admission bound) past 64 KiB, so big JSON or multipart bodies never hold up the
    /// request tasks that answer `/healthz`.
    func parse<T: Sendable>(_ body: [UInt8], _ parser: @escaping @Sendable ([UInt8]) throws -> T) async throws -> T {
        if body.count <= 64 << 10 { return try parser(body) }
        return try await compute.run { try parser(body) }
    }

    /// Runs `work` on a compute thread after checking the images' declared sizes against the
    /// pixel budget and reserving their estimated peak memory (the largest one: images of one
    /// request are decoded one at a time).
    func computeImages<T: Sendable>(
        _ images: [[UInt8]],
        _ work: @escaping @Sendable () throws -> T
    ) async throws -> T {
        var peak = 0
        for (k, image) in images.enumerated() {
            let name = images.count == 1 ? "the image" : "image \(k + 1)"
            if let header = try MemoryBudget.checkedHeader(image, maxPixels: configuration.maxPixels, name: name) {
                peak = max(peak, MemoryBudget.imagePeak(pixels: header.pixels))
            }
        }
        let what = images.count == 1 ? "this image" : "these images"
        return try await memory.withReservation(peak, for: what) { try await compute.run(work) }
    }

    /// Appends the audit record for an answer; an answer that cannot be audited is not served.
    func record(
        id: String,
        request: Request,
        context: LumenRequestContext,
        model: String?,
        version: String?,
        digest: String,
        parameters: [String: String],
        outcome: String,
        status: Int = 200
    ) throws {
        let record = AuditRecord(
            id: id,
            time: JSONLogHandler.timestamp(),
            caller: context.caller.name,
            role: context.caller.role.description,
            method: request.method.rawValue,
            route: context.endpointPath ?? request.uri.path,
            path: request.uri.description,
            model: model,
            modelVersion: version,
            inputsDigest: digest,
            parameters: parameters,
            outcome: outcome,
            status: status,
            requestID: context.requestID
        )
        do {
            try audit.append(record)
        } catch {
            logger.error(
                "audit append failed",
                metadata: ["error": .string("\(error)"), "request_id": .string(context.requestID)]
            )
            throw Problem(
                .internalServerError,
                "audit-unavailable",
                "Audit log unavailable",
                detail:
                    "the answer could not be recorded in the audit log, so it was not served; quote request id \(context.requestID)"
            )
        }
    }
}

/// Building responses.
enum Respond {
    /// A JSON response from already-encoded bytes.
    static func json(
        _ bytes: [UInt8],
        status: HTTPResponse.Status = .ok,
        headers: [HTTPField.Name: String] = [:]
    ) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (k, v) in headers { fields[k] = v }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A JSON response from an Encodable value (keys sorted, so answers are reproducible).
    static func json<T: Encodable>(
        encoding value: T,
        status: HTTPResponse.Status = .ok,
        headers: [HTTPField.Name: String] = [:]
    ) throws -> Response {
        json(try encoded(value), status: status, headers: headers)
    }

    static func encoded<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity",
            negativeInfinity: "-Infinity",
            nan: "NaN"
        )
        return Array(try encoder.encode(value))
    }

    /// Any other content type.
    static func bytes(_ bytes: [UInt8], contentType: String, headers: [HTTPField.Name: String] = [:]) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = contentType
        for (k, v) in headers { fields[k] = v }
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension HTTPField.Name {
    /// The id under which an answer is kept in the audit log.
    static let explanationID = HTTPField.Name("Lumen-Explanation-Id")!
    /// Echoed (or assigned) on every response.
    static let requestID = HTTPField.Name("X-Request-Id")!
}
