import Foundation
import LumenIO
import LumenTestSupport
import Testing

@testable import LumenONNX

@Suite("ONNX loading errors")
struct ModelErrorTests {
    @Test("truncated and garbage files are refused as malformed")
    func malformed() throws {
        let bytes = try Fixtures.bytes("onnx/ops/conv_pads_strides.onnx")
        #expect(throws: ONNXError.self) { _ = try ONNXModel(bytes: Array(bytes.prefix(bytes.count / 2))) }
        #expect(throws: ONNXError.self) { _ = try ONNXModel(bytes: Array("definitely not protobuf".utf8)) }
        #expect(throws: ONNXError.self) { _ = try ONNXModel(bytes: []) }
    }

    @Test("an unsupported operator is named with its node at load time")
    func unsupportedOperator() throws {
        var bytes = try Fixtures.bytes("onnx/ops/act_relu.onnx")
        // Rename the op type "Relu" to "Relz": same length, so the protobuf stays valid.
        let relu = Array("Relu".utf8)
        let at = (0...(bytes.count - 4)).first { Array(bytes[$0..<($0 + 4)]) == relu }!
        bytes[at + 3] = UInt8(ascii: "z")
        #expect {
            _ = try ONNXModel(bytes: bytes)
        } throws: { error in
            guard case .unsupported(_, let op, let reason) = error as? ONNXError else { return false }
            return op == "Relz" && reason.contains("not implemented")
        }
    }

    @Test("an input of the wrong shape is refused before running")
    func wrongInputShape() throws {
        let model = try ONNXModel.load(Fixtures.url("onnx/ops/conv_pads_strides.onnx"))
        #expect(throws: ONNXError.self) {
            _ = try ONNXSession(model: model).run(["x": .float(shape: [1, 3, 9, 11], data: [Float](repeating: 0, count: 297))])
        }
        #expect(throws: ONNXError.self) { _ = try ONNXSession(model: model).run([:]) }
    }
}
