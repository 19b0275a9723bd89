/// The leading singular triplets of a dense matrix, computed on the smaller Gram side
/// (m × m when m ≤ n, else n × n) — never a full SVD.
public struct TruncatedSVD: Sendable {
    /// σ₁ ≥ σ₂ ≥ … for the requested components.
    public let singularValues: [Double]
    /// For each component, `Mᵀ u_k = σ_k v_k`: the data's coordinates along that component,
    /// one value per column of M.
    public let projections: [[Float]]
    /// ‖M‖²_F = Σ σ_i² over all singular values, for explained-variance ratios.
    public let totalEnergy: Double

    /// Share of ‖M‖²_F carried by component `k`.
    public func explainedVarianceRatio(_ k: Int) -> Double {
        totalEnergy > 0 ? singularValues[k] * singularValues[k] / totalEnergy : 0
    }

    /// Leading `k` components of the row-major `rows × cols` matrix `m`.
    public static func leading(
        _ k: Int,
        of m: UnsafeBufferPointer<Float>,
        rows: Int,
        cols: Int
    ) throws(NumericsError) -> TruncatedSVD {
        guard rows > 0, cols > 0, m.count == rows * cols else {
            throw .invalidDimensions("\(m.count) values for a \(rows)×\(cols) matrix")
        }
        let rank = min(rows, cols)
        guard k >= 1, k <= rank else { throw .invalidDimensions("asked for \(k) components of a rank-≤\(rank) matrix") }
        var energy = 0.0
        for value in m { energy += Double(value) * Double(value) }

        if rows <= cols {
            // Left side: G = M Mᵀ (rows × rows); eigenvectors u_k; projections Mᵀ u_k = σ_k v_k.
            let gram = BLAS.rowGram(m, rows: rows, cols: cols)
            let eigen = try SymmetricEigen.largest(k, of: gram.map(Double.init), n: rows)
            let projections = eigen.vectors.map { u in
                BLAS.transposedTimes(m, rows: rows, cols: cols, u.map(Float.init))
            }
            return TruncatedSVD(
                singularValues: eigen.values.map { max($0, 0).squareRoot() },
                projections: projections,
                totalEnergy: energy
            )
        } else {
            // Right side: G = Mᵀ M (cols × cols); eigenvectors v_k; projections σ_k v_k.
            let gram = BLAS.columnGram(m, rows: rows, cols: cols)
            let eigen = try SymmetricEigen.largest(k, of: gram.map(Double.init), n: cols)
            let sigmas = eigen.values.map { max($0, 0).squareRoot() }
            let projections = zip(eigen.vectors, sigmas).map { v, sigma in v.map { Float($0 * sigma) } }
            return TruncatedSVD(singularValues: sigmas, projections: projections, totalEnergy: energy)
        }
    }
}
