import Foundation
import HTTPTypes
import Hummingbird
import LumenCAM
import LumenExplain
import LumenIO
import LumenImaging

/// `POST /v1/cam` (image + activations) and `POST /v1/cam/model/{name}` (image through a loaded
/// ONNX model). JSON answers carry the overlay PNG in base64; `Accept: image/png` gets the PNG
/// itself with the statistics in headers.
struct CAMRoutes {
    let services: LumenServices

    /// JSON body of `POST /v1/cam`.
    struct ActivationsRequest: Decodable {
        enum Activations: Decodable {
            case encoded(String)
            case tensor(shape: [Int], data: [Float?])

            init(from decoder: Decoder) throws {
                let single = try decoder.singleValueContainer()
                if let s = try? single.decode(String.self) {
                    self = .encoded(s)
                    return
                }
                struct Inline: Decodable {
                    let shape: [Int]
                    let data: [Float?]
                }
                let inline = try single.decode(Inline.self)
                self = .tensor(shape: inline.shape, data: inline.data)
            }
        }

        let image: String
        let activations: Activations
        let tensor: String?
        let colormap: String?
        let alpha: Float?
        let centered: Bool?
    }

    /// JSON body of `POST /v1/cam/model/{name}`.
    struct ModelRequest: Decodable {
        let image: String
        let layer: String?
        let top: Int?
        let colormap: String?
        let alpha: Float?
        let perBox: Bool?

        enum CodingKeys: String, CodingKey {
            case image, layer, top, colormap, alpha
            case perBox = "per_box"
        }
    }

    struct ActivationsAnswer: Encodable {
        let id: String
        let width: Int, height: Int
        let colormap: String, alpha: Float, centered: Bool
        let layers: [LayerStatistics]
        let imagePNGBase64: String

        enum CodingKeys: String, CodingKey {
            case id, width, height, colormap, alpha, centered, layers
            case imagePNGBase64 = "image_png_base64"
        }
    }

    struct ModelAnswer: Encodable {
        let id: String
        let model: String, modelVersion: String
        let task: String, layer: String, headline: String
        let width: Int, height: Int
        let predictions: [ModelExplainer.Prediction]
        let detections: [Detection]
        let layers: [LayerStatistics]
        let imagePNGBase64: String

        enum CodingKeys: String, CodingKey {
            case id, model, task, layer, headline, width, height, predictions, detections, layers
            case modelVersion = "model_version"
            case imagePNGBase64 = "image_png_base64"
        }
    }

    func add(to group: RouterGroup<LumenRequestContext>) {
        group.post("/v1/cam") { request, context in try await explainActivations(request, context) }
        group.post("/v1/cam/model/{name}") { request, context in try await explainWithModel(request, context) }
    }

    // MARK: Activations

    private func explainActivations(_ request: Request, _ context: LumenRequestContext) async throws -> Response {
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
                let r = try RequestInput.decode(ActivationsRequest.self, from: bytes)
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
            if let c = r.centered { options.centered = c }
        } else {
            let form = try await multipart(request, body)
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
        let id = services.audit.nextID()
        let maxPixels = services.configuration.maxPixels
        let (tensorOverride, name, opts) = (inline, tensorName, options)
        let result = try await services.computeImages([image]) {
            () throws -> (png: [UInt8], width: Int, height: Int, layers: [LayerStatistics]) in
            let picture = try ImageDecoder(maxPixels: maxPixels).decode(image)
            let tensor = try tensorOverride ?? TensorFile.decode(activationBytes, path: activationName, name: name)
            let batch = try ActivationBatch(tensor)
            guard batch.count == 1 else {
                throw Problem.unprocessable(
                    "the activations hold a batch of \(batch.count); send one image's activations (C,H,W) or (1,C,H,W)"
                )
            }
            let rendered = try CAMExplainer(eigenCAM: EigenCAM(centered: opts.centered)).render(
                [NamedActivations(name: name ?? "activations", batch: batch)],
                on: picture,
                overlay: try Overlay(colormap: opts.colormap, heatmapWeight: opts.alpha)
            )
            return (rendered[0].png, picture.width, picture.height, rendered[0].map.layers)
        }
        let evr = result.layers.first?.explainedVarianceRatio ?? 0
        services.metrics.camExplained(model: "activations", varianceRatio: evr)
        var parameters = options.parameters
        parameters["image_sha256"] = SHA256.hex(image)
        parameters["activations_sha256"] = SHA256.hex(activationBytes)
        if let tensorName { parameters["tensor"] = tensorName }
        let digest = AuditRecord.digest(of: parameters)
        try services.record(
            id: id,
            request: request,
            context: context,
            model: nil,
            version: nil,
            digest: digest,
            parameters: parameters,
            outcome: String(format: "explained variance %.4f", evr)
        )
        if RequestInput.accepts(request, "image/png") {
            return Respond.bytes(
                result.png,
                contentType: "image/png",
                headers: [
                    .explanationID: id, HTTPField.Name("Lumen-Explained-Variance")!: String(format: "%.6f", evr),
                ]
            )
        }
        return try Respond.json(
            encoding: ActivationsAnswer(
                id: id,
                width: result.width,
                height: result.height,
                colormap: options.colormap.rawValue,
                alpha: options.alpha,
                centered: options.centered,
                layers: result.layers,
                imagePNGBase64: Data(result.png).base64EncodedString()
            ),
            headers: [.explanationID: id]
        )
    }

