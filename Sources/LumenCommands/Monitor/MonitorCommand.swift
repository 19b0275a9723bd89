import ArgumentParser
import Foundation
import LumenIO
import LumenMonitoring
import LumenServer

/// `lumen monitor`: what a server's prediction store says about a model.
struct MonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Report on the answers a server gave and the ground truth posted for them.",
        subcommands: [MonitorReportCommand.self]
    )
}

/// The time-series bucket of a report.
enum ReportBucket: String, ExpressibleByArgument, CaseIterable {
    case hour, day

    var seconds: Double { self == .hour ? 3600 : 86_400 }
}

/// `lumen monitor report --model M [--store S] [--from --to] [--html report.html] [--json PATH|-]`.
struct MonitorReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Accuracy, confusion matrix, ROC AUC, calibration and counts of one model over a time window.",
        discussion: """
            Reads the prediction store that `lumen serve` writes (every answer and the feedback
            posted to /v1/feedback). Example:
              lumen monitor report --model efficientnet-lite0 --from 2026-12-01 --html report.html
            """
    )

    @Option(help: "Prediction store (default: DATA_DIR/predictions.sqlite, as lumen serve uses).") var store: String?
    @Option(help: "Model name, as served.") var model: String
    @Option(help: "Window start: RFC 3339 or a date (default: 7 days before --to).") var from: String?
    @Option(help: "Window end, exclusive: RFC 3339 or a date (default: now).") var to: String?
    @Option(help: "Time-series bucket: hour or day (default: day).") var bucket: ReportBucket = .day
    @Option(help: "Write the report as one HTML page (inline SVG, no scripts).") var html: String?
    @Option(help: "Also write the window as JSON to this file ('-': standard output).") var json: String?

    func run() throws {
        let path = store ?? ServerConfiguration().storePath
        guard FileManager.default.fileExists(atPath: path) else {
            throw MonitoringError.cannotOpen(
                path: path,
                reason: "no such file (give --store, or run lumen serve first)"
            )
        }
        let end = try time(to, name: "--to") ?? Date()
        let start = try time(from, name: "--from") ?? end.addingTimeInterval(-7 * 86_400)
        guard start <= end else { throw ValidationError("--from is after --to") }
        let predictions = try PredictionStore(path: path)
        let page = try MonitorReportPage.make(
            store: predictions,
            model: model,
            from: start,
            to: end,
            bucketSeconds: bucket.seconds
        )
        print(Self.summary(page.window))
        if let html {
            try AtomicFile.write(text: page.html, to: URL(fileURLWithPath: html))
            print("wrote \(html)")
        }
        if let json {
            let text = Self.json(page.window)
            if json == "-" {
                print(text)
            } else {
                try AtomicFile.write(text: text + "\n", to: URL(fileURLWithPath: json))
            }
        }
    }

    func time(_ text: String?, name: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = WindowTime.parse(text) else {
            throw ValidationError("\(name) must be an RFC 3339 time or a date such as 2026-12-01, got '\(text)'")
        }
        return date
    }

    static func summary(_ w: MonitorWindow) -> String {
        var line = "\(w.model): \(w.answers) answers, \(w.withFeedback) with ground truth"
        if let c = w.classification {
            line += String(
                format: "; accuracy %.3f, macro F1 %.3f, ECE %.3f",
                c.accuracy,
                c.macroF1,
                c.expectedCalibrationError
            )
            if let auc = c.macroROCAUC { line += String(format: ", macro ROC AUC %.3f", auc) }
        }
        if let mae = w.ratingMAE, let rmse = w.ratingRMSE {
            line += String(format: "; ratings MAE %.3f, RMSE %.3f (%d)", mae, rmse, w.ratingCount)
        }
        return line
    }

    static func json(_ w: MonitorWindow) -> String {
        var object: [String: Any] = [
            "model": w.model, "answers": w.answers, "with_feedback": w.withFeedback,
            "from": WindowTime.format(w.from), "to": WindowTime.format(w.to),
        ]
        if let c = w.classification {
            object["classification"] = [
                "count": c.count, "accuracy": c.accuracy, "macro_f1": c.macroF1,
                "expected_calibration_error": c.expectedCalibrationError, "labels": c.labels,
                "confusion": c.confusion, "macro_roc_auc": c.macroROCAUC as Any,
                "macro_average_precision": c.macroAveragePrecision as Any,
            ]
        }
        if let mae = w.ratingMAE {
            object["ratings"] = ["count": w.ratingCount, "mae": mae, "rmse": w.ratingRMSE ?? 0]
        }
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
