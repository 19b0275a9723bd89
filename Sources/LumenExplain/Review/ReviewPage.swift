import Foundation
import LumenIO

/// The review page of a batch: one HTML file with no network use. Thumbnails are inside it;
/// the full-size overlay and original are linked relative to the page, so the page, the output
/// folder and the images move together. Verdicts (agree / disagree / unsure) are kept in the
/// browser's local storage and exported as CSV.
public enum ReviewPage {
    /// The page for `records` (thumbnails read from `output`), to be written at `page`.
    public static func html(
        _ records: [ReviewRecord],
        output: URL,
        page: URL,
        model: String,
        modelDigest: String
    ) -> String {
        let folder = page.deletingLastPathComponent()
        let items: [[String: Any]] = records.map { r in
            var item: [String: Any] = [
                "name": r.name, "image": r.image, "status": r.status.rawValue,
                "original": relativeHref(from: folder, to: URL(fileURLWithPath: r.image)),
                "top": r.predictions.prefix(5).map { [$0.label, Double($0.probability)] as [Any] },
                "boxes": r.detections.count, "ms": r.elapsedMilliseconds,
            ]
            if let e = r.error { item["error"] = e }
            if let l = r.label { item["label"] = l }
            if let c = r.confidence { item["confidence"] = Double(c) }
            if let s = r.explainedVariance { item["share"] = s }
            if let l = r.layer { item["layer"] = l }
            if let f = r.faithfulness {
                item["deletion"] = Double(f.deletionAUC)
                item["random"] = Double(f.randomDeletion.mean)
            }
            if let o = r.overlay { item["overlay"] = relativeHref(from: folder, to: output.appendingPathComponent(o)) }
            if let t = r.thumbnail,
                let bytes = FileManager.default.contents(atPath: output.appendingPathComponent(t).path)
            {
                item["thumbnail"] = "data:image/png;base64," + bytes.base64EncodedString()
            }
            return item
        }
        // Without .withoutEscapingSlashes every "/" is written "\\/", so no "</script>" can end the
        // data early, whatever a file name or label holds.
        let json = (try? JSONSerialization.data(withJSONObject: items, options: [.sortedKeys])) ?? Data("[]".utf8)
        let failed = records.filter { $0.status == .failed }.count
        let title =
            "Lumen review: \(escape(model)), \(records.count) images" + (failed > 0 ? " (\(failed) failed)" : "")
        let page = ReviewPageTemplate.page
            .replacingOccurrences(of: "{{TITLE}}", with: title)
            // Verdicts are kept per model and output folder, so two batches never share them.
            .replacingOccurrences(
                of: "{{STORAGE_KEY}}",
                with: "lumen-review:" + SHA256.hex(modelDigest + "\n" + output.standardizedFileURL.path).prefix(16)
            )
        // The data (tens of MB of thumbnails) is spliced in once, not searched through.
        guard let slot = page.range(of: "{{DATA}}") else { return page }
        var html = String(page[..<slot.lowerBound])
        html.reserveCapacity(page.utf8.count + json.count)
        html += String(decoding: json, as: UTF8.self)
        html += page[slot.upperBound...]
        return html
    }

    /// `target` as a link from a page in `folder`: relative ("../photos/cat%201.jpg"), each
    /// component percent-encoded.
    static func relativeHref(from folder: URL, to target: URL) -> String {
        let from = folder.standardizedFileURL.pathComponents
        let to = target.standardizedFileURL.pathComponents
        var common = 0
        while common < from.count, common < to.count, from[common] == to[common] { common += 1 }
        let parts = Array(repeating: "..", count: from.count - common) + to[common...]
        return parts.map {
            $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/", "?", "#"])) ?? $0
        }
        .joined(separator: "/")
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
