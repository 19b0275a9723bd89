import Synchronization

/// The most recent predictions served (by explanation id), so ground truth posted to
/// `/v1/feedback` can be scored against what was said. Bounded: the oldest are forgotten first.
public final class PredictionLedger: Sendable {
    /// What was predicted.
    public enum Entry: Sendable, Equatable {
        /// A classifier's top label.
        case label(model: String, label: String, confidence: Double)
        /// Predicted ratings of the items in a recommendation list or a rationale.
        case ratings(model: String, user: String, predicted: [String: Double])
        /// Detections (feedback is counted, not scored).
        case detections(model: String, labels: [String])

        var model: String {
            switch self {
            case .label(let m, _, _), .ratings(let m, _, _), .detections(let m, _): m
            }
        }
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var order: [String] = []
        var head = 0
        var correct: [String: (right: Int, total: Int)] = [:]
        /// Ids whose ground truth has been posted.
        var answered: Set<String> = []
    }

    private let state = Mutex(State())
    public let capacity: Int

    public init(capacity: Int = 100_000) { self.capacity = capacity }

    /// Remembers a prediction.
    public func record(_ id: String, _ entry: Entry) {
        state.withLock { s in
            if s.order.count < capacity {
                s.order.append(id)
            } else {
                s.entries[s.order[s.head]] = nil
                s.answered.remove(s.order[s.head])
                s.order[s.head] = id
                s.head = (s.head + 1) % capacity
            }
            s.entries[id] = entry
        }
    }

    /// The prediction behind `id`, if still remembered.
    public func entry(_ id: String) -> Entry? { state.withLock { $0.entries[id] } }

    /// What taking feedback for `id` found.
    public enum Claim: Sendable, Equatable {
        /// The prediction, now marked as answered.
        case claimed(Entry)
        /// Not remembered (never served, or forgotten).
        case unknown
        /// Feedback for it was already taken: counting it again would skew the metrics.
        case alreadyAnswered
    }

    /// Marks `id` as answered, once: a second claim is `.alreadyAnswered`.
    public func claimFeedback(_ id: String) -> Claim {
        state.withLock { s in
            guard let entry = s.entries[id] else { return .unknown }
            guard s.answered.insert(id).inserted else { return .alreadyAnswered }
            return .claimed(entry)
        }
    }

    /// Undoes `claimFeedback` when the feedback itself is refused (e.g. it lacks the label).
    public func releaseFeedback(_ id: String) { _ = state.withLock { $0.answered.remove(id) } }

    /// Counts a classification outcome and returns the model's accuracy so far.
    public func score(model: String, correct: Bool) -> Double {
        state.withLock { s in
            var t = s.correct[model] ?? (0, 0)
            t.total += 1
            if correct { t.right += 1 }
            s.correct[model] = t
            return Double(t.right) / Double(t.total)
        }
    }
}
