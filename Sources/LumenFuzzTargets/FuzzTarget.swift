import Foundation
import LumenCAM
import LumenDrift
import LumenExplain
import LumenIO
import LumenONNX
import LumenRecs
import LumenServer

/// One parser exercised on arbitrary bytes: it must return or throw, never trap, abort or hang.
/// libFuzzer drives these through `lumen-fuzz` (`make fuzz`); the test suite replays every saved
/// input under `Fuzz/corpus/<target>/` through them.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case onnx, npy, safetensors
    case jsonTensor = "json-tensor"
    case emfModel = "emf-model"
    case ratings, csv, profile, sidecar, image, multipart
    case idLists = "id-lists"

    /// Runs the parser on `bytes`; errors are the expected outcome for most inputs and are dropped.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .onnx:
            // A small budget keeps every mutant's forward pass short.
            ONNXLimits.withElementBudget(1 << 18) {
                guard let model = try? ONNXModel(bytes: bytes) else { return }
                _ = try? ONNXSession(model: model).inspect(inputShapes: [:])
            }
        case .npy: _ = try? NPYReader.read(bytes)
        case .safetensors:
            guard let reader = try? SafetensorsReader(bytes) else { return }
            for name in reader.names { _ = try? reader.tensor(named: name) }
        case .jsonTensor: _ = try? JSONTensorReader.read(bytes)
        case .emfModel:
            guard let model = try? EMFModelFile.load(bytes: bytes, path: "fuzz") else { return }
            if model.users.count > 0 && model.items.count > 0 { _ = model.explain(user: 0, item: 0) }
        case .ratings: _ = try? RatingsLoader.parse(bytes, path: "fuzz")
        case .csv: _ = try? CSVTable(bytes: bytes, path: "fuzz").profiles()
        case .profile: _ = try? ReferenceProfile.load(bytes: bytes, path: "fuzz")
        case .sidecar: _ = try? ModelSidecar.parse(bytes, path: "fuzz")
        case .image:
            _ = ImageHeader(bytes)
            _ = try? ImageDecoder(maxPixels: 1 << 22).decode(bytes)
        case .multipart:
            // The first line is the boundary, the rest the body.
            let cut = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
            let boundary = String(decoding: bytes[..<cut], as: UTF8.self)
            _ = try? MultipartForm(Array(bytes[min(cut + 1, bytes.endIndex)...]), boundary: boundary)
        case .idLists:
            _ = try? IDListReader.parse(bytes, path: "fuzz")
            let users = IDMap(ids: ["u1", "u2", "u3"])
            let items = IDMap(ids: ["i1", "i2", "i3", "i4", "i5"])
            _ = try? RecommendationLists.parse(bytes, path: "fuzz", users: users, items: items)
        }
    }

    /// The target named by `LUMEN_FUZZ_TARGET` (libFuzzer runs one binary per target this way).
    public static var fromEnvironment: FuzzTarget? {
        ProcessInfo.processInfo.environment["LUMEN_FUZZ_TARGET"].flatMap(FuzzTarget.init(rawValue:))
    }
}
