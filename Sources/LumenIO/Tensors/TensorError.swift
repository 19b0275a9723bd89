/// Why a tensor file or buffer was refused.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// The file's magic bytes or container structure are wrong.
    case malformedHeader(format: String, detail: String)
    /// The element type is not a floating-point type Lumen reads.
    case unsupportedDType(format: String, dtype: String)
    /// The data section is shorter or longer than the header promises.
    case sizeMismatch(shape: [Int], expected: Int, actual: Int)
    /// A shape with negative or overflowing extents, or the wrong rank for the use.
    case invalidShape(shape: [Int], reason: String)
    /// A safetensors file has no tensor with this name.
    case tensorNotFound(name: String, available: [String])
    /// A safetensors file holds several tensors and none was named.
    case ambiguousTensor(available: [String])
    /// The file's extension and contents match no supported format.
    case unknownFormat(path: String)

    public var description: String {
        switch self {
        case .malformedHeader(let format, let detail): "malformed \(format) file: \(detail)"
        case .unsupportedDType(let format, let dtype):
            "unsupported \(format) dtype '\(dtype)' (expected float16, bfloat16, float32 or float64)"
        case .sizeMismatch(let shape, let expected, let actual):
            "shape \(shape) needs \(expected) values but the data holds \(actual)"
        case .invalidShape(let shape, let reason): "invalid shape \(shape): \(reason)"
        case .tensorNotFound(let name, let available):
            "no tensor named '\(name)'; available: \(available.joined(separator: ", "))"
        case .ambiguousTensor(let available):
            "the file holds several tensors, pick one with --tensor: \(available.joined(separator: ", "))"
        case .unknownFormat(let path): "\(path): not a .npy, .safetensors or .json tensor file"
        }
    }
}
