import Foundation
import LumenIO
import LumenTestSupport
import Testing

@testable import LumenONNX

/// Every operator fixture (scripts/make-onnx-fixtures.py) against onnxruntime's outputs.
@Suite("ONNX operators against onnxruntime")
struct OperatorParityTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let inputs: [String]
        let outputs: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        let data = try! Data(contentsOf: Fixtures.url("onnx/ops_manifest.json"))
        let list = try! JSONSerialization.jsonObject(with: data) as! [[String: Any]]
        return list.map {
            Case(name: $0["name"] as! String, inputs: $0["inputs"] as! [String], outputs: $0["outputs"] as! [String])
        }
    }()

    /// Reads float32 or int64 .npy fixtures.
    static func value(_ relative: String) throws -> Value {
        if let (shape, data) = try Fixtures.int64NPY(relative) { return .int64(shape: shape, data: data) }
        let bytes = try Fixtures.bytes(relative)
        let t = try NPYReader.read(bytes)
        return .float(shape: t.shape, data: t.values)
    }

    /// |a − b| ≤ 1e-4·|b| + 1e-5·max(1, max|b|): 1e-4 relative with a 1e-5 absolute floor, the
    /// floor scaled to the tensor's range (after 50 float32 layers, values near zero in a tensor
    /// ranging to 6 carry round-off of ~2e-5 in any two implementations).
    static func matches(_ a: Value, _ b: Value) -> (Bool, String) {
        guard a.shape == b.shape else { return (false, "shape \(a.shape) vs \(b.shape)") }
        if case .int64(_, let x) = b { return (a.ints == x, "integer values differ") }
        let x = a.floats
        let y = b.floats
        let floor = 1e-5 * max(1, y.map(abs).max() ?? 1)
        for i in x.indices where abs(x[i] - y[i]) > 1e-4 * abs(y[i]) + floor {
            return (false, "element \(i): \(x[i]) vs \(y[i])")
        }
        return (true, "")
    }

    @Test(
        "matches onnxruntime within 1e-4 relative, on the AVX-512 kernels and on the portable path",
        arguments: cases,
        ONNXSession.KernelChoice.allCases
    )
    func operatorMatches(c: Case, kernels: ONNXSession.KernelChoice) throws {
        let model = try ONNXModel.load(Fixtures.url("onnx/ops/\(c.name).onnx"))
        var inputs: [String: Value] = [:]
        for name in c.inputs { inputs[name] = try Self.value("onnx/ops/\(c.name).in.\(name).npy") }
        let result = try ONNXSession(model: model, kernels: kernels).run(inputs)
        for name in c.outputs {
            let expected = try Self.value("onnx/ops/\(c.name).out.\(name).npy")
            let (ok, detail) = Self.matches(try #require(result.outputs[name]), expected)
            #expect(ok, "\(name): \(detail)")
        }
    }
}
