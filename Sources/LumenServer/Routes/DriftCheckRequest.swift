import Foundation
import Hummingbird
import LumenDrift

/// A `POST /v1/drift/{kind}` request read and checked before any work: the kind, the body
/// (JSON parsed and base64 images decoded on a compute thread when big; multipart split), the
/// reference profile it names, and the test options from the query or the body.
struct DriftCheckRequest: Sendable {
    let kind: DriftKind
    /// The body's media type.
    let mediaType: String
    let bytes: [UInt8]
    let body: DriftRoutes.Body?
    /// Images to compare (multipart parts or decoded base64).
    let uploads: [(name: String, bytes: [UInt8])]
    let referenceName: String
    let reference: ModelCatalog.Reference
    /// The test asked for, as named (nil: automatic).
    let test: String?
    let tests: DriftTestChoice
    let correction: MultipleTesting
    let shareThreshold: Double
    /// The predictions column (`?column=`).
    let column: String?

    static func read(
        _ request: Request,
        _ context: LumenRequestContext,
        services: LumenServices
    ) async throws -> DriftCheckRequest {
        let kindName = try RequestInput.path(context, "kind")
        guard let kind = DriftKind(rawValue: kindName) else {
            throw Problem.notFound("unknown drift kind '\(kindName)'; use features, predictions, images or latent")
        }
        let accepted: [String] =
            switch kind {
            case .images: ["application/json", "multipart/form-data"]
            case .latent: ["application/json", "application/x-npy", "application/octet-stream"]
            case .features, .predictions: ["application/json", "text/csv"]
            }
        let type = try RequestInput.requireMediaType(request, accepted)
        let bytes = try await RequestInput.body(
            request,
            limit: services.configuration.maxBodyBytes,
            timeout: services.configuration.requestTimeoutSeconds
        )
        var body: DriftRoutes.Body?
        var uploads: [(name: String, bytes: [UInt8])] = []
        if type == "application/json" {
            // base64 images are decoded with the JSON (on a compute thread when the body is big), so
            // their sizes count against the memory budget like multipart ones.
            let (decoded, images) = try await services.parse(bytes) { bytes in
                let body = try RequestInput.decode(DriftRoutes.Body.self, from: bytes)
                let images = try (body.images ?? []).enumerated().map { k, s in
                    try RequestInput.base64(s, field: "images[\(k)]")
                }
                return (body, images)
            }
            body = decoded
            uploads = images.enumerated().map { k, b in (name: "image-\(k + 1)", bytes: b) }
        } else if type == "multipart/form-data" {
            guard let boundary = RequestInput.contentTypeParameter(request, "boundary") else {
                throw Problem.badRequest("multipart/form-data needs a boundary parameter in Content-Type")
            }
            let form = try await services.parse(bytes) { try MultipartForm($0, boundary: boundary) }
            uploads = form.parts("image").enumerated().map { k, p in (p.filename ?? "image-\(k + 1)", p.body) }
        }
        let query = request.uri.queryParameters
        guard let referenceName = query.get("reference").map({ String($0) }) ?? body?.reference else {
            throw Problem.badRequest("name the reference profile with ?reference=NAME (see GET /v1/models)")
        }
        let reference = try ModelCatalog.require(
            services.store.catalog.references,
            referenceName,
            noun: "reference profile"
        )
        guard reference.profile.kind == kind.profileKind else {
            throw Problem.unprocessable(
                "reference '\(referenceName)' is a \(reference.profile.kind) profile; it cannot be compared as \(kind)"
            )
        }
        let test = query.get("test").map { String($0) } ?? body?.test
        let driftTests: DriftTestChoice
        do {
            driftTests = try test.map { name throws(DriftError) in try DriftTestChoice(parsing: name) } ?? .automatic
        } catch {
            throw Problem.badRequest("\(error)")
        }
        let correctionName = query.get("correction").map { String($0) } ?? body?.correction ?? "none"
        guard let correction = MultipleTesting(rawValue: correctionName) else {
            throw Problem.badRequest("unknown correction '\(correctionName)'; use none, bonferroni or bh")
        }
        var shareThreshold = body?.shareThreshold ?? 0.5
        if let raw = query.get("share_threshold") {
            guard let t = Double(raw) else { throw Problem.badRequest("'share_threshold' must be a number in 0…1") }
            shareThreshold = t
        }
        guard shareThreshold.isFinite, (0...1).contains(shareThreshold) else {
            throw Problem.badRequest("'share_threshold' must be in 0…1")
        }
        return DriftCheckRequest(
            kind: kind,
            mediaType: type,
            bytes: bytes,
            body: body,
            uploads: uploads,
            referenceName: referenceName,
            reference: reference,
            test: test,
            tests: driftTests,
            correction: correction,
            shareThreshold: shareThreshold,
            column: query.get("column").map { String($0) }
        )
    }
}
