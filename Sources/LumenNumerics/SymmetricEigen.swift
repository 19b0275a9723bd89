import COpenBLAS

/// Eigenpairs of a real symmetric matrix.
public struct SymmetricEigen: Sendable {
    /// Eigenvalues, largest first.
    public let values: [Double]
    /// Unit eigenvectors, `vectors[i]` belongs to `values[i]`.
    public let vectors: [[Double]]

    /// The `k` largest eigenpairs of the n × n symmetric positive semi-definite row-major matrix
    /// `a`. Small matrices, or many pairs, go to LAPACK's dense solver; otherwise subspace
    /// iteration runs first and the dense solver is the fallback when it does not converge.
    public static func largest(_ k: Int, of a: [Double], n: Int) throws(NumericsError) -> SymmetricEigen {
        guard n > 0, a.count == n * n else { throw .invalidDimensions("matrix of \(a.count) values is not \(n)×\(n)") }
        guard k >= 1, k <= n else { throw .invalidDimensions("asked for \(k) eigenpairs of a \(n)×\(n) matrix") }
        if n > 96, k <= n / 8, let iterated = SubspaceIteration.largest(k, of: a, n: n) {
            return iterated
        }
        return try dense(k, of: a, n: n)
    }

    /// The `k` largest eigenpairs by LAPACK's relatively robust representations (dsyevr, index
    /// range): only the requested vectors are formed.
    public static func dense(_ k: Int, of a: [Double], n: Int) throws(NumericsError) -> SymmetricEigen {
        guard n > 0, a.count == n * n else { throw .invalidDimensions("matrix of \(a.count) values is not \(n)×\(n)") }
        guard k >= 1, k <= n else { throw .invalidDimensions("asked for \(k) eigenpairs of a \(n)×\(n) matrix") }
        var matrix = a
        var found: Int32 = 0
        var w = [Double](repeating: 0, count: n)
        var z = [Double](repeating: 0, count: n * k)
        var support = [Int32](repeating: 0, count: 2 * k)
        let info = LAPACKE_dsyevr(
            LAPACK_ROW_MAJOR,
            Int8(UInt8(ascii: "V")),
            Int8(UInt8(ascii: "I")),
            Int8(UInt8(ascii: "U")),
            Int32(n),
            &matrix,
            Int32(n),
            0,
            0,
            Int32(n - k + 1),
            Int32(n),
            0,
            &found,
            &w,
            &z,
            Int32(k),
            &support
        )
        guard info == 0, Int(found) == k else { throw .lapackFailure(routine: "dsyevr", info: info) }
        // LAPACK returns ascending order; Lumen reports the largest first.
        var values: [Double] = []
        var vectors: [[Double]] = []
        for column in stride(from: k - 1, through: 0, by: -1) {
            values.append(w[column])
            vectors.append((0..<n).map { z[$0 * k + column] })
        }
        return SymmetricEigen(values: values, vectors: vectors)
    }
}
