import Foundation

/// The loss of one sampled triple (u, i, j) — user u, positive item i, sampled negative j — and
/// the gradient its SGD step (`RankingStep`, compiled) follows.
///
/// With x = p_u·(q_i − q_j) + b_i − b_j and the triple's weight w (1 for BPR; for EBPR
/// w = (1 − λ) + λ · E_ui · (1 − E_uj)):
///
///     ℓ = −w · log σ(x) + β/2 (‖p_u‖² + ‖q_i‖² + ‖q_j‖²) + β_b/2 (b_i² + b_j²)
///
/// so, with g = w · σ(−x):
///
///     ∂ℓ/∂p_u = −g (q_i − q_j) + β p_u    ∂ℓ/∂q_i = −g p_u + β q_i    ∂ℓ/∂q_j = g p_u + β q_j
///     ∂ℓ/∂b_i = −g + β_b b_i             ∂ℓ/∂b_j = g + β_b b_j
public enum RankingUpdate {
    /// Regularisation and step settings of one update.
    public struct Settings: Sendable {
        public var learningRate: Float
        public var regularization: Float
        public var biasRegularization: Float
        public var useBiases: Bool

        public init(learningRate: Float, regularization: Float, biasRegularization: Float, useBiases: Bool) {
            self.learningRate = learningRate
            self.regularization = regularization
            self.biasRegularization = biasRegularization
            self.useBiases = useBiases
        }
    }

    /// The triple weight of EBPR blended with BPR: (1 − λ) + λ E_ui (1 − E_uj).
    @inline(__always)
    public static func weight(positive ei: Float, negative ej: Float, lambda: Float) -> Float {
        (1 - lambda) + lambda * ei * (1 - min(ej, 1))
    }

    /// −log σ(x), computed without overflow.
    @inline(__always)
    public static func negativeLogSigmoid(_ x: Double) -> Double {
        x > 0 ? log1p(exp(-x)) : -x + log1p(exp(x))
    }

    /// log(1 + eˣ) in single precision, without overflow (−log σ(x) is softplus(−x)).
    @inline(__always)
    public static func softplus(_ x: Float) -> Float {
        max(x, 0) + log1pf(expf(-abs(x)))
    }

    /// ℓ for the triple (double precision, for tests and reports).
    public static func loss(
        p: [Float],
        qi: [Float],
        qj: [Float],
        bi: Float,
        bj: Float,
        weight w: Float,
        settings s: Settings
    ) -> Double {
        var x = 0.0
        var norms = 0.0
        for k in p.indices {
            x += Double(p[k]) * Double(qi[k] - qj[k])
            norms += Double(p[k] * p[k] + qi[k] * qi[k] + qj[k] * qj[k])
        }
        if s.useBiases { x += Double(bi - bj) }
        var l = Double(w) * negativeLogSigmoid(x) + Double(s.regularization) / 2 * norms
        if s.useBiases { l += Double(s.biasRegularization) / 2 * Double(bi * bi + bj * bj) }
        return l
    }
}
