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

    @Test("external data may not point outside the model's folder, by .., a look-alike sibling or a link")
    func externalDataStaysInside() throws {
        try Fixtures.withTemporaryDirectory { dir in
            let original = try Fixtures.bytes("onnx/ops/conv_external.onnx")
            let weights = try Fixtures.bytes("onnx/ops/conv_external.weights")
            let name = Array("conv_external.weights".utf8)
            let at = try #require(
                (0...(original.count - name.count)).first { original[$0..<($0 + name.count)].elementsEqual(name) }
            )
            /// The model in `dir/m/` with its location's first characters replaced by `prefix`
            /// (same length, so the protobuf stays valid), and the weights where that location leads.
            func model(_ prefix: String, weightsAt: String) throws -> URL {
                let folder = dir.appendingPathComponent("m")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                var bytes = original
                bytes.replaceSubrange(at..<(at + prefix.utf8.count), with: Array(prefix.utf8))
                let target = folder.appendingPathComponent(weightsAt)
                try FileManager.default.createDirectory(
                    at: target.deletingLastPathComponent(),
                    withIntermediateDirectories: true
                )
                try AtomicFile.write(weights, to: target)
                let url = folder.appendingPathComponent("model.onnx")
                try AtomicFile.write(bytes, to: url)
                return url
            }
            func refused(_ url: URL) -> Bool {
                do {
                    _ = try ONNXModel.load(url)
                    return false
                } catch ONNXError.malformed(let detail) {
                    return detail.contains("outside the model folder")
                } catch {
                    return false
                }
            }
            // Control: the same rewrite inside the folder loads.
            #expect(!refused(try model("xon", weightsAt: "xonv_external.weights")))
            #expect(refused(try model("../", weightsAt: "../v_external.weights")))
            #expect(refused(try model("../mX/", weightsAt: "../mX/xternal.weights")))
            let link = dir.appendingPathComponent("m/yonv_external.weights")
            try? FileManager.default.removeItem(at: link)
            try FileManager.default.createSymbolicLink(
                at: link,
                withDestinationURL: dir.appendingPathComponent("v_external.weights")
            )
            #expect(refused(try model("yon", weightsAt: "unused.weights")))
        }
    }
}
