import Foundation

/// Distribution functions the drift tests need, written from their textbook definitions.
enum SpecialFunctions {
    /// Survival function of the Kolmogorov distribution, P(K > z) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²z²},
    /// with the Jacobi-theta form for small z where the alternating series converges slowly.
    static func kolmogorovSurvival(_ z: Double) -> Double {
        guard z > 0 else { return 1 }
        if z < 1.18 {
            // P(K ≤ z) = √(2π)/z Σ_{k≥1} exp(−(2k−1)²π²/(8z²)).
            let w = -Double.pi * Double.pi / (8 * z * z)
            var sum = 0.0
            for k in 1...40 {
                let t = exp(Double((2 * k - 1) * (2 * k - 1)) * w)
                sum += t
                if t < 1e-300 { break }
            }
            return 1 - (2 * Double.pi).squareRoot() / z * sum
        }
        var sum = 0.0
        for k in 1...100 {
            let term = exp(-2 * Double(k * k) * z * z)
            sum += (k % 2 == 1 ? term : -term)
            if term < 1e-300 { break }
        }
        return min(1, max(0, 2 * sum))
    }

    /// Regularised upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a): series for x < a + 1, Lentz's
    /// continued fraction otherwise.
    static func gammaQ(_ a: Double, _ x: Double) -> Double {
        guard x > 0 else { return 1 }
        let logPrefix = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            var term = 1 / a
            var sum = term
            var n = a
            for _ in 0..<10_000 {
                n += 1
                term *= x / n
                sum += term
                if abs(term) < abs(sum) * 1e-17 { break }
            }
            return max(0, 1 - sum * exp(logPrefix))
        }
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-17 { break }
        }
        return exp(logPrefix) * h
    }

    /// P(χ²_k > x).
    static func chiSquaredSurvival(_ x: Double, degrees k: Double) -> Double {
        gammaQ(k / 2, x / 2)
    }
}
