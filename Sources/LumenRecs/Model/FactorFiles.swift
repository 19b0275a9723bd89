import Foundation
import LumenIO

/// The files of a recommender trained elsewhere, as `lumen recs import` names them: factor
/// matrices (.npy, .safetensors or JSON tensors of shape [ids, factors]), one id file per side,
/// optional biases, and the interactions the factors were trained on.
public struct FactorFiles: Sendable {
    public var userFactors: String
    public var itemFactors: String
    public var userIDs: String
    public var itemIDs: String
    public var userBias: String?
    public var itemBias: String?
    public var globalBias: Float?
    public var interactions: String
    /// Optional item metadata with titles.
    public var items: String?
    /// How the interactions are read (scale, duplicates, explicit or implicit); the known ids are
    /// always the id files'.
    public var options: RatingsOptions

    public init(
        userFactors: String,
        itemFactors: String,
        userIDs: String,
        itemIDs: String,
        interactions: String,
        options: RatingsOptions = RatingsOptions()
    ) {
        (self.userFactors, self.itemFactors, self.userIDs, self.itemIDs) = (userFactors, itemFactors, userIDs, itemIDs)
        (self.interactions, self.options) = (interactions, options)
    }

    /// What the files hold, checked: shapes and values before the interactions are read, every
    /// interaction's user and item in the id files. The provenance names each file with its SHA-256.
    public func load() throws -> (factors: CheckedFactors, interactions: RatingsData, provenance: [String: String]) {
        // The digests are computed beside the parsing (SHA-256 of a million users' factors takes
        // seconds on its own).
        let digests = BackgroundDigests(
            [userIDs, itemIDs, userFactors, itemFactors, interactions] + [userBias, itemBias].compactMap { $0 }
        )
        let userIDList = try IDListReader.load(URL(fileURLWithPath: userIDs))
        let itemIDList = try IDListReader.load(URL(fileURLWithPath: itemIDs))
        let p = try Self.matrix(userFactors, part: "user factors")
        let q = try Self.matrix(itemFactors, part: "item factors")
        guard q.shape[1] == p.shape[1] else {
            throw RecsError.importMismatch(
                source: "\(itemFactors) (item factors)",
                reason: "\(q.shape[1]) factors per row, but the user factors have \(p.shape[1])"
            )
        }
        var foreign = ForeignFactors(
            userIDs: userIDList,
            itemIDs: itemIDList,
            factors: p.shape[1],
            userFactors: p.values,
            itemFactors: q.values
        )
        foreign.sources = [
            "user ids": userIDs, "item ids": itemIDs, "user factors": userFactors, "item factors": itemFactors,
        ]
        if let userBias {
            foreign.userBias = try Self.vector(userBias, part: "user bias")
            foreign.sources["user bias"] = userBias
        }
        if let itemBias {
            foreign.itemBias = try Self.vector(itemBias, part: "item bias")
            foreign.sources["item bias"] = itemBias
        }
        foreign.globalBias = globalBias
        let checked = try FactorImporter.check(foreign)
        var options = options
        options.knownIDs = KnownIDs(
            users: IDMap(ids: userIDList),
            items: IDMap(ids: itemIDList),
            userSource: userIDs,
            itemSource: itemIDs
        )
        let data = try RatingsLoader.load(
            ratings: URL(fileURLWithPath: interactions),
            items: items.map { URL(fileURLWithPath: $0) },
            options: options
        )
        let digest = try digests.wait()
        var provenance: [String: String] = [:]
        for (part, path) in foreign.sources {
            provenance[part] = path
            provenance[part + " sha256"] = digest[path]
        }
        provenance["interactions"] = interactions
        provenance["interactions sha256"] = digest[interactions]
        if let globalBias { provenance["global bias"] = String(globalBias) }
        return (checked, data, provenance)
    }

    private static func matrix(_ path: String, part: String) throws -> Tensor {
        let t = try TensorFile.load(URL(fileURLWithPath: path))
        guard t.rank == 2, t.shape[1] >= 1 else {
            throw RecsError.importMismatch(
                source: "\(path) (\(part))",
                reason: "shape \(t.shape); expected [ids, factors]"
            )
        }
        return t
    }

    private static func vector(_ path: String, part: String) throws -> [Float] {
        let t = try TensorFile.load(URL(fileURLWithPath: path))
        guard t.rank == 1 || (t.rank == 2 && t.shape[1] == 1) else {
            throw RecsError.importMismatch(source: "\(path) (\(part))", reason: "shape \(t.shape); expected [ids]")
        }
        return t.values
    }
}

/// SHA-256 of files, computed on background threads until `wait()`.
final class BackgroundDigests: @unchecked Sendable {
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var results: [String: Result<String, FileError>] = [:]

    init(_ paths: [String]) {
        for path in Set(paths) {
            DispatchQueue.global().async(group: group) { [self] in
                let result: Result<String, FileError>
                do throws(FileError) {
                    result = .success(try SHA256.hex(ofFile: URL(fileURLWithPath: path)))
                } catch {
                    result = .failure(error)
                }
                lock.withLock { results[path] = result }
            }
        }
    }

    /// Every file's digest, or the first failure.
    func wait() throws(FileError) -> [String: String] {
        group.wait()
        let results = lock.withLock { self.results }
        var digests: [String: String] = [:]
        for (path, result) in results { digests[path] = try result.get() }
        return digests
    }
}
