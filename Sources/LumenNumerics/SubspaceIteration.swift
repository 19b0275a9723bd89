import COpenBLAS

/// Leading eigenpairs of a symmetric positive semi-definite matrix by block power (subspace)
/// iteration with Rayleigh–Ritz extraction, in double precision.
///
/// Each step costs one n×n by n×b product (b = k + 8 guard vectors), so for the Gram matrices of
/// CNN layers — where the top component usually stands well clear of the rest — it converges in a
/// few dozen cheap steps instead of the O(n³) tridiagonal reduction a dense solver needs.
/// It reports `nil` when it has not converged, so callers can fall back to a dense solver.
enum SubspaceIteration {
    /// Converged when every wanted Ritz pair has ‖G q − θ q‖ ≤ tolerance · θ₁.
    static let tolerance = 1e-9
    static let guardVectors = 8

    static func largest(_ k: Int, of g: [Double], n: Int, maxIterations: Int = 400) -> SymmetricEigen? {
        let b = min(n, k + guardVectors)
        // Deterministic start: a fixed pseudo-random block, so results never vary run to run.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var q = (0..<(n * b)).map { _ -> Double in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(Int64(bitPattern: state) >> 11) / Double(1 << 52)
        }
        guard orthonormalizeColumns(&q, rows: n, cols: b) else { return nil }
        var gq = [Double](repeating: 0, count: n * b)
        for _ in 0..<maxIterations {
            multiply(g, q, into: &gq, n: n, b: b)
            // Rayleigh–Ritz: H = Qᵀ G Q (b × b), its eigenvectors rotate Q onto Ritz vectors.
            var h = [Double](repeating: 0, count: b * b)
            cblas_dgemm(
                CblasRowMajor,
                CblasTrans,
                CblasNoTrans,
                Int32(b),
                Int32(b),
                Int32(n),
                1,
                q,
                Int32(b),
                gq,
                Int32(b),
                0,
                &h,
                Int32(b)
            )
            guard let small = try? SymmetricEigen.dense(b, of: h, n: b) else { return nil }
            let y = (0..<(b * b)).map { small.vectors[$0 % b][$0 / b] }  // row i, column j = vectors[j][i]
            var ritz = [Double](repeating: 0, count: n * b)
            var gRitz = [Double](repeating: 0, count: n * b)
            cblas_dgemm(
                CblasRowMajor,
                CblasNoTrans,
                CblasNoTrans,
                Int32(n),
                Int32(b),
                Int32(b),
                1,
                q,
                Int32(b),
                y,
                Int32(b),
                0,
                &ritz,
                Int32(b)
            )
            cblas_dgemm(
                CblasRowMajor,
                CblasNoTrans,
                CblasNoTrans,
                Int32(n),
                Int32(b),
                Int32(b),
                1,
                gq,
                Int32(b),
                y,
                Int32(b),
                0,
                &gRitz,
                Int32(b)
            )
            let theta = small.values
            let scale = max(abs(theta[0]), Double.leastNormalMagnitude)
            var converged = true
            for j in 0..<k {
                var r2 = 0.0
                for i in 0..<n {
                    let r = gRitz[i * b + j] - theta[j] * ritz[i * b + j]
                    r2 += r * r
                }
                if r2.squareRoot() > tolerance * scale {
                    converged = false
                    break
                }
            }
            if converged || theta[0] == 0 {
                let vectors = (0..<k).map { j in (0..<n).map { ritz[$0 * b + j] } }
                return SymmetricEigen(values: Array(theta.prefix(k)), vectors: vectors)
            }
            // Next block: G applied to the Ritz vectors, re-orthonormalised.
            q = gRitz
            guard orthonormalizeColumns(&q, rows: n, cols: b) else { return nil }
        }
        return nil
    }

    static func multiply(_ g: [Double], _ q: [Double], into out: inout [Double], n: Int, b: Int) {
        cblas_dsymm(
            CblasRowMajor,
            CblasLeft,
            CblasUpper,
            Int32(n),
            Int32(b),
            1,
            g,
            Int32(n),
            q,
            Int32(b),
            0,
            &out,
            Int32(b)
        )
    }

    /// Modified Gram–Schmidt on the columns of a row-major rows × cols block, twice for stability.
    /// Returns false when the block has lost rank (a column vanished).
    static func orthonormalizeColumns(_ a: inout [Double], rows: Int, cols: Int) -> Bool {
        for _ in 0..<2 {
            for j in 0..<cols {
                for p in 0..<j {
                    var dot = 0.0
                    for i in 0..<rows { dot += a[i * cols + j] * a[i * cols + p] }
                    for i in 0..<rows { a[i * cols + j] -= dot * a[i * cols + p] }
                }
                var norm = 0.0
                for i in 0..<rows { norm += a[i * cols + j] * a[i * cols + j] }
                norm = norm.squareRoot()
                guard norm > 1e-300 else { return false }
                for i in 0..<rows { a[i * cols + j] /= norm }
            }
        }
        return true
    }
}
