import Foundation
import LumenNumerics

/// Maximum mean discrepancy with a Gaussian RBF kernel and a permutation test (alibi-detect's
/// MMDDrift defaults: unbiased MMD², σ from the median heuristic on the cross distances,
/// p = share of permutations with MMD² ≥ the observed one).
public struct MMDTest: Sendable {
    public var permutations: Int
    public var seed: UInt64
    public var alpha: Double

    public init(permutations: Int = 100, seed: UInt64 = 0, alpha: Double = 0.05) {
        self.permutations = permutations
        self.seed = seed
        self.alpha = alpha
    }

    /// Kernel bandwidth σ = √(0.5 · median of ‖x_i − y_j‖²).
    public static func medianBandwidth(_ x: SampleMatrix, _ y: SampleMatrix) -> Double {
        var distances: [Double] = []
        distances.reserveCapacity(x.rows * y.rows)
        for i in 0..<x.rows {
            for j in 0..<y.rows {
                var s = 0.0
                for k in 0..<x.cols {
                    let d = x.values[i * x.cols + k] - y.values[j * y.cols + k]
                    s += d * d
                }
                distances.append(s)
            }
        }
        let middle = (distances.count - 1) / 2
        return (0.5 * Selection.nth(&distances, middle)).squareRoot()
    }

    public func test(_ x: SampleMatrix, _ y: SampleMatrix) throws(DriftError) -> DriftResult {
        try SampleMatrix.requireSameWidth(x, y)
        guard x.rows >= 2, y.rows >= 2 else { throw .emptySample("MMD needs at least 2 rows on each side") }
        guard permutations >= 1 else { throw .invalidOption("permutations must be at least 1") }
        let n = x.rows
        let m = y.rows
        let total = n + m
        let d = x.cols
        let sigma = max(Self.medianBandwidth(x, y), 1e-12)
        // Pooled sample, kernel matrix via the Gram matrix.
        let z = (x.values + y.values).map(Float.init)
        let gram = z.withUnsafeBufferPointer { BLAS.rowGram($0, rows: total, cols: d) }
        let scale = Float(-0.5 / (sigma * sigma))
        var kernel = [Float](repeating: 0, count: total * total)
        for i in 0..<total {
            let gii = gram[i * total + i]
            for j in 0..<total {
                let squared = max(0, gii + gram[j * total + j] - 2 * gram[i * total + j])
                kernel[i * total + j] = (scale * squared).exp()
            }
        }
        var rowSums = [Double](repeating: 0, count: total)
        var all = 0.0
        for i in 0..<total {
            var s = 0.0
            for j in 0..<total { s += Double(kernel[i * total + j]) }
            rowSums[i] = s
            all += s
        }
        // Labels for the observed split (column 0) and each permutation; A = K · L.
        var generator = SeededGenerator(seed: seed)
        let columns = permutations + 1
        var labels = [Float](repeating: 0, count: total * columns)
        var order = Array(0..<total)
        for c in 0..<columns {
            if c > 0 { order.shuffle(using: &generator) }
            for position in 0..<n { labels[order[position] * columns + c] = 1 }
        }
        let product = BLAS.multiply(kernel, labels, m: total, k: total, n: columns)
        func mmd(_ c: Int) -> Double {
            var xx = 0.0
            var xRow = 0.0
            for i in 0..<total where labels[i * columns + c] == 1 {
                xx += Double(product[i * columns + c])
                xRow += rowSums[i]
            }
            let xy = xRow - xx
            let yy = all - xx - 2 * xy
            let nd = Double(n)
            let md = Double(m)
            return (xx - nd) / (nd * (nd - 1)) + (yy - md) / (md * (md - 1)) - 2 * xy / (nd * md)
        }
        let observed = mmd(0)
        var exceed = 0
        for c in 1..<columns where mmd(c) >= observed { exceed += 1 }
        let p = Double(exceed) / Double(permutations)
        return DriftResult(method: "mmd", statistic: observed, pValue: p, threshold: alpha, direction: .lowerIsDrift)
    }
}

extension Float {
    @inline(__always) func exp() -> Float { Float(Foundation.exp(Double(self))) }
}

/// Quickselect.
enum Selection {
    static func nth(_ values: inout [Double], _ k: Int) -> Double {
        var lo = 0
        var hi = values.count - 1
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        while lo < hi {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let pivot = values[lo + Int(state >> 33) % (hi - lo + 1)]
            var i = lo
            var j = hi
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return values[k] }
        }
        return values[k]
    }
}
