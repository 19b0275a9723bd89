import Foundation
import LumenIO

/// Saves and loads EMF models as safetensors: factors, biases, neighbour lists and the training
/// ratings (CSR) as tensors; hyperparameters, id maps, titles, metrics, data fingerprint, creation
/// time and Lumen version as JSON strings in the metadata. Written to a temporary file and renamed.
public enum EMFModelFile {
    /// Format tag stored in every file.
    public static let format = "lumen-emf-1"

    public static func save(_ model: EMFModel, to url: URL, lumenVersion: String) throws {
        let f = model.hyperparameters.factors
        let users = model.users.count
        let items = model.items.count
        var writer = SafetensorsWriter()
        writer.add("user_factors", shape: [users, f], floats: model.userFactors)
        writer.add("item_factors", shape: [items, f], floats: model.itemFactors)
        writer.add("user_bias", shape: [users], floats: model.userBias)
        writer.add("item_bias", shape: [items], floats: model.itemBias)
        let rows = model.neighborhood.basis == .users ? users : items
        writer.add("neighbours", shape: [rows, model.neighborhood.k], int32s: model.neighborhood.neighbors)
        writer.add(
            "neighbour_similarity",
            shape: [rows, model.neighborhood.k],
            floats: model.neighborhood.similarities
        )
        writer.add("train_user_offsets", shape: [users + 1], int64s: model.training.userOffsets.map(Int64.init))
        writer.add("train_items", shape: [model.training.count], int32s: model.training.userItems)
        writer.add("train_ratings", shape: [model.training.count], floats: model.training.userValues)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ value: T) throws -> String {
            String(decoding: try encoder.encode(value), as: UTF8.self)
        }
        writer.metadata = [
            "format": format,
            "lumen_version": lumenVersion,
            "created_at": model.createdAt,
            "data_fingerprint": model.fingerprint,
            "hyperparameters": try json(model.hyperparameters),
            "global_mean": String(model.globalMean),
            "rating_min": String(model.ratingRange.min),
            "rating_max": String(model.ratingRange.max),
            "user_ids": JSONText.array(model.users.ids),
            "item_ids": JSONText.array(model.items.ids),
            "item_titles": try json(model.titles),
            "metrics": try json(model.metrics),
            "score_kind": model.scoreKind.rawValue,
            "feedback": model.feedback.rawValue,
            "provenance": try json(model.provenance),
        ]
        try writer.write(to: url)
    }

    public static func load(_ url: URL) throws -> EMFModel {
        try load(bytes: try FileBytes.read(url, limit: 8 << 30), path: url.path)
    }

    /// Decodes a model file already in memory (`path` names it in errors).
    public static func load(bytes: [UInt8], path: String) throws -> EMFModel {
        let reader: SafetensorsReader
        do {
            reader = try SafetensorsReader(bytes)
        } catch {
            throw RecsError.badModelFile("\(path): \(error)")
        }
        return try decode(reader, path: path)
    }

    static func decode(_ reader: SafetensorsReader, path: String) throws(RecsError) -> EMFModel {
        func fail(_ detail: String) -> RecsError { .badModelFile("\(path): \(detail)") }
        let meta = reader.metadata
        guard meta["format"] == format else {
            throw fail("format is '\(meta["format"] ?? "none")', expected '\(format)'")
        }
        func json<T: Decodable>(_ key: String, _ type: T.Type) throws(RecsError) -> T {
            guard let text = meta[key], let value = try? JSONDecoder().decode(T.self, from: Data(text.utf8)) else {
                throw fail("metadata '\(key)' missing or unreadable")
            }
            return value
        }
        let h = try json("hyperparameters", EMFHyperparameters.self)
        let userIDs = try json("user_ids", [String].self)
        let itemIDs = try json("item_ids", [String].self)
        let titles = try json("item_titles", [String?].self)
        let metrics = (try? json("metrics", [String: Double].self)) ?? [:]
        guard let mean = Float(meta["global_mean"] ?? ""), let lo = Float(meta["rating_min"] ?? ""),
            let hi = Float(meta["rating_max"] ?? "")
        else {
            throw fail("metadata lacks the global mean or rating range")
        }
        guard mean.isFinite, lo.isFinite, hi.isFinite, lo < hi else {
            throw fail("global mean \(mean) and rating range \(lo)…\(hi) must be finite with min < max")
        }
        for (kind, ids) in [("user", userIDs), ("item", itemIDs)] {
            if let repeated = IDMap.firstDuplicate(in: ids) { throw fail("\(kind) id '\(repeated)' appears twice") }
        }
        let users = userIDs.count
        let items = itemIDs.count
        let f = h.factors
        do {
            let p = try reader.tensor(named: "user_factors")
            let q = try reader.tensor(named: "item_factors")
            let bu = try reader.tensor(named: "user_bias")
            let bi = try reader.tensor(named: "item_bias")
            let nb = try reader.integers(named: "neighbours")
            let ns = try reader.tensor(named: "neighbour_similarity")
            let offsets = try reader.integers(named: "train_user_offsets")
            let trainItems = try reader.integers(named: "train_items")
            let trainRatings = try reader.tensor(named: "train_ratings")
            guard p.shape == [users, f], q.shape == [items, f], bu.shape == [users], bi.shape == [items] else {
                throw fail(
                    "factor shapes \(p.shape), \(q.shape) do not match \(users) users, \(items) items, \(f) factors"
                )
            }
            let rows = h.basis == .users ? users : items
            guard nb.shape == [rows, h.neighbors], ns.shape == nb.shape else {
                throw fail("neighbour lists have shape \(nb.shape)")
            }
            guard offsets.values.count == users + 1, offsets.values.first == 0,
                offsets.values.last == trainItems.values.count,
                trainRatings.count == trainItems.values.count,
                zip(offsets.values, offsets.values.dropFirst()).allSatisfy({ $0 <= $1 }),
                trainItems.values.allSatisfy({ $0 >= 0 && $0 < items }), nb.values.allSatisfy({ $0 >= -1 && $0 < rows })
            else { throw fail("training ratings or neighbour indices are inconsistent") }
            for (name, values) in [
                ("user_factors", p.values), ("item_factors", q.values), ("user_bias", bu.values),
                ("item_bias", bi.values),
                ("neighbour_similarity", ns.values), ("train_ratings", trainRatings.values),
            ] where !values.allSatisfy(\.isFinite) {
                throw fail("\(name) holds a NaN or infinite value")
            }
            if let k = trainRatings.values.firstIndex(where: { $0 < lo || $0 > hi }) {
                throw fail(
                    "training rating \(trainRatings.values[k]) lies outside the model's rating range \(lo)…\(hi)"
                )
            }
            var ratings: [Rating] = []
            ratings.reserveCapacity(trainItems.values.count)
            for u in 0..<users {
                for k in offsets.values[u]..<offsets.values[u + 1] {
                    ratings.append(
                        Rating(user: Int32(u), item: Int32(trainItems.values[k]), value: trainRatings.values[k])
                    )
                }
            }
            guard let scoreKind = ScoreKind(rawValue: meta["score_kind"] ?? "rating"),
                let feedback = FeedbackKind(rawValue: meta["feedback"] ?? "explicit")
            else { throw fail("metadata 'score_kind' or 'feedback' is not a known value") }
            var model = EMFModel(
                hyperparameters: h,
                users: IDMap(ids: userIDs),
                items: IDMap(ids: itemIDs),
                titles: titles.count == items ? titles : [String?](repeating: nil, count: items),
                userFactors: p.values,
                itemFactors: q.values,
                userBias: bu.values,
                itemBias: bi.values,
                globalMean: mean,
                ratingRange: (lo, hi),
                neighborhood: UserNeighborhood(
                    k: h.neighbors,
                    neighbors: nb.values.map { Int32($0) },
                    similarities: ns.values,
                    basis: h.basis
                ),
                training: RatingMatrix(ratings: ratings, users: users, items: items),
                fingerprint: meta["data_fingerprint"] ?? "",
                metrics: metrics,
                createdAt: meta["created_at"] ?? ""
            )
            model.scoreKind = scoreKind
            model.feedback = feedback
            model.provenance = (try? json("provenance", [String: String].self)) ?? ["trainer": "lumen"]
            return model
        } catch let error as RecsError {
            throw error
        } catch {
            throw fail("\(error)")
        }
    }
}
