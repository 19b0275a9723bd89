/// Window metrics of a classifier from scored answers: accuracy, the confusion matrix, per-class
/// precision / recall / F1, one-vs-rest ROC AUC and average precision from the stored class
/// probabilities (a class outside an answer's stored top-k counts as probability 0), and the
/// expected calibration error.
/// Conventions follow scikit-learn (`confusion_matrix` rows are true classes, columns predicted;
/// `precision_recall_fscore_support` with zero_division = 0), which the tests check against.
public struct ClassificationReport: Sendable, Equatable, Codable {
    /// One class's scores.
    public struct ClassScores: Sendable, Equatable, Codable {
        public let label: String
        public let precision: Double
        public let recall: Double
        public let f1: Double
        /// True instances of the class in the window.
        public let support: Int
        /// One-vs-rest ROC AUC and average precision; nil when the class never (or always) occurs.
        public let rocAUC: Double?
        public let averagePrecision: Double?
    }

    /// One scored answer.
    public struct Outcome: Sendable {
        public var predicted: String
        public var truth: String
        /// The probability of the predicted class.
        public var confidence: Double
        /// Stored class probabilities (the top-k served); absent classes count as 0.
        public var scores: [String: Double]

        public init(predicted: String, truth: String, confidence: Double, scores: [String: Double] = [:]) {
            (self.predicted, self.truth, self.confidence) = (predicted, truth, confidence)
            self.scores = scores.isEmpty ? [predicted: confidence] : scores
        }
    }

    /// Scored answers in the window.
    public let count: Int
    public let accuracy: Double
    /// Every label predicted or true in the window, sorted.
    public let labels: [String]
    /// confusion[t][p]: answers of true class labels[t] predicted as labels[p].
    public let confusion: [[Int]]
    public let perClass: [ClassScores]
    /// Unweighted mean of the per-class F1.
    public let macroF1: Double
    /// Unweighted means over the classes where they are defined; nil when none is.
    public let macroROCAUC: Double?
    public let macroAveragePrecision: Double?
    /// Σ over 10 equal-width confidence bins of (bin share) · |accuracy − mean confidence|.
    public let expectedCalibrationError: Double

    /// Equal-width confidence bins of the calibration error.
    public static let calibrationBins = 10

    public init(_ outcomes: [Outcome]) {
        count = outcomes.count
        labels = Array(Set(outcomes.map(\.predicted) + outcomes.map(\.truth))).sorted()
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: labels.count), count: labels.count)
        for o in outcomes { matrix[index[o.truth]!][index[o.predicted]!] += 1 }
        confusion = matrix
        let right = labels.indices.reduce(0) { $0 + matrix[$1][$1] }
        accuracy = count == 0 ? 0 : Double(right) / Double(count)
        var scores: [ClassScores] = []
        for (c, label) in labels.enumerated() {
            let tp = Double(matrix[c][c])
            let predicted = Double(labels.indices.reduce(0) { $0 + matrix[$1][c] })
            let support = matrix[c].reduce(0, +)
            let precision = predicted > 0 ? tp / predicted : 0
            let recall = support > 0 ? tp / Double(support) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            let ranking = outcomes.map { $0.scores[label] ?? 0 }
            let positive = outcomes.map { $0.truth == label }
            scores.append(
                ClassScores(
                    label: label,
                    precision: precision,
                    recall: recall,
                    f1: f1,
                    support: support,
                    rocAUC: BinaryRanking.rocAUC(scores: ranking, positive: positive),
                    averagePrecision: BinaryRanking.averagePrecision(scores: ranking, positive: positive)
                )
            )
        }
        perClass = scores
        macroF1 = scores.isEmpty ? 0 : scores.reduce(0) { $0 + $1.f1 } / Double(scores.count)
        func mean(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
        macroROCAUC = mean(scores.compactMap(\.rocAUC))
        macroAveragePrecision = mean(scores.compactMap(\.averagePrecision))
        var binCount = [Int](repeating: 0, count: Self.calibrationBins)
        var binRight = [Double](repeating: 0, count: Self.calibrationBins)
        var binConfidence = [Double](repeating: 0, count: Self.calibrationBins)
        for o in outcomes {
            let c = min(max(o.confidence, 0), 1)
            let b = min(Int(c * Double(Self.calibrationBins)), Self.calibrationBins - 1)
            binCount[b] += 1
            binConfidence[b] += c
            if o.predicted == o.truth { binRight[b] += 1 }
        }
        var ece = 0.0
        for b in 0..<Self.calibrationBins where binCount[b] > 0 {
            let n = Double(binCount[b])
            ece += n / Double(max(count, 1)) * abs(binRight[b] / n - binConfidence[b] / n)
        }
        expectedCalibrationError = ece
    }
}
