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
            _ = try ONNXSession(model: model).run([
                "x": .float(shape: [1, 3, 9, 11], data: [Float](repeating: 0, count: 297))
            ])
        }
        #expect(throws: ONNXError.self) { _ = try ONNXSession(model: model).run([:]) }
    }
}

@Suite("Load-time graph optimisation")
struct GraphOptimizerTests {
    @Test(
        "Conv → BatchNormalization → Relu becomes a single convolution, and the zero Pads and ReLU6 of EfficientNet disappear"
    )
    func foldsAndFuses() throws {
        let model = try ONNXModel.load(Fixtures.url("onnx/ops/conv_bn_relu.onnx"))
        #expect(model.nodes.map(\.op) == ["Conv"])
        let effnet = try ONNXModel.load(
            Fixtures.root.deletingLastPathComponent().appendingPathComponent("models/efficientnet-lite0.onnx")
        )
        #expect(!effnet.nodes.contains { ["Pad", "Clip", "ConstantOfShape", "Slice"].contains($0.op) })
    }

    @Test("external data may not point outside the model's folder")
    func externalDataStaysInside() throws {
        let dir = try Fixtures.temporaryDirectory()
        var bytes = try Fixtures.bytes("onnx/ops/conv_external.onnx")
        // Point the location at a sibling folder: "conv_external.weights" → "../onv_external.weights" is the same length.
        let name = Array("conv_external.weights".utf8)
        let at = (0...(bytes.count - name.count)).first { Array(bytes[$0..<($0 + name.count)]) == name }!
        bytes.replaceSubrange(at..<(at + 3), with: Array("../".utf8))
        let url = dir.appendingPathComponent("m.onnx")
        try AtomicFile.write(bytes, to: url)
        #expect(throws: (any Error).self) { _ = try ONNXModel.load(url) }
    }
}
