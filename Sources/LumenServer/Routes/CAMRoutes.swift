import Foundation
import HTTPTypes
import Hummingbird
import LumenCAM
import LumenExplain
import LumenIO
import LumenImaging
import LumenMonitoring

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
        let blend: String?
        let annotate: Bool?
    }

    /// JSON body of `POST /v1/cam/model/{name}`.
    struct ModelRequest: Decodable {
        let image: String
        let layer: String?
        let top: Int?
        let colormap: String?
        let alpha: Float?
        let perBox: Bool?
        let blend: String?
        let annotate: Bool?

        enum CodingKeys: String, CodingKey {
            case image, layer, top, colormap, alpha, blend, annotate
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
        let input = try await ActivationsCAMRequest.read(request, services: services)
        let (image, activationBytes, activationName) = (input.image, input.activationBytes, input.activationName)
        let (tensorName, inline, options) = (input.tensorName, input.inline, input.options)
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
                overlay: try opts.overlay(),
                annotate: opts.annotate ?? false
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
        let input = try await ModelCAMRequest.read(request, services: services)
        let (image, layer, top, perBox, options) = (input.image, input.layer, input.top, input.perBox, input.options)
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
                overlay: try opts.overlay(),
                perBox: boxes,
                annotate: opts.annotate ?? true
            )
            return (rendered.png, rendered.result, rendered.headline, picture.width, picture.height)
        }
        let r = result.result
        let evr = r.map.layers.first?.explainedVarianceRatio ?? 0
        services.metrics.camExplained(model: name, varianceRatio: evr)
        if let best = r.predictions.first {
            services.metrics.prediction(model: name, confidence: Double(best.probability))
            try services.remember(
                id: id,
                request: request,
                context: context,
                model: name,
                version: model.info.version,
                prediction: .label(
                    label: best.label,
                    confidence: Double(best.probability),
                    scores: Dictionary(r.predictions.map { ($0.label, Double($0.probability)) }) { a, _ in a }
                )
            )
        } else {
            if let best = r.detections.map(\.confidence).max() {
                services.metrics.prediction(model: name, confidence: Double(best))
            }
            try services.remember(
                id: id,
                request: request,
                context: context,
                model: name,
                version: model.info.version,
                prediction: .detections(labels: r.detections.map(\.label))
            )
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
}
