import Foundation
import LumenIO

/// What a batch review learnt about one image: one line of `results.jsonl`.
public struct ReviewRecord: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case ok, failed }

    /// The image file as listed, and its name in the batch.
    public var image: String
    public var name: String
    public var status: Status
    /// Why the image failed (unreadable, too large, …).
    public var error: String?
    /// The overlay and thumbnail, relative to the output folder.
    public var overlay: String?
    public var thumbnail: String?
    public var width: Int?
    public var height: Int?
    /// Top classes (classifiers) or the boxes kept (detectors).
    public var predictions: [ModelExplainer.Prediction]
    public var detections: [Detection]
    /// The best class or box label and its score.
    public var label: String?
    public var confidence: Float?
    public var layer: String?
    /// The explained layer's variance share on the map's component.
    public var explainedVariance: Double?
    public var faithfulness: FaithfulnessReport?
    public var elapsedMilliseconds: Double
    /// The model's SHA-256, the options' fingerprint and the image's size and time: a record
    /// counts as done on resume only while all three match.
    public var model: String
    public var options: String
    public var imageStamp: String

    enum CodingKeys: String, CodingKey {
        case image, name, status, error, overlay, thumbnail, width, height, predictions, detections
        case label, confidence, layer, faithfulness, model, options
        case explainedVariance = "explained_variance"
        case elapsedMilliseconds = "elapsed_ms"
        case imageStamp = "image_stamp"
    }
}

/// `results.jsonl` of a batch: one record per line, appended as images finish so a killed
/// batch keeps what it did, and rewritten compact (one line per image, in batch order) at the end.
public enum ReviewManifest {
    /// The records in `url` by image path, the last line for an image winning; a line that does
    /// not parse (cut short by a kill) is ignored. No file: none.
    public static func load(_ url: URL) -> [String: ReviewRecord] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [:] }
        var records: [String: ReviewRecord] = [:]
        let decoder = JSONDecoder()
        for line in data.split(separator: UInt8(ascii: "\n")) {
            if let r = try? decoder.decode(ReviewRecord.self, from: Data(line)) { records[r.image] = r }
        }
        return records
    }

    /// One JSON line for `record`.
    public static func line(_ record: ReviewRecord) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(record)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// Writes `records` as the whole manifest, atomically.
    public static func write(_ records: [ReviewRecord], to url: URL) throws {
        var data = Data()
        for r in records { data.append(try line(r)) }
        try AtomicFile.write(data, to: url)
    }

    /// The records as CSV: image, status, label, confidence, explained variance, deletion AUC,
    /// its random baseline, milliseconds, error.
    public static func csv(_ records: [ReviewRecord]) -> String {
        var out = "image,status,label,confidence,explained_variance,deletion_auc,random_deletion_auc,elapsed_ms,error\n"
        for r in records {
            let fields = [
                r.image, r.status.rawValue, r.label ?? "", r.confidence.map { String($0) } ?? "",
                r.explainedVariance.map { String($0) } ?? "", r.faithfulness.map { String($0.deletionAUC) } ?? "",
                r.faithfulness.map { String($0.randomDeletion.mean) } ?? "", String(r.elapsedMilliseconds),
                r.error ?? "",
            ]
            out += fields.map(quoted).joined(separator: ",") + "\n"
        }
        return out
    }

    /// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
