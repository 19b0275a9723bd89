/// Why explaining a model through the runtime was refused. EigenCAM's own refusals arrive as
/// `CAMError`, the runtime's as `ONNXError`.
public enum ExplainError: Error, Equatable, CustomStringConvertible {
    /// A sidecar file (named by `path`) that cannot be used, and why.
    case badSidecar(path: String, reason: String)
    /// The model has neither a sidecar (`expected`, the file looked for) nor ultralytics metadata.
    case noSidecar(model: String, expected: String)
    /// The model does not fit what Lumen explains (inputs, outputs, metadata), and why.
    case unsuitableModel(String)
    /// No node output of this name to explain.
    case unknownLayer(String)
    /// No graph output of this name to read predictions from.
    case unknownOutput(String)
    /// A detector output that is not [1, 4 + classes, anchors].
    case badDetectorOutput([Int])
    /// No class of this index or label.
    case unknownClass(String)
    /// A batch source (a folder or a list file) with no images in it.
    case noImages(String)
    /// A batch source or output folder that cannot be read or written, and why.
    case batchIO(path: String, reason: String)

    public var description: String {
        switch self {
        case .badSidecar(let path, let reason): "\(path): \(reason)"
        case .noSidecar(let model, let expected):
            "\(model) has no sidecar \(expected) and no ultralytics metadata to stand in for one; write one (see README, Models)"
        case .unsuitableModel(let why): why
        case .unknownLayer(let layer): "no node output named '\(layer)'; list them with `lumen model inspect`"
        case .unknownOutput(let name): "the model has no output '\(name)'"
        case .badDetectorOutput(let shape): "detector output must be [1, 4 + classes, anchors], got \(shape)"
        case .unknownClass(let what): "no class \(what)"
        case .noImages(let source): "\(source) holds no PNG or JPEG images (give --recursive for subfolders)"
        case .batchIO(let path, let reason): "\(path): \(reason)"
        }
    }
}
