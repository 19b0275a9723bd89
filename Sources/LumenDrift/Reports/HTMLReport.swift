import Foundation

/// A self-contained HTML page (inline CSS and SVG, no scripts, no network) showing each feature's
/// reference and current histograms with its statistics.
public enum HTMLReport {
    /// The page; `thumbnails` (file name → data URI, see `ImageThumbnail`) shows the images most responsible.
    public static func render(_ report: DriftReport, thumbnails: [String: String] = [:]) -> String {
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Lumen drift report</title>
            <style>
            body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
            h1 { font-size: 1.5rem; } .verdict { font-weight: 700; padding: .2rem .6rem; border-radius: 4px; }
            .drift { background: #fde2e1; color: #9b1c1c; } .ok { background: #def7ec; color: #03543f; }
            .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 1rem; }
            .card { border: 1px solid #ddd; border-radius: 6px; padding: .75rem; }
            .card h2 { font-size: 1rem; margin: 0 0 .3rem; } table { border-collapse: collapse; font-size: 12px; }
            td, th { padding: 1px 4px; text-align: left; } .card table { font-size: 11px; } .legend span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 10px; }
            </style></head><body>
            <h1>Lumen drift report: \(escape(report.kind.rawValue))</h1>
            <p><span class="verdict \(report.drifted ? "drift" : "ok")">\(report.drifted ? "DRIFT" : "NO DRIFT")</span>
            \(escape(report.summary))</p>
            <p>reference: \(escape(report.reference))<br>current: \(escape(report.current))<br>created \(escape(report.createdAt))</p>
            <p class="legend"><span style="background:#4c78a8"></span>reference<span style="background:#f58518"></span>current</p>
            <div class="grid">

            """
        // Drifted features first, the furthest beyond their threshold leading; then the rest in file order.
        let order = report.features.indices.sorted { a, b in
            let fa = report.features[a]
            let fb = report.features[b]
            if fa.result.drifted != fb.result.drifted { return fa.result.drifted }
            if fa.result.drifted { return fa.result.excess > fb.result.excess }
            return a < b
        }
        for k in order { html += card(report.features[k], thumbnails: thumbnails) }
        html += "</div>\n"
        if !report.skipped.isEmpty {
            html +=
                "<h2>Skipped files</h2><ul>"
                + report.skipped.map { "<li>\(escape($0.file)): \(escape($0.reason))</li>" }.joined() + "</ul>\n"
        }
        if let latent = report.latent {
            html +=
                "<h2>Latent factors (\(escape(latent.kind.rawValue)))</h2><p>"
                + String(
                    format:
                        "MMD² %.4g (p = %.3f), %.0f%% of dimensions drifted, mean distance %.3g, norms KS D = %.3f, pairwise-similarity KS D = %.3f",
                    latent.multivariate.mmd?.statistic ?? .nan,
                    latent.multivariate.mmd?.pValue ?? .nan,
                    latent.multivariate.driftedShare * 100,
                    latent.multivariate.meanDistance,
                    latent.norms.statistic,
                    latent.pairwiseSimilarity.statistic
                ) + "</p>"
            html +=
                "<p>Moved most: "
                + latent.movedMost.prefix(10).map { "\(escape($0.id)) (\(String(format: "%.3f", $0.distance)))" }
                .joined(
                    separator: ", "
                ) + "</p>\n"
        }
        return html + "</body></html>\n"
    }

    static func card(_ f: FeatureDrift, thumbnails: [String: String] = [:]) -> String {
        let rows = f.statistics.map { s in
            "<tr><td>\(escape(s.method))</td><td>\(format(s.statistic))</td><td>\(s.pValue.map { escape(DriftResult.formatted($0)) } ?? "")</td><td>\(rule(s))</td><td>\(s.drifted ? "drift" : "")</td></tr>"
        }.joined()
        let verdict = f.insufficientData ? "too few rows" : f.result.drifted ? "drift" : "ok"
        let decidedBy =
            "<p>decided by \(escape(f.result.method)) (\(escape(rule(f.result)))); \(f.referenceTested) reference and "
            + "\(f.currentTested) current values tested\(f.insufficientData ? ", fewer than a verdict needs" : "")</p>"
        let pictures = f.responsibleFiles.compactMap { file in
            thumbnails[file].map {
                "<img src=\"\($0)\" alt=\"\(escape(file))\" title=\"\(escape(file))\" style=\"max-height:64px;margin:2px\">"
            }
        }.joined()
        let responsible =
            f.responsible.isEmpty
            ? ""
            : "<p>Most responsible: " + f.responsible.map(escape).joined(separator: "; ") + "</p>"
                + (pictures.isEmpty ? "" : "<p>\(pictures)</p>")
        return """
            <div class="card"><h2>\(escape(f.name)) <span class="verdict \(f.result.drifted ? "drift" : "ok")">\(verdict)</span></h2>
            \(svg(f))\(decidedBy)
            <table><tr><th>test</th><th>statistic</th><th>p</th><th>drift when</th><th></th></tr>\(rows)</table>\(responsible)</div>

            """
    }

    /// Side-by-side bars of reference and current shares per bin.
    static func svg(_ f: FeatureDrift) -> String {
        let width = 320.0
        let height = 140.0
        let bottom = 118.0
        let top = 8.0
        let bins = max(f.bins.count, 1)
        let peak = max(f.referenceShare.max() ?? 0, f.currentShare.max() ?? 0, 1e-12)
        let slot = width / Double(bins)
        var parts: [String] = []
        for k in 0..<f.bins.count {
            let x = Double(k) * slot
            for (offset, share, color) in [(0.1, f.referenceShare[k], "#4c78a8"), (0.5, f.currentShare[k], "#f58518")] {
                let h = (bottom - top) * share / peak
                parts.append(
                    String(
                        format:
                            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\"><title>%@: %.1f%%</title></rect>",
                        x + slot * offset,
                        bottom - h,
                        slot * 0.4,
                        h,
                        color,
                        escape(f.bins[k]),
                        share * 100
                    )
                )
            }
        }
        parts.append("<line x1=\"0\" y1=\"\(bottom)\" x2=\"\(width)\" y2=\"\(bottom)\" stroke=\"#999\"/>")
        if f.kind == .categorical || f.bins.count <= 6 {
            // Categories and few-valued features: every label, under its bars (cut to fit the slot).
            let fit = max(2, Int(slot / 6))
            for (k, label) in f.bins.enumerated() {
                let text = label.count > fit ? String(label.prefix(fit - 1)) + "…" : label
                parts.append(
                    String(
                        format:
                            "<text x=\"%.1f\" y=\"132\" font-size=\"10\" text-anchor=\"middle\">%@<title>%@</title></text>",
                        Double(k) * slot + slot / 2,
                        escape(text),
                        escape(label)
                    )
                )
            }
        } else {
            let first = f.bins.first.map(escape) ?? ""
            let last = f.bins.last.map(escape) ?? ""
            parts.append(
                "<text x=\"0\" y=\"134\" font-size=\"10\">\(first)</text><text x=\"\(width)\" y=\"134\" font-size=\"10\" text-anchor=\"end\">\(last)</text>"
            )
        }
        return
            "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" role=\"img\" aria-label=\"histograms of \(escape(f.name))\">"
            + parts.joined() + "</svg>"
    }

    static func format(_ x: Double) -> String { String(format: "%.4g", x) }

    /// The condition under which a result counts as drift, e.g. "p < 0.05" or "≥ 0.1".
    static func rule(_ r: DriftResult) -> String {
        r.direction == .lowerIsDrift ? "p < \(format(r.threshold))" : "≥ \(format(r.threshold))"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
