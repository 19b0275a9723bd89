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
        precondition(shape.reduce(1, *) == floats.count, "shape \(shape) does not hold \(floats.count) values")
        var bytes = [UInt8]()
        bytes.reserveCapacity(floats.count * 4)
        for v in floats { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        entries.append(Entry(name: name, dtype: "F32", shape: shape, bytes: bytes))
    }

    /// Adds an int32 tensor.
    public mutating func add(_ name: String, shape: [Int], int32s: [Int32]) {
        precondition(shape.reduce(1, *) == int32s.count, "shape \(shape) does not hold \(int32s.count) values")
        var bytes = [UInt8]()
        bytes.reserveCapacity(int32s.count * 4)
        for v in int32s { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        entries.append(Entry(name: name, dtype: "I32", shape: shape, bytes: bytes))
    }

    /// Adds an int64 tensor.
    public mutating func add(_ name: String, shape: [Int], int64s: [Int64]) {
        precondition(shape.reduce(1, *) == int64s.count, "shape \(shape) does not hold \(int64s.count) values")
        var bytes = [UInt8]()
        bytes.reserveCapacity(int64s.count * 8)
        for v in int64s { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        entries.append(Entry(name: name, dtype: "I64", shape: shape, bytes: bytes))
    }

    /// The complete file.
    public func encode() throws -> [UInt8] {
        var header: [String: Any] = [:]
        var offset = 0
        for entry in entries {
            header[entry.name] = ["dtype": entry.dtype, "shape": entry.shape, "data_offsets": [offset, offset + entry.bytes.count]]
            offset += entry.bytes.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = [UInt8](try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
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
