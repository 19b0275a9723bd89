import LumenKernels
import LumenONNXTestSupport
import LumenTestSupport
import Testing

@testable import LumenONNX

/// The test-support graph builder writes what the loader reads back: a test that builds its
/// graph in code exercises the same loader and optimiser as an exporter's file.
@Suite("Graphs built in code load as an exporter's file would")
struct GraphBuilderTests {
    @Test("inputs, outputs, initializers, attributes and metadata survive the protobuf round trip")
    func roundTrip() throws {
        var graph = GraphBuilder(opset: 13, producer: "test")
        graph.metadata = ["imgsz": "[8, 8]", "task": "detect"]
        graph.input("x", [1, 3, nil, 8])
        graph.initializer("shape", .int64(shape: [2], data: [1, -1]))
        graph.node(
            "Transpose",
            ["x"],
            ["t"],
            name: "swap",
            attributes: ["perm": .ints([0, 1, 3, 2])]
        )
        graph.node("Reshape", ["t", "shape"], ["flat"])
        graph.node(
            "LeakyRelu",
            ["flat"],
            ["y"],
            attributes: ["alpha": .float(0.25)]
        )
        graph.output("y", [1, nil])
        let model = try graph.model()
        #expect(model.opset == 13)
        #expect(model.producer == "test")
        #expect(model.metadata == ["imgsz": "[8, 8]", "task": "detect"])
        #expect(model.inputs == [ValueInfo(name: "x", dimensions: [1, 3, nil, 8])])
        #expect(model.outputs == [ValueInfo(name: "y", dimensions: [1, nil])])
        #expect(model.initializers["shape"] == .int64(shape: [2], data: [1, -1]))
        #expect(model.nodes.map(\.name) == ["swap", "Reshape_1", "LeakyRelu_2"])
        #expect(model.nodes[0].attributes["perm"] == .ints([0, 1, 3, 2]))
        #expect(model.nodes[2].attributes["alpha"] == .float(0.25))
        let x = Value.float(shape: [1, 3, 2, 8], data: seededValues(48, seed: 3))
        let y = try #require(try ONNXSession(model: model).run(["x": x]).outputs["y"])
        #expect(y.shape == [1, 48])
        // Transposing the last two axes of a 2 × 8 plane, then LeakyRelu(0.25).
        let expected = (0..<48).map { n -> Float in
            let (c, rest) = n.quotientAndRemainder(dividingBy: 16)
            let (col, row) = rest.quotientAndRemainder(dividingBy: 2)
            let v = x.floats[c * 16 + row * 8 + col]
            return v < 0 ? 0.25 * v : v
        }
        #expect(y.floats == expected)
    }

    @Test("exporter-style Clip and Sigmoid·Mul after a Conv are fused by the optimiser")
    func activationsAreFused() throws {
        var graph = GraphBuilder()
        graph.input("x", [1, 4, 5, 5])
        graph.seededInitializer("w1", shape: [6, 4, 3, 3], seed: 1)
        graph.seededInitializer("w2", shape: [2, 6, 1, 1], seed: 2)
        graph.conv(["x", "w1"], "a", name: "first", pads: [1, 1, 1, 1])
        graph.clip("a", "b", lower: 0, upper: 6)
        graph.conv(["b", "w2"], "c", name: "second")
        graph.silu("c", "y")
        graph.output("y")
        let model = try graph.model()
        #expect(model.nodes.map(\.op) == ["Conv", "Conv"])
        #expect(model.nodes[0].fused == .clamp(lower: 0, upper: 6))
        #expect(model.nodes[0].outputs == ["b"])
        #expect(model.nodes[1].fused == .silu)
        #expect(model.nodes[1].outputs == ["y"])
    }
}
