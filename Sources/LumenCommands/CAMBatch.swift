import Foundation
import LumenExplain
import LumenIO
import LumenImaging
import LumenNumerics

/// `lumen cam --model M --images DIR|LIST --out DIR`: a batch for review, with a progress bar on
/// a terminal and the review page at the end.
struct CAMBatch {
    let command: CAMCommand

    func run(model: String, images source: String) throws {
        let out = URL(fileURLWithPath: command.out)
        let images = try ReviewImage.list(URL(fileURLWithPath: source), recursive: command.recursive, excluding: out)
        let batch = try ReviewBatch(
            model: URL(fileURLWithPath: model),
            options: ReviewBatch.Options(
                layer: command.layer,
                top: command.top,
                centered: !command.noCenter,
                overlay: try command.overlay(),
                perBox: command.perBox,
                annotate: command.annotate ?? true,
                metrics: command.metrics,
                maxPixels: command.maxPixels
            ),
            output: out
        )
        let bar = ProgressBar(enabled: isatty(STDERR_FILENO) == 1)
        let summary = try batch.run(images, jobs: command.jobs ?? Parallel.machineWorkers) { bar.show($0) }
        bar.finish()
        let page = command.report.map { URL(fileURLWithPath: $0) } ?? out.appendingPathComponent("review.html")
        let html = ReviewPage.html(
            summary.records,
            output: out,
            page: page,
            model: batch.explainer.name,
            modelDigest: batch.modelDigest
        )
        try AtomicFile.write(text: html, to: page)
        let rate = summary.explained > 0 ? Double(summary.explained) / max(summary.seconds, 1e-9) : 0
        print(
            "explained \(summary.explained) image(s) in \(String(format: "%.1f", summary.seconds)) s (\(String(format: "%.1f", rate))/s), "
                + "skipped \(summary.skipped) already done, \(summary.failed) failed; "
                + "overlays and results.jsonl in \(out.path), review page \(page.path)"
        )
        for r in summary.records where r.status == .failed {
            FileHandleOutput.standardError("failed: \(r.image): \(r.error ?? "?")")
        }
    }
}
