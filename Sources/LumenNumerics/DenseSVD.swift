import COpenBLAS

/// Full singular value decomposition of a small dense matrix (LAPACK dgesdd), for Procrustes
/// alignments and other f×f problems — not for large data matrices.
public struct DenseSVD: Sendable {
    /// rows × k, row-major (k = min(rows, cols)).
    public let u: [Double]
    /// k singular values, largest first.
    public let s: [Double]
    /// k × cols, row-major.
    public let vt: [Double]

    public static func compute(_ a: [Double], rows: Int, cols: Int) throws(NumericsError) -> DenseSVD {
        guard rows > 0, cols > 0, a.count == rows * cols else {
            throw .invalidDimensions("\(a.count) values for \(rows)×\(cols)")
        }
        let k = min(rows, cols)
        var matrix = a
        var s = [Double](repeating: 0, count: k)
        var u = [Double](repeating: 0, count: rows * k)
        var vt = [Double](repeating: 0, count: k * cols)
        let info = LAPACKE_dgesdd(
            LAPACK_ROW_MAJOR,
            Int8(UInt8(ascii: "S")),
            Int32(rows),
            Int32(cols),
            &matrix,
            Int32(cols),
            &s,
            &u,
            Int32(k),
            &vt,
            Int32(cols)
        )
        guard info == 0 else { throw .lapackFailure(routine: "dgesdd", info: info) }
        return DenseSVD(u: u, s: s, vt: vt)
    }

    /// The orthogonal matrix R (n × n) minimising ‖A R − B‖_F for row-major A, B (rows × n):
    /// R = U Vᵀ from the SVD of Aᵀ B (orthogonal Procrustes).
    public static func procrustesRotation(
        from a: [Double],
        to b: [Double],
        rows: Int,
        n: Int
    ) throws(NumericsError) -> [Double] {
        guard a.count == rows * n, b.count == rows * n else {
            throw .invalidDimensions("Procrustes needs two \(rows)×\(n) matrices")
        }
        var atb = [Double](repeating: 0, count: n * n)
        for r in 0..<rows {
            for i in 0..<n {
                let ai = a[r * n + i]
                for j in 0..<n { atb[i * n + j] += ai * b[r * n + j] }
            }
        }
        let svd = try compute(atb, rows: n, cols: n)
        var rotation = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for k in 0..<n { s += svd.u[i * n + k] * svd.vt[k * n + j] }
                rotation[i * n + j] = s
            }
        }
        return rotation
    }
}
