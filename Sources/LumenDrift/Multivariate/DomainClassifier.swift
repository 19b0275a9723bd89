import Foundation
import LumenNumerics

/// Domain-classifier drift: a logistic regression learns to tell current rows from reference
/// rows; the cross-validated AUC becomes the score max(0, 2·AUC − 1) (Deepchecks), drift when the
/// AUC exceeds 0.55 (Evidently), i.e. score ≥ 0.1.
public struct DomainClassifier: Sendable {
    public var folds: Int
    public var seed: UInt64
    /// L2 penalty of the logistic regression.
    public var ridge: Double
    public var threshold: Double

    public init(folds: Int = 5, seed: UInt64 = 0, ridge: Double = 1.0, threshold: Double = 0.1) {
        self.folds = folds
        self.seed = seed
        self.ridge = ridge
        self.threshold = threshold
    }

    public func test(
        _ reference: SampleMatrix,
        _ current: SampleMatrix
    ) throws(DriftError) -> (result: DriftResult, auc: Double) {
        try SampleMatrix.requireSameWidth(reference, current)
        let total = reference.rows + current.rows
        let d = reference.cols
        guard total >= 2 * folds else {
            throw .emptySample("need at least \(2 * folds) rows for \(folds)-fold cross-validation")
        }
        // Standardise on the pooled data.
        var x = reference.values + current.values
        let y = [Double](repeating: 0, count: reference.rows) + [Double](repeating: 1, count: current.rows)
        for j in 0..<d {
            var mean = 0.0
            var sq = 0.0
            for i in 0..<total { mean += x[i * d + j] }
            mean /= Double(total)
            for i in 0..<total { sq += (x[i * d + j] - mean) * (x[i * d + j] - mean) }
            let sd = max((sq / Double(total)).squareRoot(), 1e-12)
            for i in 0..<total { x[i * d + j] = (x[i * d + j] - mean) / sd }
        }
        var generator = SeededGenerator(seed: seed)
        var order = Array(0..<total)
        order.shuffle(using: &generator)
        var scores = [Double](repeating: 0, count: total)
        for fold in 0..<folds {
            let test = order.enumerated().filter { $0.offset % folds == fold }.map(\.element)
            let train = order.enumerated().filter { $0.offset % folds != fold }.map(\.element)
            let w = Self.fitLogistic(x, y, rows: train, d: d, ridge: ridge)
            for i in test {
                var z = w[d]
                for j in 0..<d { z += w[j] * x[i * d + j] }
                scores[i] = z
            }
        }
        let auc = Self.auc(scores: scores, labels: y)
        let score = max(0, 2 * auc - 1)
        return (
            DriftResult(
                method: "domain_classifier",
                statistic: score,
                pValue: nil,
                threshold: threshold,
                direction: .higherIsDrift
            ), auc
        )
    }

    /// Newton–Raphson (IRLS) for L2-penalised logistic regression; weights then intercept.
    static func fitLogistic(_ x: [Double], _ y: [Double], rows: [Int], d: Int, ridge: Double) -> [Double] {
        var w = [Double](repeating: 0, count: d + 1)
        let p = d + 1
        for _ in 0..<25 {
            var gradient = [Double](repeating: 0, count: p)
            var hessian = [Double](repeating: 0, count: p * p)
            for i in rows {
                var z = w[d]
                for j in 0..<d { z += w[j] * x[i * d + j] }
                let mu = 1 / (1 + exp(-z))
                let weight = max(mu * (1 - mu), 1e-10)
                let residual = y[i] - mu
                for a in 0..<p {
                    let xa = a < d ? x[i * d + a] : 1
                    gradient[a] += residual * xa
                    for b in 0...a {
                        let xb = b < d ? x[i * d + b] : 1
                        hessian[a * p + b] += weight * xa * xb
                    }
                }
            }
            for a in 0..<d {
                gradient[a] -= ridge * w[a]
                hessian[a * p + a] += ridge
            }
            for a in 0..<p { for b in 0..<a { hessian[b * p + a] = hessian[a * p + b] } }
            guard let step = Cholesky.solve(hessian, gradient, n: p) else { break }
            var change = 0.0
            for a in 0..<p {
                w[a] += step[a]
                change = max(change, abs(step[a]))
            }
            if change < 1e-8 { break }
        }
        return w
    }

    /// Area under the ROC curve by the rank-sum (Mann–Whitney) formula with tied ranks averaged.
    static func auc(scores: [Double], labels: [Double]) -> Double {
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var ranks = [Double](repeating: 0, count: scores.count)
        var k = 0
        while k < order.count {
            var end = k
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[k]] { end += 1 }
            let average = Double(k + end) / 2 + 1
            for t in k...end { ranks[order[t]] = average }
            k = end + 1
        }
        let positives = labels.filter { $0 == 1 }.count
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return 0.5 }
        let sum = zip(ranks, labels).filter { $0.1 == 1 }.reduce(0) { $0 + $1.0 }
        return (sum - Double(positives * (positives + 1)) / 2) / Double(positives * negatives)
    }
}
