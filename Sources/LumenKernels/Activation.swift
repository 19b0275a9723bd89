/// What a kernel does to each output value after the sum and the bias: nothing, a clamp
/// (ReLU, ReLU6, Clip) or SiLU (`x · sigmoid(x)`), applied while the values are in registers.
public enum Activation: Sendable, Equatable {
    case none
    case clamp(lower: Float, upper: Float)
    case silu
}

/// An activation applied to 16 floats at a time.
public protocol VectorFunction: Sendable {
    func callAsFunction(_ v: SIMD16<Float>) -> SIMD16<Float>
}

/// No activation.
struct Linear: VectorFunction {
    @inline(__always) func callAsFunction(_ v: SIMD16<Float>) -> SIMD16<Float> { v }
}

/// `min(max(v, lower), upper)`.
struct Clamp: VectorFunction {
    let lower: Float, upper: Float
    @inline(__always) func callAsFunction(_ v: SIMD16<Float>) -> SIMD16<Float> { VectorMath.clamp(v, lower, upper) }
}

/// `v · sigmoid(v)`.
struct SiLU: VectorFunction {
    @inline(__always) func callAsFunction(_ v: SIMD16<Float>) -> SIMD16<Float> { v / (1 + VectorMath.exp(-v)) }
}

/// Elementwise functions on 16 floats at a time.
public enum VectorMath {
    /// `min(max(v, lower), upper)` lanewise, NaN passing through. (The standard library's
    /// `clamped` and `pointwiseMin` are lane-by-lane loops; compare-and-blend is one instruction each.)
    @inline(__always)
    public static func clamp(_ v: SIMD16<Float>, _ lower: Float, _ upper: Float) -> SIMD16<Float> {
        let low = SIMD16<Float>(repeating: lower)
        let high = SIMD16<Float>(repeating: upper)
        let raised = v.replacing(with: low, where: v .< low)
        return raised.replacing(with: high, where: raised .> high)
    }

    /// `e^x`, lanewise, to about 2 ulp over the float range; inputs are clamped to
    /// [-87.3, 88.3], so results neither overflow to infinity nor flush to zero.
    /// Range reduction `x = n·ln 2 + r` with |r| ≤ ln 2 / 2 (ln 2 split in two parts for
    /// accuracy), a degree-6 polynomial for `e^r`, and `2^n` built in the exponent bits.
    @inline(__always)
    public static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let x = clamp(x, -87.3, 88.3)
        // Adding 1.5·2^23 rounds to an integer and leaves it in the low mantissa bits.
        let magic = SIMD16<Float>(repeating: 12_582_912)
        let t = x * 1.442_695_04 + magic
        let n = t - magic
        let r = x - n * 0.693_359_375 + n * 2.121_944_40e-4
        var p = SIMD16<Float>(repeating: 1.987_569_150_0e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * r * r + r + 1
        let bits = unsafeBitCast(t, to: SIMD16<UInt32>.self) &<< 23 &+ SIMD16(repeating: 127 << 23)
        return p * unsafeBitCast(bits, to: SIMD16<Float>.self)
    }
}
