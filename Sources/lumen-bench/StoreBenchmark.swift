import ArgumentParser
import Foundation
import LumenMonitoring

/// `lumen-bench store`: the prediction store's write rate (one committed transaction per answer,
/// as the server does), its size per answer, and a window report over all of them.
struct StoreBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Time prediction-store writes, feedback and a window report over a million answers."
    )

    @Option(help: "Answers to store.") var answers = 1_000_000
    @Option(help: "Share of the answers that get ground truth.") var feedbackShare = 0.3

    func run() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-bench-store-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("predictions.sqlite").path
        let store = try PredictionStore(path: path)
        let labels = (0..<10).map { "class-\($0)" }
        let start = Date(timeIntervalSince1970: 1_764_547_200)
        var g = SystemRandomNumberGenerator()
        var t0 = Date()
        for k in 0..<answers {
            let predicted = labels[Int(g.next() % 10)]
            var scores: [String: Double] = [predicted: 0.6]
            for other in labels.shuffled(using: &g).prefix(4) where other != predicted { scores[other] = 0.1 }
            try store.record(
                StoredAnswer(
                    id: "exp-\(k)",
                    time: start.addingTimeInterval(Double(k) * 0.5),
                    route: "/v1/cam/model/{name}",
                    caller: "bench",
                    model: "bench",
                    version: "sha256:0123456789abcdef",
                    prediction: .label(label: predicted, confidence: 0.6, scores: scores)
                )
            )
        }
        let writeSeconds = Date().timeIntervalSince(t0)
        t0 = Date()
        var taken = 0
        for k in 0..<answers where Double(g.next() % 1000) / 1000 < feedbackShare {
            _ = try store.takeFeedback(for: "exp-\(k)") { answer in
                let truth =
                    Int(g.next() % 10) < 7
                    ? { if case .label(let l, _, _) = answer.prediction { l } else { "?" } }() : labels[0]
                return (StoredFeedback(label: truth, correct: nil), 0)
            }
            taken += 1
        }
        let feedbackSeconds = Date().timeIntervalSince(t0)
        let size =
            ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
            + ((try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0)
        t0 = Date()
        let window = try store.window(model: "bench", from: start, to: start.addingTimeInterval(Double(answers) * 0.5))
        let windowSeconds = Date().timeIntervalSince(t0)
        print(
            String(
                format:
                    "%d answers stored in %.1f s (%.0f per second, %.1f µs each, one transaction each); %d feedback posts in %.1f s (%.1f µs each); %.0f bytes per answer on disk; window report over all of them %.2f s (accuracy %.3f over %d)",
                answers,
                writeSeconds,
                Double(answers) / writeSeconds,
                writeSeconds / Double(answers) * 1e6,
                taken,
                feedbackSeconds,
                feedbackSeconds / Double(max(taken, 1)) * 1e6,
                Double(size) / Double(answers),
                windowSeconds,
                window.classification?.accuracy ?? 0,
                window.classification?.count ?? 0
            )
        )
    }
}
