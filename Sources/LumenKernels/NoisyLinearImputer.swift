import Foundation
import LumenNumerics

/// ROAD's imputation (Rong et al., 2022), kept with the kernels so it is compiled optimised in
/// debug builds too (a 224 × 224 solve is a few thousand conjugate-gradient steps).
/// Fills removed pixels with the weighted mean of their eight neighbours (1/6 for the four
/// beside, 1/12 for the four diagonal, over the neighbours inside the image), all removed pixels
/// solved together as one linear system, plus Gaussian noise of `noise` standard deviation.
public enum NoisyLinearImputer {
    static let offsets: [(dy: Int, dx: Int, weight: Double)] = [
        (1, 1, 1.0 / 12), (0, 1, 1.0 / 6), (-1, 1, 1.0 / 12), (1, -1, 1.0 / 12),
        (0, -1, 1.0 / 6), (-1, -1, 1.0 / 12), (1, 0, 1.0 / 6), (-1, 0, 1.0 / 6),
    ]

    /// `image` (C planes of `width × height`) with the pixels where `keep` (one flag per pixel)
    /// is false imputed.
    public static func impute(
        _ image: [Float],
        width: Int,
        height: Int,
        keep: [Bool],
        noise: Float = 0.01,
        seed: UInt64 = 1
    ) -> [Float] {
        let plane = width * height
        precondition(plane > 0 && keep.count == plane && image.count % plane == 0, "image and mask sizes disagree")
        let channels = image.count / plane
        let unknown = (0..<plane).filter { !keep[$0] }
        guard !unknown.isEmpty else { return image }
        var slot = [Int](repeating: -1, count: plane)
        for (v, p) in unknown.enumerated() { slot[p] = v }
        let n = unknown.count
        // M x = b with M = diag(Σ in-image weights) − (weights between removed pixels): symmetric,
        // positive definite while every removed region touches a kept pixel. Conjugate gradients
        // with a Jacobi preconditioner, in double precision.
        var diagonal = [Double](repeating: 0, count: n)
        var links = SparseRows(rows: n)
        var rhs = [Double](repeating: 0, count: n * channels)
        for (v, p) in unknown.enumerated() {
            let (y, x) = (p / width, p % width)
            links.start.append(links.columns.count)
            for o in offsets {
                let (ny, nx) = (y + o.dy, x + o.dx)
                guard ny >= 0, ny < height, nx >= 0, nx < width else { continue }
                diagonal[v] += o.weight
                let q = ny * width + nx
                if keep[q] {
                    for c in 0..<channels { rhs[c * n + v] += o.weight * Double(image[c * plane + q]) }
                } else {
                    links.columns.append(slot[q])
                    links.weights.append(o.weight)
                }
            }
        }
        links.start.append(links.columns.count)
        var out = image
        var generator = SeededGenerator(seed: seed)
        for c in 0..<channels {
            let b = Array(rhs[(c * n)..<((c + 1) * n)])
            let solution = conjugateGradient(diagonal: diagonal, links: links, b: b)
            for (v, p) in unknown.enumerated() {
                out[c * plane + p] = Float(solution[v]) + (noise > 0 ? noise * gaussian(&generator) : 0)
            }
        }
        return out
    }

    /// The off-diagonal weights, row by row (compressed sparse rows).
    struct SparseRows {
        var start: [Int] = []
        var columns: [Int] = []
        var weights: [Double] = []
        init(rows: Int) {
            start.reserveCapacity(rows + 1)
            columns.reserveCapacity(rows * 8)
            weights.reserveCapacity(rows * 8)
        }
    }

    static func conjugateGradient(diagonal: [Double], links: SparseRows, b: [Double]) -> [Double] {
        let n = b.count
        func apply(_ v: [Double]) -> [Double] {
            var r = [Double](repeating: 0, count: n)
            links.start.withUnsafeBufferPointer { start in
                links.columns.withUnsafeBufferPointer { columns in
                    links.weights.withUnsafeBufferPointer { weights in
                        v.withUnsafeBufferPointer { v in
                            for i in 0..<n {
                                var s = diagonal[i] * v[i]
                                for k in start[i]..<start[i + 1] { s -= weights[k] * v[columns[k]] }
                                r[i] = s
                            }
                        }
                    }
                }
            }
            return r
        }
        var x = (0..<n).map { diagonal[$0] > 0 ? b[$0] / diagonal[$0] : 0 }
        var r = zip(b, apply(x)).map { $0 - $1 }
        var z = (0..<n).map { diagonal[$0] > 0 ? r[$0] / diagonal[$0] : r[$0] }
        var p = z
        var rz = zip(r, z).reduce(0) { $0 + $1.0 * $1.1 }
        let target = 1e-20 * max(1, b.reduce(0) { $0 + $1 * $1 })
        for _ in 0..<(4 * n + 100) {
            if r.reduce(0, { $0 + $1 * $1 }) <= target { break }
            let q = apply(p)
            let pq = zip(p, q).reduce(0) { $0 + $1.0 * $1.1 }
            guard pq > 0 else { break }
            let alpha = rz / pq
            for i in 0..<n {
                x[i] += alpha * p[i]
                r[i] -= alpha * q[i]
                z[i] = diagonal[i] > 0 ? r[i] / diagonal[i] : r[i]
            }
            let next = zip(r, z).reduce(0) { $0 + $1.0 * $1.1 }
            let beta = next / rz
            rz = next
            for i in 0..<n { p[i] = z[i] + beta * p[i] }
        }
        return x
    }

    /// A standard normal draw (Box–Muller).
    static func gaussian(_ generator: inout SeededGenerator) -> Float {
        let u1 = max(Double.leastNormalMagnitude, Double(generator.next() >> 11) / Double(1 << 53))
        let u2 = Double(generator.next() >> 11) / Double(1 << 53)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}
