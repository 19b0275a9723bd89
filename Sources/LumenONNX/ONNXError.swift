/// Why an ONNX model could not be loaded or run.
public enum ONNXError: Error, Equatable, CustomStringConvertible {
    /// The bytes are not a valid ONNX protobuf.
    case malformed(String)
    /// An operator, opset, domain or data type Lumen's runtime does not implement.
    case unsupported(node: String, op: String, reason: String)
    /// A node's inputs have shapes it cannot take.
    case shapeMismatch(node: String, op: String, detail: String)
    /// A required input, initializer or attribute is missing.
    case missing(String)
    /// The caller's input does not match the graph's declared input.
    case badInput(String)

    public var description: String {
        switch self {
        case .malformed(let detail): "malformed ONNX model: \(detail)"
        case .unsupported(let node, let op, let reason): "node '\(node)' (\(op)): \(reason)"
        case .shapeMismatch(let node, let op, let detail): "node '\(node)' (\(op)): \(detail)"
        case .missing(let detail): "missing \(detail)"
        case .badInput(let detail): "bad input: \(detail)"
        }
    }
}
