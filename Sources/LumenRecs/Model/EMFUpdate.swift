/// The form of the explainability term that pulls p_u and q_i together.
public enum ExplainabilityPull: String, Sendable, Codable, CaseIterable {
    /// The paper's λ/2 · W · ‖p_u − q_i‖²: gradient −λW(p − q) on p, +λW(p − q) on q.
    /// The gap shrinks by (1 − 2αλW), and so do both norms.
    case distance
    /// −λ · W · p_u·q_i, the attractive half of the distance term without its norm penalty
    /// (λW(‖p‖² + ‖q‖²)/2, which β already covers): gradient +λW q on p, +λW p on q. The gap
    /// shrinks by (1 − αλW) while the pair's score rises instead of collapsing to the biases.
    case innerProduct = "inner-product"
}

/// The SGD update of EMF for one (user, item) pair, shared by training and tests.
///
/// With e = r − r̂ and the distance pull:
///   p_u ← p_u + α (2 e q_i − β p_u − λ W (p_u − q_i))
///   q_i ← q_i + α (2 e p_u − β q_i + λ W (p_u − q_i))
/// With the inner-product pull the last terms are + λ W q_i and + λ W p_u.
/// Either way the explainability term pulls p_u and q_i together: with e = β = 0 the gap
/// p_u − q_i is scaled by (1 − 2αλW) (distance) or (1 − αλW) (inner product), so it strictly
/// shrinks whenever 0 < αλW < 1.
public enum EMFUpdate {
    @inline(__always)
    public static func step(
        p: UnsafeMutablePointer<Float>,
        q: UnsafeMutablePointer<Float>,
        factors: Int,
        error e: Float,
        weight w: Float,
        learningRate a: Float,
        regularization beta: Float,
        lambda: Float,
        pull kind: ExplainabilityPull
    ) {
        let twoE = 2 * e
        let strength = lambda * w
        switch kind {
        case .distance:
            for k in 0..<factors {
                let pk = p[k]
                let qk = q[k]
                let gap = pk - qk
                p[k] = pk + a * (twoE * qk - beta * pk - strength * gap)
                q[k] = qk + a * (twoE * pk - beta * qk + strength * gap)
            }
        case .innerProduct:
            let toward = twoE + strength
            for k in 0..<factors {
                let pk = p[k]
                let qk = q[k]
                p[k] = pk + a * (toward * qk - beta * pk)
                q[k] = qk + a * (toward * pk - beta * qk)
            }
        }
    }

    /// The explainability term alone (e = 0, β = 0), used for unrated explainable pairs.
    @inline(__always)
    public static func pull(
        p: UnsafeMutablePointer<Float>,
        q: UnsafeMutablePointer<Float>,
        factors: Int,
        weight w: Float,
        learningRate a: Float,
        lambda: Float,
        kind: ExplainabilityPull
    ) {
        let s = a * lambda * w
        switch kind {
        case .distance:
            for k in 0..<factors {
                let gap = p[k] - q[k]
                p[k] -= s * gap
                q[k] += s * gap
            }
        case .innerProduct:
            for k in 0..<factors {
                let pk = p[k]
                let qk = q[k]
                p[k] = pk + s * qk
                q[k] = qk + s * pk
            }
        }
    }

    /// p · q.
    @inline(__always)
    public static func dot(_ p: UnsafePointer<Float>, _ q: UnsafePointer<Float>, factors: Int) -> Float {
        var s0: Float = 0
        var s1: Float = 0
        var s2: Float = 0
        var s3: Float = 0
        var k = 0
        while k + 4 <= factors {
            s0 += p[k] * q[k]
            s1 += p[k + 1] * q[k + 1]
            s2 += p[k + 2] * q[k + 2]
            s3 += p[k + 3] * q[k + 3]
            k += 4
        }
        while k < factors {
            s0 += p[k] * q[k]
            k += 1
        }
        return (s0 + s1) + (s2 + s3)
    }
}
