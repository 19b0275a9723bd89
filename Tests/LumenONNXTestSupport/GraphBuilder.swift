import Foundation
import LumenONNX
import LumenTestSupport
import SwiftProtobuf

/// Builds an ONNX graph in code and writes it as a real `ModelProto`, so a test's model goes
/// through the same loader, checks and graph optimiser as a file from an exporter:
///
///     var graph = GraphBuilder()
///     graph.input("x", [1, 8, 5, 5])
///     graph.initializer("w", .float(shape: [4, 8, 1, 1], data: seededValues(32, seed: 1)))
///     graph.node("Conv", ["x", "w"], ["c"], name: "conv")
///     graph.node("Relu", ["c"], ["y"])
///     graph.output("y")
///     let model = try graph.model()   // the Relu is fused into the Conv, as for a file
///
/// Nodes are written in the order they are added (ONNX wants them topologically sorted).
public struct GraphBuilder {
    public var opset: Int
    public var producer: String
    /// `metadata_props` of the model (ultralytics exports keep imgsz, task and names here).
    public var metadata: [String: String] = [:]
    private var inputs: [(String, [Int?])] = []
    private var outputs: [(String, [Int?])] = []
    private var initializers: [(String, Value)] = []
    private var nodes:
        [(op: String, inputs: [String], outputs: [String], name: String, attributes: [String: Attribute])] =
            []

    public init(opset: Int = 17, producer: String = "GraphBuilder") {
        (self.opset, self.producer) = (opset, producer)
    }

    /// A graph input with its dimensions (nil for a symbolic one).
    public mutating func input(_ name: String, _ dimensions: [Int?]) { inputs.append((name, dimensions)) }

    /// A graph output; its dimensions are only declared (the runtime computes them), symbolic by default.
    public mutating func output(_ name: String, _ dimensions: [Int?] = []) { outputs.append((name, dimensions)) }

    /// A constant tensor (float data is written as float32, integer data as int64).
    public mutating func initializer(_ name: String, _ value: Value) { initializers.append((name, value)) }

    /// A float initializer of `shape` holding `seededValues(count, seed:)`, scaled by `scale`.
    public mutating func seededInitializer(_ name: String, shape: [Int], seed: UInt64, scale: Float = 1) {
        let data = seededValues(shape.reduce(1, *), seed: seed).map { $0 * scale }
        initializer(name, .float(shape: shape, data: data))
    }

    /// One operator application; unnamed nodes are named `op_index` as the loader names them.
    public mutating func node(
        _ op: String,
        _ inputs: [String],
        _ outputs: [String],
        name: String? = nil,
        attributes: [String: Attribute] = [:]
    ) {
        nodes.append((op, inputs, outputs, name ?? "\(op)_\(nodes.count)", attributes))
    }

    /// `y = min(max(x, lower), upper)` as exporters write ReLU6: a Clip whose bounds are
    /// initializers (opset 11 and later).
    public mutating func clip(_ x: String, _ y: String, lower: Float, upper: Float) {
        initializer("\(y)_min", .float(shape: [], data: [lower]))
        initializer("\(y)_max", .float(shape: [], data: [upper]))
        node("Clip", [x, "\(y)_min", "\(y)_max"], [y])
    }

    /// `y = x · sigmoid(x)` as exporters write SiLU: a Sigmoid and a Mul.
    public mutating func silu(_ x: String, _ y: String) {
        node("Sigmoid", [x], ["\(y)_sigmoid"])
        node("Mul", [x, "\(y)_sigmoid"], [y])
    }

    /// A Conv node; `group`, `strides`, `pads` and `dilations` are written only when given.
    public mutating func conv(
        _ inputs: [String],
        _ output: String,
        name: String,
        group: Int? = nil,
        strides: [Int]? = nil,
        pads: [Int]? = nil,
        dilations: [Int]? = nil
    ) {
        var attributes: [String: Attribute] = [:]
        if let group { attributes["group"] = .int(group) }
        if let strides { attributes["strides"] = .ints(strides) }
        if let pads { attributes["pads"] = .ints(pads) }
        if let dilations { attributes["dilations"] = .ints(dilations) }
        node("Conv", inputs, [output], name: name, attributes: attributes)
    }

    /// The serialised `ModelProto`.
    public func bytes() throws -> [UInt8] { try proto().serializedBytes() }

    /// The model as the runtime loads it (checked and optimised).
    public func model() throws -> ONNXModel { try ONNXModel(bytes: bytes()) }

    /// The `ModelProto`, for tests that corrupt a field the builder would write correctly.
    public func proto() -> Onnx_ModelProto {
        var model = Onnx_ModelProto()
        model.irVersion = 8
        model.producerName = producer
        model.opsetImport = [Onnx_OperatorSetIdProto.with { $0.version = Int64(opset) }]
        model.metadataProps = metadata.sorted { $0.key < $1.key }.map { entry in
            Onnx_StringStringEntryProto.with {
                $0.key = entry.key
                $0.value = entry.value
            }
        }
        model.graph.name = "graph"
        model.graph.input = inputs.map { Self.info($0.0, $0.1) }
        model.graph.output = outputs.map { Self.info($0.0, $0.1) }
        model.graph.initializer = initializers.map { Self.tensor($0.0, $0.1) }
        model.graph.node = nodes.map { n in
            Onnx_NodeProto.with {
                $0.opType = n.op
                $0.name = n.name
                $0.input = n.inputs
                $0.output = n.outputs
                $0.attribute = n.attributes.sorted { $0.key < $1.key }.map { Self.attribute($0.key, $0.value) }
            }
        }
        return model
    }

    static func info(_ name: String, _ dimensions: [Int?]) -> Onnx_ValueInfoProto {
        Onnx_ValueInfoProto.with {
            $0.name = name
            $0.type.tensorType.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
            $0.type.tensorType.shape.dim = dimensions.enumerated().map { axis, d in
                Onnx_TensorShapeProto.Dimension.with {
                    if let d { $0.dimValue = Int64(d) } else { $0.dimParam = "\(name)_\(axis)" }
                }
            }
        }
    }

    static func tensor(_ name: String, _ value: Value) -> Onnx_TensorProto {
        Onnx_TensorProto.with {
            $0.name = name
            $0.dims = value.shape.map { Int64($0) }
            switch value {
            case .float(_, let data):
                $0.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
                $0.floatData = data
            case .int64(_, let data):
                $0.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
                $0.int64Data = data
            }
        }
    }

    static func attribute(_ name: String, _ value: Attribute) -> Onnx_AttributeProto {
        Onnx_AttributeProto.with {
            $0.name = name
            switch value {
            case .int(let i):
                $0.type = .int
                $0.i = Int64(i)
            case .float(let f):
                $0.type = .float
                $0.f = f
            case .ints(let list):
                $0.type = .ints
                $0.ints = list.map { Int64($0) }
            case .floats(let list):
                $0.type = .floats
                $0.floats = list
            case .string(let s):
                $0.type = .string
                $0.s = Data(s.utf8)
            case .tensor(let t):
                $0.type = .tensor
                $0.t = tensor(name, t)
            }
        }
    }
}
