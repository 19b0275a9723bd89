import LumenNumerics

/// Activations over whole tensors with the vector `exp`, 16 floats at a time.
public enum VectorActivations {
    /// `y = 1 / (1 + e^-x)`; `x` and `y` may be the same buffer.
    public static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(y + i).storeBytes(of: 1 / (1 + VectorMath.exp(-v)), as: SIMD16<Float>.self)
            i += 16
        }
        if i < count {
            var tail = SIMD16<Float>()
            for k in 0..<(count - i) { tail[k] = x[i + k] }
            let result = 1 / (1 + VectorMath.exp(-tail))
            for k in 0..<(count - i) { y[i + k] = result[k] }
        }
    }

    /// The Gauss error function, `x` and `y` possibly the same buffer, split over `workers`
    /// for large tensors: erf(x) ≈ x·P(x²)/Q(x²) for |x| ≤ 4 (±1 beyond), a rational fit on
    /// [0, 4] (scripts/fit-erf.py) whose worst error in float32 is 3.4e-7 relative.
    public static func erf(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, workers: Int) {
        map(x, y, count: count, workers: workers, erf16)
    }

    /// GELU, `x · Φ(x) = ½ · x · (1 + erf(x / √2))`, with the same vector erf; `x` and `y` may be
    /// the same buffer.
    public static func gelu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, workers: Int) {
        map(x, y, count: count, workers: workers) { v in
            let half = SIMD16<Float>(repeating: 0.5)
            return half * v * (1 + erf16(v * SIMD16(repeating: 0.707_106_781_186_547_5)))
        }
    }

    /// `f` over 16 floats at a time, split over `workers` for large tensors (32 Ki floats a part).
    @inline(__always)
    static func map(
        _ x: UnsafePointer<Float>,
        _ y: UnsafeMutablePointer<Float>,
        count: Int,
        workers: Int,
        _ f: (SIMD16<Float>) -> SIMD16<Float>
    ) {
        let parts = Swift.max(1, Swift.min(workers, count / 32_768))
        parallel(workers: parts) { part, parts in
            let range = Parallel.share(count, part: part, of: parts)
            let (x, y, count) = (x + range.lowerBound, y + range.lowerBound, range.count)
            var i = 0
            while i + 16 <= count {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(y + i).storeBytes(of: f(v), as: SIMD16<Float>.self)
                i += 16
            }
            if i < count {
                var tail = SIMD16<Float>()
                for k in 0..<(count - i) { tail[k] = x[i + k] }
                let result = f(tail)
                for k in 0..<(count - i) { y[i + k] = result[k] }
            }
        }
    }

    /// erf of 16 floats (NaN stays NaN, ±infinity gives ±1).
    @inline(__always)
    static func erf16(_ v: SIMD16<Float>) -> SIMD16<Float> {
        // Clamps by comparison and select: the standard library's `clamped` on SIMD16 goes
        // through its generic pointwiseMin/Max, out of line, a call per vector.
        let four = SIMD16<Float>(repeating: 4)
        let a = v.replacing(with: -v, where: v .< 0)
        let c = a.replacing(with: four, where: a .> four)
        let s = c * c
        var p = SIMD16<Float>(repeating: -1.336041588e-08)
        for k in [4.715144769e-06, 3.808602632e-04, 3.856480587e-03, 5.435403064e-02, 1.852799654e-01, 1.128379226]
            as [Float]
        { p = p * s + SIMD16(repeating: k) }
        var q = SIMD16<Float>(repeating: 6.340382242e-05)
        for k in [1.310693333e-03, 1.547985245e-02, 1.140140295e-01, 4.975335002e-01, 1] as [Float] {
            q = q * s + SIMD16(repeating: k)
        }
        let ratio = c * p / q
        let r = ratio.replacing(with: .one, where: ratio .> .one).replacing(
            with: SIMD16<Float>(),
            where: ratio .< 0
        )
        return r.replacing(with: -r, where: v .< 0).replacing(with: v, where: .!(v .== v))
    }

    /// Softmax in place over `dim` values spaced `inner` apart, for each of `outer` × `inner`
    /// groups (the layout of a softmax along one axis). Vectorised across neighbouring groups
    /// when `inner` ≥ 16, else along the axis.
    public static func softmax(_ data: UnsafeMutablePointer<Float>, outer: Int, dim: Int, inner: Int) {
        for o in 0..<outer {
            let block = data + o * dim * inner
            var i = 0
            while i + 16 <= inner {
                let base = block + i
                @inline(__always) func load(_ k: Int) -> SIMD16<Float> {
                    UnsafeRawPointer(base + k * inner).loadUnaligned(as: SIMD16<Float>.self)
                }
                @inline(__always) func store(_ k: Int, _ v: SIMD16<Float>) {
                    UnsafeMutableRawPointer(base + k * inner).storeBytes(of: v, as: SIMD16<Float>.self)
                }
                var peak = SIMD16<Float>(repeating: -.infinity)
                for k in 0..<dim {
                    let v = load(k)
                    peak = peak.replacing(with: v, where: v .> peak)
                }
                var total = SIMD16<Float>()
                for k in 0..<dim {
                    let e = VectorMath.exp(load(k) - peak)
                    store(k, e)
                    total += e
                }
                let scale = 1 / total
                for k in 0..<dim { store(k, load(k) * scale) }
                i += 16
            }
            for j in i..<inner { softmaxAlongAxis(block + j, dim: dim, stride: inner) }
        }
    }

    /// One group: 16 axis values at a time.
    static func softmaxAlongAxis(_ base: UnsafeMutablePointer<Float>, dim: Int, stride: Int) {
        var peak = -Float.infinity
        for k in 0..<dim { peak = Swift.max(peak, base[k * stride]) }
        var total: Float = 0
        var k = 0
        while k < dim {
            let n = Swift.min(16, dim - k)
            var v = SIMD16<Float>(repeating: -.infinity)
            for j in 0..<n { v[j] = base[(k + j) * stride] - peak }
            let e = VectorMath.exp(v)
            for j in 0..<n {
                base[(k + j) * stride] = e[j]
                total += e[j]
            }
            k += 16
        }
        for k in 0..<dim { base[k * stride] /= total }
    }
}
