import Foundation

/// Reads tensors from a `.safetensors` file: an 8-byte little-endian header length, a JSON header
/// mapping names to dtype, shape and byte offsets, then the raw little-endian data.
public struct SafetensorsReader: Sendable {
    /// What the header says about one tensor.
    public struct Entry: Sendable, Equatable {
        /// Tensor name.
        public let name: String
        /// Element type as written in the file (F16, BF16, F32, F64, I64 …).
        public let dtype: String
        /// Extent of each axis.
        public let shape: [Int]
        /// Byte range inside the data section.
        public let range: Range<Int>
    }

    static let maxHeaderLength = 100 << 20

    /// Every tensor in the file, in data order.
    public let entries: [Entry]
    /// The free-form `__metadata__` string map, if any.
    public let metadata: [String: String]
    private let bytes: [UInt8]
    private let dataStart: Int

    /// Parses and validates the header of an in-memory file.
    public init(_ bytes: [UInt8]) throws(TensorError) {
        func fail(_ detail: String) -> TensorError { .malformedHeader(format: "safetensors", detail: detail) }
        guard bytes.count >= 8 else { throw fail("file shorter than its 8-byte header length") }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard length <= UInt64(Self.maxHeaderLength) else { throw fail("header length \(length) is implausible") }
        guard UInt64(bytes.count) >= 8 + length else { throw fail("file ends inside the JSON header") }
        let json = Data(bytes[8..<(8 + Int(length))])
        guard let object = try? JSONSerialization.jsonObject(with: json), let dict = object as? [String: Any] else {
            throw fail("header is not a JSON object")
        }
        let dataStart = 8 + Int(length)
        let dataLength = bytes.count - dataStart
        var entries: [Entry] = []
        var metadata: [String: String] = [:]
        for (name, value) in dict {
            if name == "__metadata__" {
                if let map = value as? [String: Any] {
                    for (k, v) in map { metadata[k] = v as? String ?? "\(v)" }
                }
                continue
            }
            guard let info = value as? [String: Any],
                let dtype = info["dtype"] as? String,
                let shapeAny = info["shape"] as? [Any],
                let offsetsAny = info["data_offsets"] as? [Any], offsetsAny.count == 2
            else { throw fail("entry '\(name)' lacks dtype, shape or data_offsets") }
            let shape = try shapeAny.map { (v: Any) throws(TensorError) -> Int in
                guard let n = v as? Int, n >= 0 else { throw fail("entry '\(name)' has a bad shape") }
                return n
            }
            guard let begin = offsetsAny[0] as? Int, let end = offsetsAny[1] as? Int,
                begin >= 0, begin <= end, end <= dataLength
            else { throw fail("entry '\(name)' has data offsets outside the file") }
            let count = try Tensor.elementCount(of: shape)
            if let width = Self.byteWidth(of: dtype), count * width != end - begin {
                throw .sizeMismatch(shape: shape, expected: count, actual: (end - begin) / width)
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, range: begin..<end))
        }
        self.entries = entries.sorted { ($0.range.lowerBound, $0.name) < ($1.range.lowerBound, $1.name) }
        self.metadata = metadata
        self.bytes = bytes
        self.dataStart = dataStart
    }

    /// Names of all tensors, in data order.
    public var names: [String] { entries.map(\.name) }

    /// Decodes a floating-point tensor to float32.
    public func tensor(named name: String) throws(TensorError) -> Tensor {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw .tensorNotFound(name: name, available: names)
        }
        guard let dtype = Self.floatDType(entry.dtype) else {
            throw .unsupportedDType(format: "safetensors", dtype: entry.dtype)
        }
        let count = entry.range.count / dtype.byteWidth
        let values = bytes.withUnsafeBytes { raw in
            dtype.decode(raw, offset: dataStart + entry.range.lowerBound, count: count, bigEndian: false)
        }
        return try Tensor(shape: entry.shape, values: values)
    }

    /// Decodes an integer tensor (I32 or I64) to Int.
    public func integers(named name: String) throws(TensorError) -> (shape: [Int], values: [Int]) {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw .tensorNotFound(name: name, available: names)
        }
        let start = dataStart + entry.range.lowerBound
        let values: [Int] = bytes.withUnsafeBytes { raw in
            switch entry.dtype {
            case "I64":
                return (0..<(entry.range.count / 8)).map {
                    Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: start + $0 * 8, as: Int64.self)))
                }
            case "I32":
                return (0..<(entry.range.count / 4)).map {
                    Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: start + $0 * 4, as: Int32.self)))
                }
            default: return []
            }
        }
        guard entry.dtype == "I64" || entry.dtype == "I32" else {
            throw .unsupportedDType(format: "safetensors", dtype: entry.dtype)
        }
        return (entry.shape, values)
    }

    static func floatDType(_ name: String) -> FloatDType? {
        switch name {
        case "F16": .float16
        case "BF16": .bfloat16
        case "F32": .float32
        case "F64": .float64
        default: nil
        }
    }

    static func byteWidth(of dtype: String) -> Int? {
        switch dtype {
        case "F16", "BF16", "I16", "U16": 2
        case "F32", "I32", "U32": 4
        case "F64", "I64", "U64": 8
        case "I8", "U8", "BOOL": 1
        default: nil
        }
    }
}
