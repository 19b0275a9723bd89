import Foundation

/// Loads a tensor from `.npy`, `.safetensors` or JSON, chosen by content and extension.
public enum TensorFile {
    /// Largest tensor file accepted: 2 GiB.
    public static let maxBytes = 2 << 30

    /// Loads the tensor in `url`; `name` picks one tensor from a safetensors file.
    public static func load(_ url: URL, name: String? = nil) throws -> Tensor {
        let bytes = try FileBytes.read(url, limit: maxBytes)
        return try decode(bytes, path: url.path, name: name)
    }

    /// Decodes in-memory file contents.
    public static func decode(_ bytes: [UInt8], path: String, name: String? = nil) throws(TensorError) -> Tensor {
        if NPYReader.isNPY(bytes) { return try NPYReader.read(bytes) }
        let lower = path.lowercased()
        if lower.hasSuffix(".json") || bytes.first.map({ $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") }) == true {
            return try JSONTensorReader.read(bytes)
        }
        if lower.hasSuffix(".safetensors") || lower.hasSuffix(".st") {
            let reader = try SafetensorsReader(bytes)
            if let name { return try reader.tensor(named: name) }
            guard reader.entries.count == 1 else { throw .ambiguousTensor(available: reader.names) }
            return try reader.tensor(named: reader.entries[0].name)
        }
        if lower.hasSuffix(".npy") { return try NPYReader.read(bytes) }
        throw .unknownFormat(path: path)
    }
}
