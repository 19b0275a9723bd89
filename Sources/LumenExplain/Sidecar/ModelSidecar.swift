import Foundation
import LumenIO
import LumenONNX

/// Preprocessing and meaning of a model, from the small JSON file next to it (`model.json` for
/// `model.onnx`).
public struct ModelSidecar: Sendable, Codable, Equatable {
    /// How the image becomes the input tensor.
    public struct Input: Sendable, Codable, Equatable {
        public var name: String
        public var width: Int
        public var height: Int
        public var resize: ResizeMode
        /// Pixel value (0–255) of the letterbox padding.
        public var padValue: Float?
        public var channelOrder: ChannelOrder
        /// Per-channel mean and standard deviation on 0–255 pixel values: x = (p − mean) / std.
        public var mean: [Float]
        public var std: [Float]

        enum CodingKeys: String, CodingKey {
            case name, width, height, resize, mean, std
            case channelOrder = "channel_order"
            case padValue = "pad_value"
        }
    }

    public var task: ModelTask
    public var input: Input
    /// Labels file, one class name per line, relative to the sidecar.
    public var labels: String?
    /// The layer EigenCAM explains by default.
    public var camLayer: String?
    /// The output holding class scores.
    public var output: String?
    /// Logits when absent.
    public var outputKind: OutputKind?
    /// Detection: minimum class score kept (default 0.25) and NMS IoU (default 0.45).
    public var confidenceThreshold: Float?
    public var iouThreshold: Float?

    enum CodingKeys: String, CodingKey {
        case task, input, labels, output
        case camLayer = "cam_layer"
        case outputKind = "output_kind"
        case confidenceThreshold = "confidence_threshold"
        case iouThreshold = "iou_threshold"
    }

    /// The sidecar file's URL for `model` (same path, `.json`).
    public static func url(forModel model: URL) -> URL { model.deletingPathExtension().appendingPathExtension("json") }

    /// The sidecar of `model`: its `.json` file when there is one, else what the file's own
    /// metadata says (ultralytics exports: `ModelSidecar(ultralytics:)`), else an error saying
    /// what to write.
    public static func resolve(forModel url: URL, model: ONNXModel) throws -> (sidecar: ModelSidecar, labels: [String])
    {
        if FileManager.default.fileExists(atPath: Self.url(forModel: url).path) { return try load(forModel: url) }
        if let inferred = try ultralytics(model) { return inferred }
        throw ExplainError.noSidecar(model: url.path, expected: Self.url(forModel: url).lastPathComponent)
    }

    /// Loads and validates the sidecar of `model` (same path, `.json`).
    public static func load(forModel model: URL) throws -> (sidecar: ModelSidecar, labels: [String]) {
        let url = Self.url(forModel: model)
        let sidecar = try parse(try FileBytes.read(url, limit: 16 << 20), path: url.path)
        var labels: [String] = []
        if let file = sidecar.labels {
            let text = String(
                decoding: try FileBytes.read(
                    url.deletingLastPathComponent().appendingPathComponent(file),
                    limit: 64 << 20
                ),
                as: UTF8.self
            )
            labels = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            while labels.last?.isEmpty == true { labels.removeLast() }
        }
        return (sidecar, labels)
    }

    /// Decodes and validates sidecar JSON (`path` names it in errors).
    public static func parse(_ bytes: [UInt8], path: String) throws(ExplainError) -> ModelSidecar {
        // Field names and choices first, on the raw JSON: their errors name what is allowed.
        try checkKeys(bytes, path: path)
        let sidecar: ModelSidecar
        do {
            sidecar = try JSONDecoder().decode(ModelSidecar.self, from: Data(bytes))
        } catch DecodingError.keyNotFound(let key, let context) {
            let keyPath = (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            throw .badSidecar(path: path, reason: "missing field '\(keyPath)'")
        } catch {
            throw .badSidecar(path: path, reason: "not a valid model sidecar (\(error))")
        }
        try sidecar.validate(path: path)
        return sidecar
    }

    /// The fields a sidecar may have, at the top level and inside `input`.
    public static let fields = [
        "task", "input", "labels", "output", "cam_layer", "output_kind", "confidence_threshold", "iou_threshold",
    ]
    public static let inputFields = ["name", "width", "height", "resize", "mean", "std", "channel_order", "pad_value"]

    /// Refuses a field the schema does not have (a typo would otherwise be ignored silently),
    /// naming the nearest one; keys starting with `#` are comments.
    static func checkKeys(_ bytes: [UInt8], path: String) throws(ExplainError) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { return }
        func check(_ keys: [String], known: [String], prefix: String) throws(ExplainError) {
            for key in keys.sorted() where !key.hasPrefix("#") && !known.contains(key) {
                let hint = NameSuggestion.nearest(key, in: known).map { "; did you mean '\(prefix)\($0)'?" } ?? ""
                throw ExplainError.badSidecar(
                    path: path,
                    reason:
                        "unknown field '\(prefix)\(key)'\(hint) (fields: \(known.joined(separator: ", ")); keys starting with # are comments)"
                )
            }
        }
        try check(Array(object.keys), known: fields, prefix: "")
        if let input = object["input"] as? [String: Any] {
            try check(Array(input.keys), known: inputFields, prefix: "input.")
        }
        try checkChoices(object, path: path)
    }

    func validate(path: String) throws(ExplainError) {
        func fail(_ detail: String) -> ExplainError { .badSidecar(path: path, reason: detail) }
        guard (1...16_384).contains(input.width), (1...16_384).contains(input.height),
            input.width * input.height <= 16_000_000
        else { throw fail("input size \(input.width)x\(input.height) is invalid") }
        guard input.mean.count == 3, input.std.count == 3, input.std.allSatisfy({ $0 != 0 }) else {
            throw fail("mean and std need three values each, std non-zero")
        }
    }
}
