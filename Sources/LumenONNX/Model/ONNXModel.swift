import Foundation
import LumenIO
import LumenKernels
import SwiftProtobuf

/// One operator application in the graph.
public struct Node: Sendable {
    public var name: String
    public var op: String
    public var inputs: [String]
    public var outputs: [String]
    public var attributes: [String: Attribute]
    /// Set by `ONNXSession` for convolutions its AVX-512 kernels run (see `FastKernel`).
    var fast: FastKernel?
    /// An activation the graph optimiser folded into this convolution's output loop (a field,
    /// not an attribute, so no file can set it).
    var fused: Activation = .none
}

/// An operator attribute.
public enum Attribute: Sendable, Equatable {
    case int(Int)
    case float(Float)
    case ints([Int])
    case floats([Float])
    case string(String)
    case tensor(Value)
}

/// A graph input or output as declared: name and dimensions (nil where symbolic).
public struct ValueInfo: Sendable, Equatable {
    public var name: String
    public var dimensions: [Int?]
}

/// A loaded ONNX model: nodes in topological order, constant initializers, declared inputs and
/// outputs. Loading checks the opset (11–21), every operator and every initializer's data type,
/// and fails naming the first node it cannot run.
public struct ONNXModel: Sendable {
    public var nodes: [Node]
    public var initializers: [String: Value]
    /// Graph inputs that are not initializers.
    public var inputs: [ValueInfo]
    public var outputs: [ValueInfo]
    public var opset: Int
    public var producer: String
    /// The file's `metadata_props` (ultralytics exports keep imgsz, task, names and stride here).
    public var metadata: [String: String]

    public static let supportedOpsets = 11...21

    /// Reads a model file (external data files are resolved next to it).
    public static func load(_ url: URL) throws -> ONNXModel {
        let bytes = try FileBytes.read(url, limit: 2 << 30)
        return try ONNXModel(bytes: bytes, directory: url.deletingLastPathComponent())
    }

    public init(bytes: [UInt8], directory: URL? = nil) throws {
        let proto: Onnx_ModelProto
        do {
            proto = try Onnx_ModelProto(serializedBytes: bytes)
        } catch {
            throw ONNXError.malformed("not an ONNX protobuf (\(error))")
        }
        guard proto.hasGraph, !proto.graph.node.isEmpty else {
            throw ONNXError.malformed("the model has no graph nodes")
        }
        let defaultOpset = proto.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }
        guard let version = defaultOpset?.version else {
            throw ONNXError.malformed("no opset_import for the default ONNX domain")
        }
        opset = Int(version)
        producer = proto.producerName
        metadata = Dictionary(proto.metadataProps.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        var initializers: [String: Value] = [:]
        for t in proto.graph.initializer { initializers[t.name] = try Self.value(of: t, directory: directory) }
        self.initializers = initializers
        inputs = try proto.graph.input.filter { initializers[$0.name] == nil }.map(Self.info)
        outputs = try proto.graph.output.map(Self.info)
        nodes = try proto.graph.node.enumerated().map { index, n in
            var attributes: [String: Attribute] = [:]
            for a in n.attribute { attributes[a.name] = try Self.attribute(a, directory: directory) }
            let name = n.name.isEmpty ? "\(n.opType)_\(index)" : n.name
            if !n.domain.isEmpty && n.domain != "ai.onnx" {
                throw ONNXError.unsupported(
                    node: name,
                    op: n.opType,
                    reason: "operator domain '\(n.domain)' is not supported"
                )
            }
            return Node(name: name, op: n.opType, inputs: n.input, outputs: n.output, attributes: attributes)
        }
        guard Self.supportedOpsets.contains(opset) else {
            throw ONNXError.unsupported(
                node: nodes[0].name,
                op: nodes[0].op,
                reason: "opset \(opset) is outside the supported range 11–21"
            )
        }
        for node in nodes where Operators.table[node.op] == nil {
            throw ONNXError.unsupported(
                node: node.name,
                op: node.op,
                reason: "operator \(node.op) is not implemented by Lumen's runtime"
            )
        }
        for node in nodes {
            let required = Operators.requiredInputs[node.op, default: 1]
            guard node.inputs.count >= required, node.inputs.prefix(required).allSatisfy({ !$0.isEmpty }),
                node.outputs.first.map({ !$0.isEmpty }) == true
            else {
                throw ONNXError.malformed(
                    "node '\(node.name)' (\(node.op)) needs \(required) inputs and an output, has \(node.inputs) → \(node.outputs)"
                )
            }
        }
        try GraphOptimizer.optimize(&self)
    }

    static func info(_ v: Onnx_ValueInfoProto) throws -> ValueInfo {
        if let kind = v.type.value, case .tensorType = kind {
        } else if v.hasType {
            throw ONNXError.unsupported(
                node: v.name,
                op: "graph value",
                reason: "'\(v.name)' is a sequence, map or optional; Lumen's runtime takes tensors only"
            )
        }
        let dims = try v.type.tensorType.shape.dim.map { d -> Int? in
            guard case .dimValue(let n)? = d.value, n > 0 else { return nil }
            guard n <= ONNXLimits.dimension else {
                throw ONNXError.malformed("'\(v.name)' declares a dimension of \(n), beyond \(ONNXLimits.dimension)")
            }
            return Int(n)
        }
        return ValueInfo(name: v.name, dimensions: dims)
    }

    static func attribute(_ a: Onnx_AttributeProto, directory: URL?) throws -> Attribute {
        switch a.type {
        case .int: return .int(Int(a.i))
        case .float: return .float(a.f)
        case .ints: return .ints(a.ints.map { Int($0) })
        case .floats: return .floats(a.floats)
        case .string: return .string(String(decoding: a.s, as: UTF8.self))
        case .tensor: return .tensor(try value(of: a.t, directory: directory))
        default: throw ONNXError.malformed("attribute '\(a.name)' has unsupported type \(a.type)")
        }
    }

