import Foundation
import LumenCAM
import LumenDrift
import LumenExplain
import LumenIO
import LumenRecs

/// One immutable set of loaded models. A reload builds a new catalog and swaps it in whole;
/// requests keep the catalog they started with.
public final class ModelCatalog: Sendable {
    /// What `GET /v1/models` lists for each model.
    public struct Info: Sendable, Codable, Equatable {
        public let name: String
        /// "recommender", "cam" or "reference".
        public let kind: String
        /// First 16 hex digits of the file's SHA-256.
        public let version: String
        public let file: String
        public let bytes: Int
        public let details: [String: String]
    }

    /// An EMF recommender.
    public struct Recommender: Sendable {
        public let model: EMFModel
        public let info: Info
    }

    /// An ONNX model with its sidecar, ready to explain images.
    public struct CAMModel: Sendable {
        public let explainer: ModelExplainer
        public let info: Info
    }

    /// A drift reference profile.
    public struct Reference: Sendable {
        public let profile: ReferenceProfile
        public let info: Info
    }

    public let recommenders: [String: Recommender]
    public let camModels: [String: CAMModel]
    public let references: [String: Reference]
    public let generation: Int
    public let loadedAt: String
    public let directory: String

    /// Every model, sorted by kind then name.
    public var infos: [Info] {
        (recommenders.values.map(\.info) + camModels.values.map(\.info) + references.values.map(\.info)).sorted {
            ($0.kind, $0.name) < ($1.kind, $1.name)
        }
    }

    public var isEmpty: Bool { recommenders.isEmpty && camModels.isEmpty && references.isEmpty }

    /// The model called `name` in `table`, or a 404 naming what is loaded.
    static func require<T>(_ table: [String: T], _ name: String, noun: String) throws -> T {
        guard let found = table[name] else {
            let loaded = table.keys.sorted().joined(separator: ", ")
            throw Problem.notFound("no \(noun) '\(name)'; loaded: \(loaded.isEmpty ? "none" : loaded)")
        }
        return found
    }

    init(
        recommenders: [String: Recommender],
        camModels: [String: CAMModel],
        references: [String: Reference],
        generation: Int,
        directory: String
    ) {
        self.recommenders = recommenders
        self.camModels = camModels
        self.references = references
        self.generation = generation
        self.directory = directory
        loadedAt = JSONLogHandler.timestamp()
    }

    /// Loads every model in `directory` (not recursively): `NAME.safetensors` (Lumen EMF),
    /// `NAME.onnx` with `NAME.json` beside it, and `NAME.profile.json` (drift references).
    /// Any file that fails to load fails the whole load, naming the file.
    public static func load(directory: String, generation: Int) throws(ServerError) -> ModelCatalog {
        let url = URL(fileURLWithPath: directory)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix(".") }
                .sorted()
        } catch {
            throw .models("cannot list the models folder \(directory)")
        }
        var recommenders: [String: Recommender] = [:]
        var camModels: [String: CAMModel] = [:]
        var references: [String: Reference] = [:]
        for name in names {
            let file = url.appendingPathComponent(name)
            do {
                if name.hasSuffix(".safetensors") {
                    let stem = String(name.dropLast(".safetensors".count))
                    let bytes = try FileBytes.read(file, limit: 8 << 30)
                    let model = try EMFModelFile.load(bytes: bytes, path: file.path)
                    let details = [
                        "users": String(model.users.count), "items": String(model.items.count),
                        "factors": String(model.hyperparameters.factors), "basis": model.neighborhood.basis.rawValue,
                        "created_at": model.createdAt,
                    ]
                    recommenders[stem] = Recommender(
                        model: model,
                        info: info(stem, "recommender", file, bytes, details)
                    )
                } else if name.hasSuffix(".onnx") {
                    let stem = String(name.dropLast(".onnx".count))
                    let bytes = try FileBytes.read(file, limit: 4 << 30)
                    let explainer = try ModelExplainer(model: file, bytes: bytes)
                    let s = explainer.sidecar
                    var details = [
                        "task": s.task.rawValue, "input": "\(s.input.width)x\(s.input.height)",
                        "resize": s.input.resize.rawValue,
                        "labels": String(explainer.labels.count),
                    ]
                    if let layer = s.camLayer { details["cam_layer"] = layer }
                    camModels[stem] = CAMModel(explainer: explainer, info: info(stem, "cam", file, bytes, details))
                } else if name.hasSuffix(".profile.json") {
                    let stem = String(name.dropLast(".profile.json".count))
                    let bytes = try FileBytes.read(file, limit: 1 << 30)
                    let profile = try ReferenceProfile.load(bytes: bytes, path: file.path)
                    let details = [
                        "profile_kind": profile.kind.rawValue,
                        "columns": profile.columns.map(\.name).joined(separator: ","),
                        "rows": String(profile.columns.first?.count ?? 0), "created_at": profile.createdAt,
                    ]
                    references[stem] = Reference(profile: profile, info: info(stem, "reference", file, bytes, details))
                }
            } catch let error as ServerError {
                throw error
            } catch {
                throw .models("\(file.path): \(error)")
            }
        }
        return ModelCatalog(
            recommenders: recommenders,
            camModels: camModels,
            references: references,
            generation: generation,
            directory: directory
        )
    }

    private static func info(
        _ name: String,
        _ kind: String,
        _ file: URL,
        _ bytes: [UInt8],
        _ details: [String: String]
    ) -> Info {
        Info(
            name: name,
            kind: kind,
            version: String(SHA256.hex(bytes).prefix(16)),
            file: file.lastPathComponent,
            bytes: bytes.count,
            details: details
        )
    }
}
