import CRankingStep

/// The SGD step θ ← θ − α ∂ℓ/∂θ of `RankingUpdate`'s triple loss on p_u, q_i, q_j (and b_i, b_j
/// with biases), compiled in C: AVX-512 or AVX2 where the CPU has them (chosen at run time, so one
/// binary runs everywhere and the package needs no compiler flags), else a portable loop. The
/// paths differ only by rounding (FMA, summation order); the tests check each against finite
/// differences of the loss.
public enum RankingStep {
    /// An instruction set the compiled step can use.
    public enum Path: Int, Sendable, CaseIterable, Comparable {
        case portable, avx2, avx512

        public static func < (a: Path, b: Path) -> Bool { a.rawValue < b.rawValue }
    }

    /// The widest path this CPU runs.
    public static let best: Path = Path(rawValue: Int(lumen_ranking_best_path().rawValue)) ?? .portable

    /// One SGD step on (p_u, q_i, q_j, b_i, b_j); returns x before the step. A `path` the CPU lacks
    /// runs as `best`.
    @inline(__always)
    @discardableResult
    public static func run(
        path: Path = best,
        p: UnsafeMutablePointer<Float>,
        qi: UnsafeMutablePointer<Float>,
        qj: UnsafeMutablePointer<Float>,
        bi: UnsafeMutablePointer<Float>,
        bj: UnsafeMutablePointer<Float>,
        factors: Int,
        weight: Float,
        settings s: RankingUpdate.Settings
    ) -> Float {
        lumen_ranking_step(
            lumen_ranking_path(UInt32(min(path, best).rawValue)),
            p,
            qi,
            qj,
            bi,
            bj,
            factors,
            weight,
            s.learningRate,
            s.regularization,
            s.biasRegularization,
            s.useBiases ? 1 : 0
        )
    }

    /// Asks the cache for a row of `factors` floats ahead of its use.
    @inline(__always)
    static func prefetch(_ row: UnsafePointer<Float>, factors: Int) {
        lumen_prefetch_row(row, factors)
    }
}
