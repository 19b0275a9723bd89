import Foundation
import LumenONNXTestSupport
import LumenTestSupport
import Testing

@testable import LumenONNX

/// Opset 20's Gelu, and the optimiser's fusion of the five-node erf form exporters write below
/// opset 20, against GELU computed in double precision.
@Suite("GELU: the operator and the fusion of its exported form")
struct GeluTests {
    static let values: [Float] = seededValues(4099, seed: 61).map { $0 * 6 } + [0, -0.0, 12, -12, .nan]

    static func reference(_ x: Float, tanh: Bool = false) -> Double {
        let v = Double(x)
        if tanh { return 0.5 * v * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v))) }
        return 0.5 * v * (1 + Foundation.erf(v / 2.0.squareRoot()))
    }

    /// Largest |a − reference| / max(1, |reference|); NaN must stay NaN.
    static func worst(_ actual: [Float], tanh: Bool = false) -> Double {
        zip(actual, values).map { a, x in
            let r = reference(x, tanh: tanh)
            if r.isNaN { return a.isNaN ? 0 : .infinity }
            return abs(Double(a) - r) / max(1, abs(r))
        }.max() ?? .infinity
    }

    static func run(_ model: ONNXModel, kernels: ONNXSession.KernelChoice = .automatic) throws -> [Float] {
        let x = Value.float(shape: [1, values.count], data: values)
        return try #require(try ONNXSession(model: model, kernels: kernels).run(["x": x]).outputs["y"]).floats
    }

    @Test("Gelu matches GELU in double precision, exact and tanh forms, on both kernel paths")
    func operatorMatchesReference() throws {
        for approximate in ["none", "tanh"] {
            var graph = GraphBuilder(opset: 20)
            graph.input("x", [1, Self.values.count])
            graph.node("Gelu", ["x"], ["y"], attributes: ["approximate": .string(approximate)])
            graph.output("y")
            let model = try graph.model()
            for kernels in ONNXSession.KernelChoice.allCases {
                let worst = Self.worst(try Self.run(model, kernels: kernels), tanh: approximate == "tanh")
                #expect(worst < 1e-6, "\(approximate), \(kernels): largest difference \(worst)")
            }
        }
        var graph = GraphBuilder(opset: 20)
        graph.input("x", [1, 3])
        graph.node("Gelu", ["x"], ["y"], attributes: ["approximate": .string("erf")])
        graph.output("y")
        #expect(throws: ONNXError.self) {
            _ = try ONNXSession(model: try graph.model()).run(["x": .float(shape: [1, 3], data: [1, 2, 3])])
        }
    }

    /// x → Div √2 → Erf → Add 1 → Mul x → Mul ½ (PyTorch), or Mul ½ first (Hugging Face).
    static func exported(halfFirst: Bool, extraReader: Bool = false) throws -> ONNXModel {
        var graph = GraphBuilder()
        graph.input("x", [1, values.count])
        graph.initializer("root2", .float(shape: [], data: [Float(2).squareRoot()]))
        graph.initializer("one", .float(shape: [], data: [1]))
        graph.initializer("half", .float(shape: [], data: [0.5]))
        graph.node("Div", ["x", "root2"], ["scaled"])
        graph.node("Erf", ["scaled"], ["erf"])
        graph.node("Add", ["erf", "one"], ["shifted"])
        if halfFirst {
            graph.node("Mul", ["x", "half"], ["halved"])
            graph.node("Mul", ["halved", "shifted"], ["y"])
        } else {
            graph.node("Mul", ["x", "shifted"], ["product"])
            graph.node("Mul", ["product", "half"], ["y"])
        }
        graph.output("y")
        if extraReader { graph.output("erf") }
        return try graph.model()
    }

    @Test("the exported erf form of GELU becomes one Gelu node with the same values", arguments: [false, true])
    func exportedFormIsFused(halfFirst: Bool) throws {
        let model = try Self.exported(halfFirst: halfFirst)
        #expect(model.nodes.map(\.op) == ["Gelu"])
        #expect(model.nodes.first?.inputs == ["x"] && model.nodes.first?.outputs == ["y"])
        let worst = Self.worst(try Self.run(model))
        #expect(worst < 1e-6, "largest difference \(worst)")
    }

    @Test("an intermediate read elsewhere (here a graph output) keeps the five nodes")
    func sharedIntermediateIsNotFused() throws {
        let model = try Self.exported(halfFirst: false, extraReader: true)
        #expect(model.nodes.map(\.op) == ["Div", "Erf", "Add", "Mul", "Mul"])
        #expect(Self.worst(try Self.run(model)) < 1e-6)
    }
}
