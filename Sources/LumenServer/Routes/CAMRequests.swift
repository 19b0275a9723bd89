import Foundation
import Hummingbird
import LumenIO

/// A `POST /v1/cam` request read and checked: the image, the activations (encoded bytes, or an
/// inline tensor) and the overlay options, from JSON (base64 decoded on a compute thread when the
/// body is big) or multipart parts.
struct ActivationsCAMRequest: Sendable {
    let image: [UInt8]
    /// The activations as sent (hashed for the audit trail).
    let activationBytes: [UInt8]
    /// The name whose extension says how to decode them ("inline" for a JSON tensor).
    let activationName: String
    let tensorName: String?
    /// A tensor given inline in JSON (then `activationBytes` only identifies it).
    let inline: Tensor?
    let options: CAMOptions

    static func read(_ request: Request, services: LumenServices) async throws -> ActivationsCAMRequest {
        let type = try RequestInput.requireMediaType(request, ["application/json", "multipart/form-data"])
        let body = try await RequestInput.body(
            request,
            limit: services.configuration.maxBodyBytes,
            timeout: services.configuration.requestTimeoutSeconds
        )
        var options = CAMOptions()
        let image: [UInt8]
        let activationBytes: [UInt8]
        let activationName: String
        var tensorName: String?
        var inline: Tensor?
        if type == "application/json" {
            // base64 is decoded with the JSON: on a compute thread when the body is big.
            let (r, decodedImage, encodedActivations) = try await services.parse(body) { bytes in
                let r = try RequestInput.decode(CAMRoutes.ActivationsRequest.self, from: bytes)
                var activations: [UInt8]?
                if case .encoded(let s) = r.activations {
                    activations = try RequestInput.base64(s, field: "activations")
                }
                return (r, try RequestInput.base64(r.image, field: "image"), activations)
            }
            image = decodedImage
            switch r.activations {
            case .encoded:
                activationBytes = encodedActivations ?? []
                activationName =
                    activationBytes.first == UInt8(ascii: "{")
                    ? "activations.json"
                    : (NPYReader.isNPY(activationBytes) ? "activations.npy" : "activations.safetensors")
            case .tensor(let shape, let data):
                inline = try Tensor(shape: shape, values: data.map { $0 ?? .nan })
                activationBytes =
                    Array("\(shape)".utf8)
                    + data.flatMap { withUnsafeBytes(of: ($0 ?? .nan).bitPattern.littleEndian, Array.init) }
                activationName = "inline"
            }
            tensorName = r.tensor
            if let c = r.colormap { try options.setColormap(c) }
            if let a = r.alpha { try options.setAlpha(a) }
            if let b = r.blend { try options.setBlend(b) }
            if let a = r.annotate { options.annotate = a }
            if let c = r.centered { options.centered = c }
        } else {
            let form = try await services.multipart(request, body)
            guard let imagePart = form.part("image") else {
                throw Problem.badRequest("multipart body needs an 'image' part (PNG or JPEG)")
            }
            guard let act = form.part("activations") else {
                throw Problem.badRequest("multipart body needs an 'activations' part (.npy, .safetensors or JSON)")
            }
            image = imagePart.body
            activationBytes = act.body
            activationName = act.filename ?? "activations.npy"
            tensorName = form.part("tensor")?.text
            try options.apply { form.part($0)?.text }
        }
        return ActivationsCAMRequest(
            image: image,
            activationBytes: activationBytes,
            activationName: activationName,
            tensorName: tensorName,
            inline: inline,
            options: options
        )
    }
}

/// A `POST /v1/cam/model/{name}` request read and checked: the image (raw, JSON base64 or a
/// multipart part) and the layer, top-k, per-box and overlay options from the query or the body.
struct ModelCAMRequest: Sendable {
    let image: [UInt8]
    let layer: String?
    let top: Int
    let perBox: Bool
    let options: CAMOptions

    static func read(_ request: Request, services: LumenServices) async throws -> ModelCAMRequest {
        let type = try RequestInput.requireMediaType(
            request,
            ["image/png", "image/jpeg", "application/octet-stream", "application/json", "multipart/form-data"]
        )
        let body = try await RequestInput.body(
            request,
            limit: services.configuration.maxBodyBytes,
            timeout: services.configuration.requestTimeoutSeconds
        )
        var options = CAMOptions()
        var layer = request.uri.queryParameters.get("layer")
        var top = try RequestInput.int(request, "top", default: 5, range: 1...100)
        var perBox = try RequestInput.bool(request, "per_box", default: false)
        try options.apply { request.uri.queryParameters.get($0) }
        let image: [UInt8]
        switch type {
        case "application/json":
            let (r, decodedImage) = try await services.parse(body) { bytes in
                let r = try RequestInput.decode(CAMRoutes.ModelRequest.self, from: bytes)
                return (r, try RequestInput.base64(r.image, field: "image"))
            }
            image = decodedImage
            layer = r.layer ?? layer
            if let t = r.top {
                guard (1...100).contains(t) else { throw Problem.badRequest("'top' must be in 1…100") }
                top = t
            }
            if let c = r.colormap { try options.setColormap(c) }
            if let a = r.alpha { try options.setAlpha(a) }
            if let b = r.blend { try options.setBlend(b) }
            if let a = r.annotate { options.annotate = a }
            perBox = r.perBox ?? perBox
        case "multipart/form-data":
            let form = try await services.multipart(request, body)
            guard let part = form.part("image") else {
                throw Problem.badRequest("multipart body needs an 'image' part (PNG or JPEG)")
            }
            image = part.body
            layer = form.part("layer")?.text ?? layer
            if let t = form.part("top")?.text {
                guard let n = Int(t), (1...100).contains(n) else {
                    throw Problem.badRequest("'top' must be an integer in 1…100")
                }
                top = n
            }
            if let p = form.part("per_box")?.text { perBox = p == "true" || p == "1" }
            try options.apply { form.part($0)?.text }
        default:
            image = body
        }
        guard !image.isEmpty else { throw Problem.badRequest("no image in the request") }
        return ModelCAMRequest(image: image, layer: layer, top: top, perBox: perBox, options: options)
    }
}

extension LumenServices {
    /// Splits a multipart body (on a compute thread when big) at the Content-Type's boundary.
    func multipart(_ request: Request, _ body: [UInt8]) async throws -> MultipartForm {
        guard let boundary = RequestInput.contentTypeParameter(request, "boundary") else {
            throw Problem.badRequest("multipart/form-data needs a boundary parameter in Content-Type")
        }
        return try await parse(body) { try MultipartForm($0, boundary: boundary) }
    }
}
