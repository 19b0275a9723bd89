import Foundation

/// One self-contained HTML page for a model's window: the key figures, answers and accuracy over
/// time, the confusion matrix, one-vs-rest ROC curves and the per-class table — every plot inline
/// SVG, no scripts, so the file can be mailed or attached to a ticket.
public struct MonitorReportPage: Sendable {
    public let window: MonitorWindow
    public let series: [SeriesPoint]
    public let outcomes: [ClassificationReport.Outcome]
    /// When the page was made.
    public let generated: Date

    public init(
        window: MonitorWindow,
        series: [SeriesPoint],
        outcomes: [ClassificationReport.Outcome],
        generated: Date = Date()
    ) {
        (self.window, self.series, self.outcomes, self.generated) = (window, series, outcomes, generated)
    }

    /// Reads everything the page shows from the store.
    public static func make(
        store: PredictionStore,
        model: String,
        from: Date,
        to: Date,
        bucketSeconds: Double
    ) throws(MonitoringError) -> MonitorReportPage {
        MonitorReportPage(
            window: try store.window(model: model, from: from, to: to),
            series: try store.series(model: model, from: from, to: to, bucketSeconds: bucketSeconds),
            outcomes: try store.outcomes(model: model, from: from, to: to)
        )
    }

    public var html: String {
        let w = window
        var page = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <title>Lumen monitor: \(Self.escape(w.model))</title>
            <style>\(Self.style)</style></head><body>
            <h1>\(Self.escape(w.model))</h1>
            <p class="window">\(Self.day(w.from)) → \(Self.day(w.to)) · made \(Self.day(generated))</p>
            <section class="figures">\(figures)</section>
            <h2>Answers and accuracy over time</h2>
            \(timeline)
            """
        if let c = w.classification {
            page += """
                <h2>Confusion matrix <small>rows: true class · columns: predicted</small></h2>
                \(confusion(c))
                <h2>ROC curves <small>one class against the rest, from the stored top-k probabilities</small></h2>
                \(rocCurves(c))
                <h2>Per class</h2>
                \(classTable(c))
                """
        } else {
            page += "<p class=\"empty\">No classifier answer in this window has ground truth yet.</p>"
        }
        return page + "</body></html>\n"
    }

    // MARK: Sections

    var figures: String {
        let w = window
        var cells: [(String, String)] = [
            ("answers", "\(w.answers)"), ("with ground truth", "\(w.withFeedback)"),
        ]
        if let c = w.classification {
            cells += [
                ("accuracy", Self.number(c.accuracy)), ("macro F1", Self.number(c.macroF1)),
                ("macro ROC AUC", c.macroROCAUC.map(Self.number) ?? "—"),
                ("macro average precision", c.macroAveragePrecision.map(Self.number) ?? "—"),
                ("calibration error (ECE)", Self.number(c.expectedCalibrationError)),
            ]
        }
        if let mae = w.ratingMAE, let rmse = w.ratingRMSE {
            cells += [("rating MAE", Self.number(mae)), ("rating RMSE", Self.number(rmse))]
        }
        return cells.map { "<div class=\"figure\"><b>\($0.1)</b><span>\($0.0)</span></div>" }.joined()
    }

    /// Bars: answers per bucket (grey) and those with ground truth (blue); line: accuracy.
    var timeline: String {
        let width = 760.0
        let height = 200.0
        let n = max(series.count, 1)
        let top = Double(max(series.map(\.answers).max() ?? 0, 1))
        let slot = (width - 60) / Double(n)
        var svg =
            "<svg class=\"timeline\" width=\"\(width)\" height=\"\(height + 30)\" viewBox=\"0 0 \(width) \(height + 30)\" role=\"img\" aria-label=\"answers per bucket\">"
        svg += "<line x1=\"50\" y1=\"\(height)\" x2=\"\(width - 10)\" y2=\"\(height)\" class=\"axis\"/>"
        svg +=
            "<text x=\"45\" y=\"14\" class=\"tick end\">\(Int(top))</text><text x=\"45\" y=\"\(height)\" class=\"tick end\">0</text>"
        var line: [String] = []
        for (k, p) in series.enumerated() {
            let x = 50 + Double(k) * slot
            let h = Double(p.answers) / top * (height - 10)
            let f = Double(p.withFeedback) / top * (height - 10)
            svg +=
                "<rect class=\"served\" x=\"\(Self.f(x + 1))\" y=\"\(Self.f(height - h))\" width=\"\(Self.f(max(slot - 2, 1)))\" height=\"\(Self.f(h))\"><title>\(Self.day(p.start)): \(p.answers) answers</title></rect>"
            svg +=
                "<rect class=\"scored\" x=\"\(Self.f(x + 1))\" y=\"\(Self.f(height - f))\" width=\"\(Self.f(max(slot - 2, 1)))\" height=\"\(Self.f(f))\"/>"
            if let a = p.accuracy { line.append("\(Self.f(x + slot / 2)),\(Self.f(height - a * (height - 10)))") }
        }
        if line.count > 1 { svg += "<polyline class=\"accuracy\" points=\"\(line.joined(separator: " "))\"/>" }
        if let first = series.first, let last = series.last {
            svg += "<text x=\"50\" y=\"\(height + 20)\" class=\"tick\">\(Self.day(first.start))</text>"
            svg += "<text x=\"\(width - 10)\" y=\"\(height + 20)\" class=\"tick end\">\(Self.day(last.start))</text>"
        }
        return svg
            + "</svg><p class=\"legend\"><i class=\"served\"></i>answers <i class=\"scored\"></i>with ground truth <i class=\"accuracy\"></i>accuracy (0–1, same height scale)</p>"
    }

    func confusion(_ c: ClassificationReport) -> String {
        let cell = 34.0
        let label = 110.0
        let n = Double(c.labels.count)
        let top = Double(max(c.confusion.flatMap { $0 }.max() ?? 0, 1))
        let side = Self.f(label + n * cell + 60)
        var svg =
            "<svg class=\"confusion\" width=\"\(side)\" height=\"\(side)\" viewBox=\"0 0 \(side) \(side)\" role=\"img\" aria-label=\"confusion matrix\">"
        for (j, name) in c.labels.enumerated() {
            let x = label + (Double(j) + 0.5) * cell
            svg +=
                "<text class=\"tick\" transform=\"translate(\(Self.f(x)),\(Self.f(label - 6))) rotate(-45)\">\(Self.escape(name))</text>"
            svg +=
                "<text class=\"tick end\" x=\"\(Self.f(label - 6))\" y=\"\(Self.f(label + (Double(j) + 0.62) * cell))\">\(Self.escape(name))</text>"
        }
        for (t, row) in c.confusion.enumerated() {
            for (p, count) in row.enumerated() {
                let shade = Double(count) / top
                let x = label + Double(p) * cell
                let y = label + Double(t) * cell
                svg +=
                    "<rect class=\"\(t == p ? "hit" : "miss")\" x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" width=\"\(Self.f(cell - 1))\" height=\"\(Self.f(cell - 1))\" fill-opacity=\"\(Self.f(0.08 + 0.92 * shade))\"/>"
                svg +=
                    "<text class=\"count\(shade > 0.55 ? " light" : "")\" x=\"\(Self.f(x + cell / 2))\" y=\"\(Self.f(y + cell * 0.62))\">\(count)</text>"
            }
        }
        return svg + "</svg>"
    }

    func rocCurves(_ c: ClassificationReport) -> String {
        let size = 300.0
        var svg =
            "<svg class=\"roc\" width=\"\(size + 60)\" height=\"\(size + 40)\" viewBox=\"0 0 \(size + 60) \(size + 40)\" role=\"img\" aria-label=\"ROC curves\">"
        svg += "<rect x=\"40\" y=\"10\" width=\"\(size)\" height=\"\(size)\" class=\"frame\"/>"
        svg += "<line x1=\"40\" y1=\"\(size + 10)\" x2=\"\(size + 40)\" y2=\"10\" class=\"chance\"/>"
        svg += "<text x=\"40\" y=\"\(size + 30)\" class=\"tick\">false-positive rate →</text>"
        svg += "<text class=\"tick\" transform=\"translate(14,\(size + 10)) rotate(-90)\">true-positive rate →</text>"
        svg +=
            "<text x=\"30\" y=\"20\" class=\"tick end\">1</text><text x=\"30\" y=\"\(size + 10)\" class=\"tick end\">0</text>"
        var legend = ""
        for (k, scores) in c.perClass.enumerated() where scores.rocAUC != nil {
            let ranking = outcomes.map { $0.scores[scores.label] ?? 0 }
            let positive = outcomes.map { $0.truth == scores.label }
            let points = BinaryRanking.rocCurve(scores: ranking, positive: positive)
                .map { "\(Self.f(40 + $0.fpr * size)),\(Self.f(10 + (1 - $0.tpr) * size))" }
            let hue = Self.hue(k)
            svg +=
                "<polyline class=\"curve\" stroke=\"hsl(\(hue) 70% 42%)\" points=\"\(points.joined(separator: " "))\"><title>\(Self.escape(scores.label))</title></polyline>"
            legend +=
                "<span style=\"color:hsl(\(hue) 70% 42%)\">■</span> \(Self.escape(scores.label)) (AUC \(Self.number(scores.rocAUC ?? 0))) "
        }
        return svg + "</svg><p class=\"legend\">\(legend)</p>"
    }

    func classTable(_ c: ClassificationReport) -> String {
        var rows =
            "<table><tr><th>class</th><th>support</th><th>precision</th><th>recall</th><th>F1</th><th>ROC AUC</th><th>average precision</th></tr>"
        for s in c.perClass {
            rows += "<tr><td>\(Self.escape(s.label))</td><td>\(s.support)</td><td>\(Self.number(s.precision))</td>"
            rows += "<td>\(Self.number(s.recall))</td><td>\(Self.number(s.f1))</td>"
            rows +=
                "<td>\(s.rocAUC.map(Self.number) ?? "—")</td><td>\(s.averagePrecision.map(Self.number) ?? "—")</td></tr>"
        }
        return rows + "</table>"
    }

    // MARK: Formatting

    static func number(_ x: Double) -> String { String(format: "%.3f", x) }
    static func f(_ x: Double) -> String { String(format: "%.1f", x) }
    static func hue(_ k: Int) -> Int { (k * 137 + 210) % 360 }

    static func day(_ date: Date) -> String { WindowTime.format(date) }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    static let style = """
        body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:820px;color:#1d2430}
        h1{margin:0 0 4px}h2{margin:28px 0 8px;font-size:17px}h2 small{font-weight:normal;color:#5b6472}
        .window{color:#5b6472;margin:0 0 16px}
        .figures{display:flex;flex-wrap:wrap;gap:10px}
        .figure{border:1px solid #d6dae1;border-radius:6px;padding:8px 12px;min-width:110px}
        .figure b{display:block;font-size:20px}.figure span{color:#5b6472;font-size:12px}
        svg{display:block;max-width:100%}svg text{font-size:11px;fill:#1d2430}
        .tick.end{text-anchor:end}.axis,.frame{stroke:#8a93a0;fill:none}
        rect.served{fill:#c9ced6}rect.scored{fill:#3b73c4}
        polyline.accuracy{fill:none;stroke:#d2691e;stroke-width:2}
        .chance{stroke:#b0b6bf;stroke-dasharray:4 4}.curve{fill:none;stroke-width:2}
        rect.hit{fill:#2f7d4f}rect.miss{fill:#b8423a}
        text.count{text-anchor:middle}text.count.light{fill:#fff}
        .legend{color:#5b6472;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}
        .legend i.served{background:#c9ced6}.legend i.scored{background:#3b73c4}.legend i.accuracy{background:#d2691e}
        table{border-collapse:collapse}td,th{border-bottom:1px solid #e3e6ea;padding:4px 10px;text-align:right}
        td:first-child,th:first-child{text-align:left}
        """
}