    // MARK: ONNX model

    private func explainWithModel(_ request: Request, _ context: LumenRequestContext) async throws -> Response {
        let name = try RequestInput.path(context, "name")
        let model = try ModelCatalog.require(services.store.catalog.camModels, name, noun: "image model")
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
                let r = try RequestInput.decode(ModelRequest.self, from: bytes)
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
            perBox = r.perBox ?? perBox
        case "multipart/form-data":
            let form = try await multipart(request, body)
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
        let id = services.audit.nextID()
        let maxPixels = services.configuration.maxPixels
        let (requestedLayer, k, boxes, opts) = (layer, top, perBox, options)
        let explainer = model.explainer
        let result = try await services.computeImages([image]) {
            () throws -> (png: [UInt8], result: ModelExplainer.Result, headline: String, width: Int, height: Int) in
            let picture = try ImageDecoder(maxPixels: maxPixels).decode(image)
            // An unknown layer is ExplainError.unknownLayer: 404 (Problem.from).
            let rendered = try explainer.render(
                picture,
                layer: requestedLayer,
                topK: k,
                eigenCAM: EigenCAM(centered: opts.centered),
                overlay: try Overlay(colormap: opts.colormap, heatmapWeight: opts.alpha),
                perBox: boxes
            )
            return (rendered.png, rendered.result, rendered.headline, picture.width, picture.height)
        }
        let r = result.result
        let evr = r.map.layers.first?.explainedVarianceRatio ?? 0
        services.metrics.camExplained(model: name, varianceRatio: evr)
        if let best = r.predictions.first {
            services.metrics.prediction(model: name, confidence: Double(best.probability))
            services.ledger.record(id, .label(model: name, label: best.label, confidence: Double(best.probability)))
        } else {
            if let best = r.detections.map(\.confidence).max() {
                services.metrics.prediction(model: name, confidence: Double(best))
            }
            services.ledger.record(id, .detections(model: name, labels: r.detections.map(\.label)))
        }
        var parameters = options.parameters
        parameters["image_sha256"] = SHA256.hex(image)
        parameters["layer"] = r.layer
        parameters["top"] = String(top)
        parameters["per_box"] = String(perBox)
        let digest = AuditRecord.digest(of: parameters)
        try services.record(
            id: id,
            request: request,
            context: context,
            model: name,
            version: model.info.version,
            digest: digest,
            parameters: parameters,
            outcome: result.headline
        )
        if RequestInput.accepts(request, "image/png") {
            var headers: [HTTPField.Name: String] = [
                .explanationID: id, HTTPField.Name("Lumen-Explained-Variance")!: String(format: "%.6f", evr),
                HTTPField.Name("Lumen-Layer")!: r.layer,
            ]
            if let best = r.predictions.first {
                headers[HTTPField.Name("Lumen-Prediction")!] = best.label.filter { $0.isASCII && !$0.isNewline }
                headers[HTTPField.Name("Lumen-Confidence")!] = String(format: "%.6f", best.probability)
            }
            return Respond.bytes(result.png, contentType: "image/png", headers: headers)
        }
        return try Respond.json(
            encoding: ModelAnswer(
                id: id,
                model: name,
                modelVersion: model.info.version,
                task: model.explainer.sidecar.task.rawValue,
                layer: r.layer,
                headline: result.headline,
                width: result.width,
                height: result.height,
                predictions: r.predictions,
                detections: r.detections,
                layers: r.map.layers,
                imagePNGBase64: Data(result.png).base64EncodedString()
            ),
            headers: [.explanationID: id]
        )
    }

    private func multipart(_ request: Request, _ body: [UInt8]) async throws -> MultipartForm {
        guard let boundary = RequestInput.contentTypeParameter(request, "boundary") else {
            throw Problem.badRequest("multipart/form-data needs a boundary parameter in Content-Type")
        }
        return try await services.parse(body) { try MultipartForm($0, boundary: boundary) }
    }
}
