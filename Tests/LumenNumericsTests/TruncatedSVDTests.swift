import Foundation
import LumenNumerics
import Testing

@Suite("Truncated SVD on the Gram side")
struct TruncatedSVDTests {
    /// `count` orthonormal vectors of length `n` by Gram–Schmidt on seeded pseudo-random vectors.
    static func orthonormal(_ count: Int, _ n: Int, seed: UInt64) -> [[Double]] {
        var state = seed
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        var basis: [[Double]] = []
        while basis.count < count {
            var v = (0..<n).map { _ in next() }
            for b in basis {
                let d = zip(v, b).map(*).reduce(0, +)
                for i in v.indices { v[i] -= d * b[i] }
            }
            let norm = v.map { $0 * $0 }.reduce(0, +).squareRoot()
            basis.append(v.map { $0 / norm })
        }
        return basis
    }

    /// M = Σ σ_k u_k v_kᵀ (rows × cols, row-major) with known singular triplets.
    static func planted(rows: Int, cols: Int, sigmas: [Double]) -> (m: [Float], u: [[Double]], v: [[Double]]) {
        let u = orthonormal(sigmas.count, rows, seed: 1)
        let v = orthonormal(sigmas.count, cols, seed: 2)
        var m = [Float](repeating: 0, count: rows * cols)
        for r in 0..<rows {
            for c in 0..<cols {
                var s = 0.0
                for k in sigmas.indices { s += sigmas[k] * u[k][r] * v[k][c] }
                m[r * cols + c] = Float(s)
            }
        }
        return (m, u, v)
    }

    @Test("recovers planted singular values and σ·v projections on both Gram sides", arguments: [(12, 40), (40, 12)])
    func recoversPlantedTriplets(rows: Int, cols: Int) throws {
        let sigmas = [9.0, 4.0, 1.5, 0.5]
        let (m, _, v) = Self.planted(rows: rows, cols: cols, sigmas: sigmas)
        let svd = try m.withUnsafeBufferPointer { try TruncatedSVD.leading(3, of: $0, rows: rows, cols: cols) }
        for k in 0..<3 {
            #expect(abs(svd.singularValues[k] - sigmas[k]) < 1e-4 * sigmas[0])
            // The projection equals ±σ_k v_k.
            let p = svd.projections[k].map(Double.init)
            let dot = zip(p, v[k]).map(*).reduce(0, +)
            #expect(abs(abs(dot) - sigmas[k]) < 1e-4 * sigmas[0])
        }
        let total = sigmas.map { $0 * $0 }.reduce(0, +)
        #expect(abs(svd.totalEnergy - total) < 1e-4 * total)
        #expect(abs(svd.explainedVarianceRatio(0) - 81 / total) < 1e-5)
    }

    @Test("a zero matrix gives zero components, not NaN")
    func zeroMatrix() throws {
        let m = [Float](repeating: 0, count: 6 * 5)
        let svd = try m.withUnsafeBufferPointer { try TruncatedSVD.leading(2, of: $0, rows: 6, cols: 5) }
        #expect(svd.singularValues.allSatisfy { $0 == 0 })
        #expect(svd.projections.allSatisfy { $0.allSatisfy { $0 == 0 } })
        #expect(svd.explainedVarianceRatio(0) == 0)
    }

    @Test("asking for more components than the rank, or a mis-sized buffer, is refused")
    func invalidRequests() {
        let m = [Float](repeating: 1, count: 6)
        #expect(throws: NumericsError.self) {
            _ = try m.withUnsafeBufferPointer { try TruncatedSVD.leading(3, of: $0, rows: 2, cols: 3) }
        }
        #expect(throws: NumericsError.self) {
            _ = try m.withUnsafeBufferPointer { try TruncatedSVD.leading(1, of: $0, rows: 4, cols: 3) }
        }
        #expect(throws: NumericsError.self) {
            _ = try m.withUnsafeBufferPointer { try TruncatedSVD.leading(0, of: $0, rows: 2, cols: 3) }
        }
    }

    @Test("largest eigenpairs of a small symmetric matrix")
    func symmetricEigen() throws {
        // [[2,1],[1,2]] has eigenvalues 3 and 1 with vectors (1,1)/√2 and (1,-1)/√2.
        let eigen = try SymmetricEigen.largest(2, of: [2, 1, 1, 2], n: 2)
        #expect(abs(eigen.values[0] - 3) < 1e-12 && abs(eigen.values[1] - 1) < 1e-12)
        #expect(abs(abs(eigen.vectors[0][0]) - 0.5.squareRoot()) < 1e-12)
        #expect(abs(eigen.vectors[0][0] - eigen.vectors[0][1]) < 1e-12)
    }
}

@Suite("Subspace iteration against the dense solver")
struct SubspaceIterationTests {
    /// G = A Aᵀ for a seeded random A with a decaying column scale: a Gram matrix like a CNN layer's.
    static func gram(n: Int, decay: Double, seed: UInt64) -> [Double] {
        var state = seed
        let m = n + 20
        var a = [Double](repeating: 0, count: n * m)
        for i in 0..<n {
            for j in 0..<m {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                a[i * m + j] = (Double(state >> 11) / Double(1 << 53) - 0.5) * pow(decay, Double(j))
            }
        }
        var g = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { g[i * n + j] = (0..<m).reduce(0.0) { $0 + a[i * m + $1] * a[j * m + $1] } } }
        return g
    }

    @Test("largest eigenpairs agree with LAPACK's dense solver", arguments: [(200, 0.8), (300, 0.95), (128, 0.99)])
    func agreesWithDense(n: Int, decay: Double) throws {
        let g = Self.gram(n: n, decay: decay, seed: UInt64(n))
        let fast = try SymmetricEigen.largest(3, of: g, n: n)
        let dense = try SymmetricEigen.dense(3, of: g, n: n)
        for k in 0..<3 {
            #expect(abs(fast.values[k] - dense.values[k]) <= 1e-9 * dense.values[0])
            let dot = zip(fast.vectors[k], dense.vectors[k]).map(*).reduce(0, +)
            #expect(abs(abs(dot) - 1) < 1e-8, "eigenvector \(k) direction")
        }
    }

    @Test("a matrix with a repeated top eigenvalue still returns valid eigenpairs")
    func degenerateSpectrum() throws {
        // Identity: every unit vector is an eigenvector with eigenvalue 1.
        let n = 120
        var g = [Double](repeating: 0, count: n * n)
        for i in 0..<n { g[i * n + i] = 1 }
        let result = try SymmetricEigen.largest(2, of: g, n: n)
        #expect(result.values.allSatisfy { abs($0 - 1) < 1e-12 })
        for v in result.vectors { #expect(abs(v.map { $0 * $0 }.reduce(0, +) - 1) < 1e-9) }
    }
}
