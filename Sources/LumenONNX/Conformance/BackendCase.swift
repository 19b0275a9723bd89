import Foundation
import LumenIO
import SwiftProtobuf

/// One case of the ONNX backend test suite (`onnx/backend/test/data/node/<name>/`, installed by
/// Debian's `libonnx-testdata`): a one-operator `model.onnx` and `test_data_set_N/` folders of
/// `input_i.pb` / `output_i.pb` TensorProtos. `run()` loads the model, feeds every data set and
/// compares each output with the suite's own tolerance (|a − e| ≤ 1e-7 + 1e-3·|e|, as
/// `onnx.backend.test` does by default); integer outputs must match exactly.
public struct BackendCase: Sendable {
    /// The case folder's name, e.g. `test_conv_with_strides_padding`.
    public let name: String
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
        name = directory.lastPathComponent
    }

    /// Every case folder (holding a `model.onnx`) under `root`, sorted by name.
    public static func all(in root: URL) throws -> [BackendCase] {
        try FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil)
            .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("model.onnx").path) }
            .map(BackendCase.init)
            .sorted { $0.name < $1.name }
    }

    /// What became of a case.
    public enum Outcome: Sendable, Equatable {
        /// Every output of every data set matched.
        case passed
        /// The model uses an operator the runtime does not implement (the first one named).
        case notImplemented(op: String)
        /// The model's opset is outside the runtime's range (older operator versions).
        case opsetOutside(Int)
        /// The runtime refused the model or its data with a typed error (a data type it does
        /// not take, say): clean, but not a pass.
        case refused(ONNXError)
        /// An output differed, or had another shape.
        case mismatch(String)
        /// The case folder itself could not be read.
        case unreadable(String)

        /// Whether every operator of the case is one the runtime claims.
        public var isClaimed: Bool {
            switch self {
            case .notImplemented, .opsetOutside, .unreadable: false
            case .passed, .refused, .mismatch: true
            }
        }
    }

    public func run(workers: Int? = nil) -> Outcome {
        let file = directory.appendingPathComponent("model.onnx")
        let model: ONNXModel
        var bfloat16Inputs: Set<String> = []
        var bfloat16Outputs: Set<String> = []
        do {
            let bytes = try FileBytes.read(file, limit: 2 << 30)
            let proto = try Onnx_ModelProto(serializedBytes: bytes)
            let opset = proto.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }?.version ?? 0
            if !ONNXModel.supportedOpsets.contains(Int(opset)) { return .opsetOutside(Int(opset)) }
            if let node = proto.graph.node.first(where: { Operators.table[$0.opType] == nil }) {
                return .notImplemented(op: node.opType)
            }
            model = try ONNXModel(bytes: bytes, directory: directory)
            bfloat16Inputs = Set(proto.graph.input.filter { $0.type.tensorType.elemType == 16 }.map(\.name))
            bfloat16Outputs = Set(proto.graph.output.filter { $0.type.tensorType.elemType == 16 }.map(\.name))
        } catch let error as ONNXError {
            return .refused(error)
        } catch {
            return .unreadable("\(error)")
        }
        let session = ONNXSession(model: model, workers: workers)
        let sets: [URL]
        do {
            sets = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
                .filter { $0.lastPathComponent.hasPrefix("test_data_set_") }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        } catch {
            return .unreadable("\(error)")
        }
        for set in sets {
            do {
                let inputs = try Self.tensors(in: set, prefix: "input")
                let expected = try Self.tensors(in: set, prefix: "output")
                guard inputs.count == model.inputs.count, expected.count == model.outputs.count else {
                    return .unreadable(
                        "\(set.lastPathComponent): \(inputs.count) inputs and \(expected.count) outputs for a graph of \(model.inputs.count) and \(model.outputs.count)"
                    )
                }
                // The suite's data files store bfloat16 tensors as uint16 bit patterns.
                func bits(_ value: Value, _ isBFloat16: Bool) -> Value {
                    guard isBFloat16, case .int64(let shape, let d) = value else { return value }
                    return .float(shape: shape, data: d.map { Float(bitPattern: UInt32(truncatingIfNeeded: $0) << 16) })
                }
                let feed = Dictionary(
                    uniqueKeysWithValues: zip(model.inputs, inputs).map {
                        ($0.name, bits($1, bfloat16Inputs.contains($0.name)))
                    }
                )
                let result = try session.run(feed)
                for (info, want) in zip(model.outputs, expected) {
                    guard let got = result.outputs[info.name] else { return .mismatch("no output '\(info.name)'") }
                    if let difference = Self.difference(got, bits(want, bfloat16Outputs.contains(info.name))) {
                        return .mismatch("\(set.lastPathComponent) output '\(info.name)': \(difference)")
                    }
                }
            } catch let error as ONNXError {
                return .refused(error)
            } catch {
                return .unreadable("\(error)")
            }
        }
        return .passed
    }

    /// `prefix_0.pb`, `prefix_1.pb`, … of a data set, in order.
    static func tensors(in set: URL, prefix: String) throws -> [Value] {
        var values: [Value] = []
        while true {
            let url = set.appendingPathComponent("\(prefix)_\(values.count).pb")
            guard FileManager.default.fileExists(atPath: url.path) else { return values }
            let bytes = try FileBytes.read(url, limit: 1 << 30)
            let proto = try Onnx_TensorProto(serializedBytes: bytes)
            values.append(try ONNXModel.value(of: proto, directory: nil))
        }
    }

    /// Why `got` does not match `want`, or nil when it does.
    static func difference(_ got: Value, _ want: Value) -> String? {
        guard got.shape == want.shape else { return "shape \(got.shape), expected \(want.shape)" }
        switch (got, want) {
        case (_, .int64(_, let e)):
            let g = got.ints
            if let i = e.indices.first(where: { g[$0] != e[$0] }) {
                return "element \(i) is \(g[i]), expected \(e[i])"
            }
        case (_, .float(_, let e)):
            let g = got.floats
            for i in e.indices {
                let (a, b) = (g[i], e[i])
                if a.isNaN && b.isNaN { continue }
                if a == b { continue }  // equal infinities
                if !(abs(a - b) <= 1e-7 + 1e-3 * abs(b)) { return "element \(i) is \(a), expected \(b)" }
            }
        }
        return nil
    }
}

extension ONNXModel {
    /// The operator types the runtime implements.
    public static var implementedOperators: Set<String> { Set(Operators.table.keys) }
}
