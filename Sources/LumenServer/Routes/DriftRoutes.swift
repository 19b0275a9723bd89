import Foundation
import Hummingbird
import LumenDrift
import LumenIO

/// `POST /v1/drift/{kind}` (current data against a stored reference profile) and
/// `GET /v1/drift/latest` (viewer). Kinds: features, predictions (CSV or JSON columns), images
/// (multipart image parts or base64 in JSON) and latent (factor matrix as JSON or .npy).
struct DriftRoutes {
    let services: LumenServices

    /// JSON body for the drift kinds.
    struct Body: Decodable {
        let reference: String?
        /// features / predictions: name → values (numbers, or strings for categorical columns).
        let columns: [String: [CellValue]]?
        /// images: base64 PNG/JPEG.
        let images: [String]?
        /// latent: rows × factors.
        let factors: [[Double]]?
        let test: String?
        let correction: String?
        let shareThreshold: Double?

        enum CodingKeys: String, CodingKey {
            case reference, columns, images, factors, test, correction
            case shareThreshold = "share_threshold"
        }
    }

    struct Answer: Encodable {
        let id: String
        let reference: String
        let referenceVersion: String
        let report: DriftReport

        enum CodingKeys: String, CodingKey {
            case id, reference, report
            case referenceVersion = "reference_version"
        }
    }

    struct Latest: Encodable {
        let reports: [Answer]
    }

    func add(to group: RouterGroup<LumenRequestContext>) {
        group.post("/v1/drift/{kind}") { request, context in try await check(request, context) }
        group.get("/v1/drift/latest") { request, _ in
            let reference = request.uri.queryParameters.get("reference").map { String($0) }
            let entries = services.driftBoard.reports(reference: reference)
            let catalog = services.store.catalog
            return try Respond.json(
                encoding: Latest(
                    reports: entries.map {
                        Answer(
                            id: $0.id,
                            reference: $0.reference,
                            referenceVersion: catalog.references[$0.reference]?.info.version ?? "unloaded",
                            report: $0.report
                        )
                    }
                )
            )
        }
    }

    private func check(_ request: Request, _ context: LumenRequestContext) async throws -> Response {
        let input = try await DriftCheckRequest.read(request, context, services: services)
        let id = services.audit.nextID()
        let maxPixels = services.configuration.maxPixels
        let report = try await services.computeImages(input.kind == .images ? input.uploads.map(\.bytes) : []) {
            try Self.report(input, id: id, maxPixels: maxPixels)
        }
        let (kind, referenceName, reference) = (input.kind, input.referenceName, input.reference)
        var stored = report
        stored.reference = referenceName
        let checkedAt = Date()
        try services.remember(driftCheck: stored, id: id, at: checkedAt, context: context)
        services.publish(driftCheck: stored, id: id, at: checkedAt)
        try services.record(
            id: id,
            request: request,
            context: context,
            model: referenceName,
            version: reference.info.version,
            digest: SHA256.hex(input.bytes),
            parameters: ["kind": kind.rawValue, "test": input.test ?? "auto", "correction": input.correction.rawValue],
            outcome:
                "\(stored.drifted ? "drifted" : "no drift"): \(stored.features.filter(\.result.drifted).count) of \(stored.features.count) drifted"
        )
        return try Respond.json(
            encoding: Answer(
                id: id,
                reference: referenceName,
                referenceVersion: reference.info.version,
                report: stored
            ),
            headers: [.explanationID: id]
        )
    }

    /// The report for a checked request (on a compute thread).
    private static func report(_ input: DriftCheckRequest, id: String, maxPixels: Int) throws -> DriftReport {
        let (body, uploads, profile, referenceName) = (
            input.body, input.uploads, input.reference.profile, input.referenceName
        )
        let (type, bytes, kind, column) = (input.mediaType, input.bytes, input.kind, input.column)
        switch kind {
        case .images:
            // computeImages has checked every header against the pixel budget.
            guard !uploads.isEmpty else {
                throw Problem.badRequest(
                    "send images as multipart parts named 'image' or a JSON 'images' array of base64"
                )
            }
            let scan = try ImageFolderScan.scan(encoded: uploads, maxPixels: maxPixels)
            return try DriftAnalysis.images(profile, current: scan, source: "request \(id)")
        case .latent:
            let current = try latentMatrix(type: type, bytes: bytes, body: body)
            let latent = try LatentDrift.factors(try profile.jointSample(), current, aligned: false)
            return DriftReport.latent(latent, reference: referenceName, current: "request \(id)")
        case .features, .predictions:
            let current = try currentProfile(
                type: type,
                bytes: bytes,
                body: body,
                reference: profile,
                kind: kind,
                column: column
            )
            let features = try DriftAnalysis.features(
                ReferenceProfile(
                    kind: .features,
                    source: referenceName,
                    columns: profile.columns.filter { c in current.columns.contains { $0.name == c.name } }
                ),
                current,
                tests: input.tests,
                correction: input.correction
            )
            return DriftReport(
                kind: kind,
                reference: referenceName,
                current: "request \(id)",
                features: features,
                shareThreshold: kind == .predictions ? 1 : input.shareThreshold
            )
        }
    }

    /// The current side of a features/predictions check, profiled like the reference.
    private static func currentProfile(
        type: String,
        bytes: [UInt8],
        body: Body?,
        reference: ReferenceProfile,
        kind: DriftKind,
        column: String?
    ) throws -> ReferenceProfile {
        let names = try ReferenceProfile.comparedColumns(
            of: reference,
            predictionsColumn: column,
            predictions: kind == .predictions
        )
        if type == "text/csv" {
            return try ReferenceProfile.current(try CSVTable(bytes: bytes, path: "request body"), columns: names)
        }
        guard let columns = body?.columns, !columns.isEmpty else {
            throw Problem.badRequest("send 'columns': {name: [values]} or a text/csv body")
        }
        return try ReferenceProfile.current(columns, like: reference, columns: names)
    }

    private static func latentMatrix(type: String, bytes: [UInt8], body: Body?) throws -> SampleMatrix {
        if type == "application/json" {
            guard let rows = body?.factors, let width = rows.first?.count, width > 0 else {
                throw Problem.badRequest("send 'factors': [[…], …] (rows × factors) or an .npy body")
            }
            guard rows.allSatisfy({ $0.count == width }) else {
                throw Problem.unprocessable("every row of 'factors' must have \(width) values")
            }
            return try SampleMatrix(rows: rows.count, cols: width, values: rows.flatMap { $0 })
        }
        let tensor = try NPYReader.read(bytes)
        guard tensor.shape.count == 2 else {
            throw Problem.unprocessable("the factor matrix has shape \(tensor.shape); expected rows × factors")
        }
        return try SampleMatrix(rows: tensor.shape[0], cols: tensor.shape[1], values: tensor.values.map(Double.init))
    }
}
