/// Threshold-free scores of a binary ranking (positives should score higher), as scikit-learn
/// computes them: `roc_auc_score` (ties share their rank) and `average_precision_score`
/// (Σ (Rₙ − Rₙ₋₁) Pₙ over the distinct score thresholds, highest first).
public enum BinaryRanking {
    /// Area under the ROC curve; nil unless both classes occur.
    public static func rocAUC(scores: [Double], positive: [Bool]) -> Double? {
        let p = positive.filter { $0 }.count
        let n = positive.count - p
        guard p > 0, n > 0 else { return nil }
        // Mann–Whitney: the positives' average ranks among all scores, ascending.
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for k in start...end where positive[order[k]] { rankSum += rank }
            start = end + 1
        }
        return (rankSum - Double(p) * Double(p + 1) / 2) / (Double(p) * Double(n))
    }

    /// Average precision; nil without positives.
    public static func averagePrecision(scores: [Double], positive: [Bool]) -> Double? {
        let p = positive.filter { $0 }.count
        guard p > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var tp = 0
        var fp = 0
        var previousRecall = 0.0
        var ap = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
            for k in start...end { if positive[order[k]] { tp += 1 } else { fp += 1 } }
            let recall = Double(tp) / Double(p)
            ap += (recall - previousRecall) * Double(tp) / Double(tp + fp)
            previousRecall = recall
            start = end + 1
        }
        return ap
    }

    /// The ROC curve's corners (false-positive rate, true-positive rate) at each distinct
    /// threshold, from (0, 0) to (1, 1); empty unless both classes occur.
    public static func rocCurve(scores: [Double], positive: [Bool]) -> [(fpr: Double, tpr: Double)] {
        let p = positive.filter { $0 }.count
        let n = positive.count - p
        guard p > 0, n > 0 else { return [] }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var points: [(fpr: Double, tpr: Double)] = [(0, 0)]
        var tp = 0
        var fp = 0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
            for k in start...end { if positive[order[k]] { tp += 1 } else { fp += 1 } }
            points.append((Double(fp) / Double(n), Double(tp) / Double(p)))
            start = end + 1
        }
        return points
    }
}
