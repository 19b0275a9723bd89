import Foundation
import LumenExplain

/// A one-line progress bar with rate and time left on standard error, redrawn at most ten times
/// a second; silent when standard error is not a terminal (logs and pipes get the summary only).
final class ProgressBar: @unchecked Sendable {
    private let enabled: Bool
    private let started = Date()
    private var lastDrawn = Date.distantPast
    private var drawn = false
    private let lock = NSLock()

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ p: ReviewBatch.Progress) {
        guard enabled else { return }
        lock.withLock {
            let now = Date()
            guard p.done == p.total || now.timeIntervalSince(lastDrawn) >= 0.1 else { return }
            lastDrawn = now
            drawn = true
            FileHandle.standardError.write(Data(("\r" + Self.line(p, elapsed: now.timeIntervalSince(started))).utf8))
        }
    }

    func finish() {
        guard enabled, drawn else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    /// "[##########----------]  250/500  50%  11.9 img/s  ETA 0:21  (2 failed)".
    static func line(_ p: ReviewBatch.Progress, elapsed: Double, width: Int = 24) -> String {
        let fraction = p.total > 0 ? Double(p.done) / Double(p.total) : 1
        let filled = min(width, Int(fraction * Double(width)))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let worked = p.done - p.skipped
        let rate = elapsed > 0 ? Double(worked) / elapsed : 0
        let left = rate > 0 ? Int((Double(p.total - p.done) / rate).rounded()) : -1
        let eta = left < 0 ? "--:--" : String(format: "%d:%02d", left / 60, left % 60)
        let failed = p.failed > 0 ? "  (\(p.failed) failed)" : ""
        let count = String(repeating: " ", count: max(0, String(p.total).count - String(p.done).count)) + "\(p.done)"
        return
            "[\(bar)] \(count)/\(p.total) \(Int(fraction * 100))%  \(String(format: "%.1f", rate)) img/s  ETA \(eta)\(failed)"
    }
}
