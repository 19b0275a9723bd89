import Foundation
import LumenIO
import LumenONNXTestSupport
import LumenTestSupport
import SwiftProtobuf
import Testing

@testable import LumenONNX

/// Models a hostile or broken exporter could write: each is refused with an `ONNXError` (or
/// runs), never a trap or an abort. The saved reproducers come from
/// scripts/fuzz-onnx-mutations.py; every one of them ended the process before the checks.
@Suite("Hostile ONNX models are refused with typed errors")
struct HostileModelTests {
    static let reproducers: [String] = {
        let folder = Fixtures.url("hostile/onnx")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".onnx") }.sorted()
    }()

    /// Loads, inspects and runs the model on zeros on both kernel paths, under a small budget so
    /// a reproducer that asks for gigabytes is refused quickly.
    static func exercise(_ model: () throws -> ONNXModel) -> Error? {
        ONNXLimits.withElementBudget(1 << 22) {
            do {
                let loaded = try model()
                for kernels in ONNXSession.KernelChoice.allCases {
                    let session = ONNXSession(model: loaded, kernels: kernels)
                    _ = try session.inspect(inputShapes: [:])
                }
                return nil
            } catch {
                return error
            }
        }
    }

    @Test("every saved fuzz reproducer loads and runs or fails with an ONNXError", arguments: reproducers)
    func reproducerFailsCleanly(name: String) {
        let error = Self.exercise { try ONNXModel.load(Fixtures.url("hostile/onnx/\(name)")) }
        #expect(error == nil || error is ONNXError, "\(name): \(String(describing: error))")
    }

    @Test("the reproducer corpus is there")
    func corpusPresent() { #expect(Self.reproducers.count >= 40) }

    /// A one-node model edited from the Conv fixture.
    static func convModel(_ edit: (inout Node) -> Void) throws -> ONNXModel {
        var model = try ONNXModel.load(Fixtures.url("onnx/ops/conv_pads_strides.onnx"))
        edit(&model.nodes[0])
        return model
    }

    static let badConvolutions: [(String, [String: Attribute])] = [
        ("stride 0", ["strides": .ints([0, 1])]),
        ("dilation 0", ["dilations": .ints([1, 0])]),
        ("negative pads", ["pads": .ints([-1, 0, 0, 0])]),
        ("pads of 2^62", ["pads": .ints([1 << 62, 0, 0, 0])]),
        ("three strides for two axes", ["strides": .ints([1, 1, 1])]),
        ("an unknown auto_pad", ["auto_pad": .string("SAME_MIDDLE")]),
        ("stride 10^6", ["strides": .ints([1, 1_000_000])]),
    ]

    @Test("convolution attributes out of range are refused naming the node", arguments: badConvolutions.indices)
    func badConvolution(index: Int) throws {
        let (label, attributes) = Self.badConvolutions[index]
        let error = Self.exercise {
            try Self.convModel { node in node.attributes.merge(attributes) { _, new in new } }
        }
        // A huge stride is legal ONNX (one output per axis): it must simply run.
        if label == "stride 10^6" {
            #expect(error == nil, "\(label): \(String(describing: error))")
            return
        }
        guard case .shapeMismatch(let node, let op, _)? = error as? ONNXError else {
            Issue.record("\(label): expected a shape error, got \(String(describing: error))")
            return
        }
        #expect(node == "Conv_0" || !node.isEmpty)
        #expect(op == "Conv")
    }

    @Test("a transposed convolution with group 0 or below is refused, not a division by zero", arguments: [0, -3])
    func convTransposeGroupBelowOne(group: Int) throws {
        let error = Self.exercise {
            var model = try ONNXModel.load(Fixtures.url("onnx/ops/convtranspose_groups_dilation.onnx"))
            model.nodes[0].attributes["group"] = .int(group)
            return model
        }
        guard case .shapeMismatch(_, let op, _)? = error as? ONNXError else {
            Issue.record("group \(group): expected a shape error, got \(String(describing: error))")
            return
        }
        #expect(op == "ConvTranspose")
    }

    @Test(
        "a Slice step of ±2^62 takes one element per axis instead of overflowing the walk",
        arguments: [Int64(1) << 62, -(Int64(1) << 62)]
    )
    func hugeSliceStep(step: Int64) throws {
        var model = try ONNXModel.load(Fixtures.url("onnx/ops/slice_clamped.onnx"))
        let node = model.nodes[0]
        let steps = node.inputs.count > 4 ? node.inputs[4] : "huge_steps"
        let axes = model.initializers[node.inputs[1]]!.shape
        model.initializers[steps] = .int64(shape: axes, data: [Int64](repeating: step, count: axes.reduce(1, *)))
        if node.inputs.count <= 4 {
            if node.inputs.count == 3 {
                let axesName = "all_axes"
                model.initializers[axesName] = .int64(shape: axes, data: (0..<axes.reduce(1, *)).map { Int64($0) })
                model.nodes[0].inputs.append(axesName)
            }
            model.nodes[0].inputs.append(steps)
        }
        let error = Self.exercise { model }
        #expect(error == nil, "\(String(describing: error))")
    }

    @Test("axes and perms out of range are refused")
    func axesOutOfRange() throws {
        let cases: [(String, String, [String: Attribute])] = [
            ("softmax_axis1_v13", "Softmax", ["axis": .int(7)]),
            ("softmax_v11_flatten", "Softmax", ["axis": .int(-9)]),
            ("transpose_flatten", "Transpose", ["perm": .ints([0, 1, 1, 2])]),
            ("transpose_flatten", "Flatten", ["axis": .int(12)]),
            ("concat_split", "Concat", ["axis": .int(Int.min)]),
            ("concat_split", "Split", ["axis": .int(4)]),
            ("reducemean_keepdims", "ReduceMean", ["axes": .ints([2, 9])]),
        ]
        for (fixture, op, attributes) in cases {
            let error = Self.exercise {
                var model = try ONNXModel.load(Fixtures.url("onnx/ops/\(fixture).onnx"))
                let k = try #require(model.nodes.firstIndex { $0.op == op })
                model.nodes[k].attributes.merge(attributes) { _, new in new }
                return model
            }
            #expect(error is ONNXError, "\(fixture) \(op) \(attributes): \(String(describing: error))")
        }
    }

    @Test("sizes a file asks for beyond the budget are refused before allocating")
    func sizesBeyondBudget() throws {
        // An initializer whose dims multiply past Int.max, a ConstantOfShape of 2^40 elements, a
        // Resize by infinity, a Slice step of Int64.min, a graph input 2^40 wide.
        let inputs: [(String, () throws -> ONNXModel)] = [
            (
                "constant of shape 2^40",
                {
                    var graph = GraphBuilder()
                    graph.input("x", [1, 3])
                    graph.initializer("dims", .int64(shape: [2], data: [1 << 20, 1 << 20]))
                    graph.node("ConstantOfShape", ["dims"], ["big"], name: "huge")
                    graph.node("Relu", ["x"], ["y"])
                    graph.output("big", [nil, nil])
                    graph.output("y")
                    return try graph.model()
                }
            ),
            (
                "resize by infinity",
                {
                    var model = try ONNXModel.load(Fixtures.url("onnx/ops/resize_linear_half_pixel.onnx"))
                    model.initializers[model.nodes[0].inputs[2]] = .float(shape: [4], data: [1, 1, .infinity, 2])
                    return model
                }
            ),
            (
                "resize by NaN",
                {
                    var model = try ONNXModel.load(Fixtures.url("onnx/ops/resize_linear_half_pixel.onnx"))
                    model.initializers[model.nodes[0].inputs[2]] = .float(shape: [4], data: [1, 1, .nan, 2])
                    return model
                }
            ),
            (
                "slice step Int64.min",
                {
                    var model = try ONNXModel.load(Fixtures.url("onnx/ops/slice_negative_step.onnx"))
                    let steps = model.nodes[0].inputs[4]
                    model.initializers[steps] = .int64(
                        shape: model.initializers[steps]!.shape,
                        data: model.initializers[steps]!.ints.map { _ in .min }
                    )
                    return model
                }
            ),
            (
                "input 2^40 wide",
                {
                    var model = try ONNXModel.load(Fixtures.url("onnx/ops/act_relu.onnx"))
                    model.inputs[0].dimensions = model.inputs[0].dimensions.map { _ in 1 << 40 }
                    return model
                }
            ),
        ]
        for (label, make) in inputs {
            let error = Self.exercise(make)
            #expect(error is ONNXError, "\(label): \(String(describing: error))")
        }
    }

    @Test("a tensor whose dims overflow Int is malformed at load")
    func overflowingInitializerDims() throws {
        var graph = GraphBuilder()
        graph.input("x", [1, 2, 3, 3])
        graph.seededInitializer("w", shape: [4, 2, 1, 1], seed: 1)
        graph.conv(["x", "w"], "y", name: "conv")
        graph.output("y")
        var proto = graph.proto()
        proto.graph.initializer[0].dims = [1 << 40, 1 << 40, 1, 1]
        let bytes: [UInt8] = try proto.serializedBytes()
        let error = Self.exercise { try ONNXModel(bytes: bytes) }
        #expect(error is ONNXError, "\(String(describing: error))")
    }
}

@Suite("Attributes a file cannot use to change the runtime")
struct ReservedAttributeTests {
    @Test("attributes named like the optimiser's old fusion markers change nothing")
    func fusionMarkersInAFileAreIgnored() throws {
        let input = try NPYReader.read(try Fixtures.bytes("onnx/ops/conv_pads_strides.in.x.npy"))
        let expected = try NPYReader.read(try Fixtures.bytes("onnx/ops/conv_pads_strides.out.y.npy"))
        let model = try HostileModelTests.convModel {
            $0.attributes["lumen_silu"] = .int(1)
            $0.attributes["lumen_activation_min"] = .float(0)
            $0.attributes["lumen_activation_max"] = .float(0)
        }
        for kernels in ONNXSession.KernelChoice.allCases {
            let session = ONNXSession(model: model, kernels: kernels)
            let name = try #require(model.inputs.first?.name)
            let out = try session.run([name: .float(shape: input.shape, data: input.values)])
            let outputName = try #require(model.outputs.first?.name)
            let y = try #require(out.outputs[outputName])
            #expect(maxAbsDifference(y.floats, expected.values) < 1e-4, "\(kernels)")
        }
    }
}
