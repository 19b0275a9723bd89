import Foundation

/// Builds `.safetensors` files: float32, int32 and int64 tensors plus a string metadata map.
public struct SafetensorsWriter: Sendable {
    private struct Entry {
        let name: String
        let dtype: String
        let shape: [Int]
        let bytes: [UInt8]
    }

    private var entries: [Entry] = []
    /// Free-form metadata stored under `__metadata__`.
    public var metadata: [String: String] = [:]

    public init() {}

    /// Adds a float32 tensor.
    public mutating func add(_ name: String, shape: [Int], floats: [Float]) {
        append(name, dtype: "F32", shape: shape, values: floats)
    }

    /// Adds an int32 tensor.
    public mutating func add(_ name: String, shape: [Int], int32s: [Int32]) {
        append(name, dtype: "I32", shape: shape, values: int32s)
    }

    /// Adds an int64 tensor.
    public mutating func add(_ name: String, shape: [Int], int64s: [Int64]) {
        append(name, dtype: "I64", shape: shape, values: int64s)
    }

    /// Stores the values' bytes; safetensors is little-endian, as are the platforms Swift runs on here.
    private mutating func append<T>(_ name: String, dtype: String, shape: [Int], values: [T]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
        precondition(1.littleEndian == 1, "safetensors writing needs a little-endian host")
        entries.append(Entry(name: name, dtype: dtype, shape: shape, bytes: values.withUnsafeBytes { Array($0) }))
    }

    /// The complete file.
    public func encode() throws -> [UInt8] {
        var header: [String: String] = [:]
        var offset = 0
        for entry in entries {
            let shape = entry.shape.map(String.init).joined(separator: ",")
            header[entry.name] =
                "{\"data_offsets\":[\(offset),\(offset + entry.bytes.count)],\"dtype\":\"\(entry.dtype)\",\"shape\":[\(shape)]}"
            offset += entry.bytes.count
        }
        if !metadata.isEmpty { header["__metadata__"] = JSONText.object(metadata) }
        var json = Array(JSONText.object(header, rawValues: true).utf8)
        // Pad the header with spaces so the data section starts 8-byte aligned.
        while (8 + json.count) % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var bytes = (0..<8).map { UInt8((UInt64(json.count) >> (8 * UInt64($0))) & 0xFF) }
        bytes.reserveCapacity(8 + json.count + offset)
        bytes += json
        for entry in entries { bytes += entry.bytes }
        return bytes
    }

    /// Writes the file atomically.
    public func write(to url: URL) throws {
        try AtomicFile.write(try encode(), to: url)
    }
}