    /// Decodes a TensorProto: float/double/float16/bfloat16 to float32; integer and bool types to
    /// int64.
    static func value(of t: Onnx_TensorProto, directory: URL?) throws -> Value {
        let shape = t.dims.map { Int($0) }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw ONNXError.malformed("tensor '\(t.name)' has a negative dimension")
        }
        guard let count = checkedCount(shape) else {
            throw ONNXError.malformed(
                "tensor '\(t.name)' of shape \(shape) is beyond the budget of \(ONNXLimits.elementsPerTensor) elements"
            )
        }
        var raw = t.rawData
        if t.dataLocation == .external {
            let fields = Dictionary(t.externalData.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            guard let location = fields["location"], let directory else {
                throw ONNXError.missing("external data location for '\(t.name)'")
            }
            let url = directory.appendingPathComponent(location)
            // Inside the folder after `..` and symbolic links are resolved (a sibling folder whose
            // name starts with the model folder's is outside too).
            let folder = directory.resolvingSymlinksInPath().standardizedFileURL.path
            let target = url.resolvingSymlinksInPath().standardizedFileURL.path
            guard target.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/") else {
                throw ONNXError.malformed("external data of '\(t.name)' points outside the model folder")
            }
            let bytes = try FileBytes.read(url, limit: 8 << 30)
            let offset = Int(fields["offset"] ?? "0") ?? 0
            let length = Int(fields["length"] ?? "") ?? (bytes.count - offset)
            guard offset >= 0, length >= 0, offset <= bytes.count, length <= bytes.count - offset else {
                throw ONNXError.malformed("external data of '\(t.name)' is out of range")
            }
            raw = Data(bytes[offset..<(offset + length)])
        }
        func checked<T>(_ values: [T], _ width: Int) throws -> [T] {
            guard values.count == count else {
                throw ONNXError.malformed("tensor '\(t.name)' holds \(values.count) values for shape \(shape)")
            }
            return values
        }
        func fromRaw<T>(_ type: T.Type) throws -> [T] {
            let width = MemoryLayout<T>.size
            guard raw.count == count * width else {
                throw ONNXError.malformed(
                    "tensor '\(t.name)' raw data is \(raw.count) bytes, expected \(count * width)"
                )
            }
            return raw.withUnsafeBytes { buffer in
                (0..<count).map { buffer.loadUnaligned(fromByteOffset: $0 * width, as: T.self) }
            }
        }
        switch Onnx_TensorProto.DataType(rawValue: Int(t.dataType)) {
        case .float:
            return .float(shape: shape, data: try raw.isEmpty ? checked(t.floatData, 4) : fromRaw(Float.self))
        case .double:
            return .float(
                shape: shape,
                data: try (raw.isEmpty ? checked(t.doubleData, 8) : fromRaw(Double.self)).map { Float($0) }
            )
        case .float16:
            let bits: [UInt16] =
                try raw.isEmpty ? checked(t.int32Data.map { UInt16(truncatingIfNeeded: $0) }, 2) : fromRaw(UInt16.self)
            return .float(shape: shape, data: bits.map { Float(Float16(bitPattern: $0)) })
        case .int64:
            return .int64(shape: shape, data: try raw.isEmpty ? checked(t.int64Data, 8) : fromRaw(Int64.self))
        case .int32:
            return .int64(
                shape: shape,
                data: try (raw.isEmpty ? checked(t.int32Data, 4) : fromRaw(Int32.self)).map { Int64($0) }
            )
        case .bfloat16:
            let bits: [UInt16] =
                try raw.isEmpty ? checked(t.int32Data.map { UInt16(truncatingIfNeeded: $0) }, 2) : fromRaw(UInt16.self)
            return .float(shape: shape, data: bits.map { Float(bitPattern: UInt32($0) << 16) })
        case .uint16, .int16:
            let bits: [UInt16] =
                try raw.isEmpty ? checked(t.int32Data.map { UInt16(truncatingIfNeeded: $0) }, 2) : fromRaw(UInt16.self)
            let signed = t.dataType == Onnx_TensorProto.DataType.int16.rawValue
            return .int64(shape: shape, data: bits.map { signed ? Int64(Int16(bitPattern: $0)) : Int64($0) })
        case .uint32:
            return .int64(
                shape: shape,
                data: try
                    (raw.isEmpty
                    ? checked(t.uint64Data.map { UInt32(truncatingIfNeeded: $0) }, 4) : fromRaw(UInt32.self))
                    .map { Int64($0) }
            )
        case .uint64:
            // Values past Int64.max saturate (the runtime computes in int64).
            return .int64(
                shape: shape,
                data: try (raw.isEmpty ? checked(t.uint64Data, 8) : fromRaw(UInt64.self)).map { Int64(clamping: $0) }
            )
        case .bool, .uint8:
            return .int64(
                shape: shape,
                data: try
                    (raw.isEmpty ? checked(t.int32Data.map { UInt8(truncatingIfNeeded: $0) }, 1) : fromRaw(UInt8.self))
                    .map { Int64($0) }
            )
        case .int8:
            return .int64(
                shape: shape,
                data: try
                    (raw.isEmpty ? checked(t.int32Data.map { Int8(truncatingIfNeeded: $0) }, 1) : fromRaw(Int8.self))
                    .map { Int64($0) }
            )
        default:
            throw ONNXError.unsupported(
                node: t.name,
                op: "initializer",
                reason: "tensor data type \(t.dataType) is not supported"
            )
        }
    }
}
