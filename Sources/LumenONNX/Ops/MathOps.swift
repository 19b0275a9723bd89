import Foundation
import LumenKernels
import LumenNumerics

/// Element-wise maths beyond the activations: rounding, trigonometry, the ELU family, variadic
/// Min/Max/Sum/Mean, Mod and PRelu. Integer tensors stay integer where ONNX keeps them so.
enum MathOps {
    static let kernels: [String: Kernel] = [
        "Floor": { n, v, _ in [try integerOrFloat(n, v, integer: { $0 }, float: { Foundation.floor($0) })] },
        "Ceil": { n, v, _ in [try integerOrFloat(n, v, integer: { $0 }, float: { Foundation.ceil($0) })] },
        "Round": { n, v, _ in [try integerOrFloat(n, v, integer: { $0 }, float: { $0.rounded(.toNearestOrEven) })] },
        "Sign": { n, v, _ in
            [try integerOrFloat(n, v, integer: { $0.signum() }, float: { $0 > 0 ? 1 : $0 < 0 ? -1 : $0 })]
        },
        "Cos": { n, v, _ in [try ElementwiseOps.unary(n, v) { Foundation.cos($0) }] },
        "Sin": { n, v, _ in [try ElementwiseOps.unary(n, v) { Foundation.sin($0) }] },
        "Tan": { n, v, _ in [try ElementwiseOps.unary(n, v) { Foundation.tan($0) }] },
        "Acos": { n, v, _ in [try ElementwiseOps.unary(n, v) { Foundation.acos($0) }] },
        "Asin": { n, v, _ in [try ElementwiseOps.unary(n, v) { Foundation.asin($0) }] },
        "Atan": { n, v, _ in [try ElementwiseOps.unary(n, v) { Foundation.atan($0) }] },
        "Cosh": { n, v, _ in [try ElementwiseOps.unary(n, v) { Foundation.cosh($0) }] },
        "Sinh": { n, v, _ in [try ElementwiseOps.unary(n, v) { Foundation.sinh($0) }] },
        "Acosh": { n, v, _ in [try ElementwiseOps.unary(n, v) { Foundation.acosh($0) }] },
        "Asinh": { n, v, _ in [try ElementwiseOps.unary(n, v) { Foundation.asinh($0) }] },
        "Atanh": { n, v, _ in [try ElementwiseOps.unary(n, v) { Foundation.atanh($0) }] },
        "Elu": { n, v, _ in
            let alpha = n.float("alpha", 1)
            return [try ElementwiseOps.unary(n, v) { $0 >= 0 ? $0 : alpha * (Foundation.exp($0) - 1) }]
        },
        "Celu": { n, v, _ in
            let alpha = n.float("alpha", 1)
            return [try ElementwiseOps.unary(n, v) { max(0, $0) + min(0, alpha * (Foundation.exp($0 / alpha) - 1)) }]
        },
        "Selu": { n, v, _ in
            let alpha = n.float("alpha", 1.67326319217681884765625)
            let gamma = n.float("gamma", 1.05070102214813232421875)
            return [try ElementwiseOps.unary(n, v) { gamma * ($0 > 0 ? $0 : alpha * (Foundation.exp($0) - 1)) }]
        },
        "Softplus": { n, v, _ in
            // log(1 + eˣ) without overflow for large x.
            [try ElementwiseOps.unary(n, v) { $0 > 20 ? $0 : Foundation.log1p(Foundation.exp($0)) }]
        },
        "Softsign": { n, v, _ in [try ElementwiseOps.unary(n, v) { $0 / (1 + Swift.abs($0)) }] },
        "ThresholdedRelu": { n, v, _ in
            let alpha = n.float("alpha", 1)
            return [try ElementwiseOps.unary(n, v) { $0 > alpha ? $0 : 0 }]
        },
        "Gelu": { n, v, _ in
            // Opset 20's Gelu, and what the optimiser fuses an exported erf-GELU into.
            switch n.string("approximate", "none") {
            case "none":
                guard n.fast != nil, case .float(let shape, var data) = try n.input(v, 0) else {
                    return [
                        try ElementwiseOps.unary(n, v) { 0.5 * $0 * (1 + Foundation.erf($0 / Float(2).squareRoot())) }
                    ]
                }
                data.withUnsafeMutableBufferPointer { d in
                    if let base = d.baseAddress {
                        VectorActivations.gelu(base, base, count: d.count, workers: Parallel.workers)
                    }
                }
                return [.float(shape: shape, data: data)]
            case "tanh":
                let c = Float(2 / Double.pi).squareRoot()
                return [
                    try ElementwiseOps.unary(n, v) {
                        0.5 * $0 * (1 + Foundation.tanh(c * ($0 + 0.044715 * $0 * $0 * $0)))
                    }
                ]
            case let other:
                throw n.fail("approximate '\(other)' is not 'none' or 'tanh'")
            }
        },
        "Mish": { n, v, _ in
            [
                try ElementwiseOps.unary(n, v) {
                    $0 * Foundation.tanh($0 > 20 ? $0 : Foundation.log1p(Foundation.exp($0)))
                }
            ]
        },
        "Shrink": { n, v, _ in
            let bias = n.float("bias", 0)
            let lambd = n.float("lambd", 0.5)
            return [try ElementwiseOps.unary(n, v) { $0 < -lambd ? $0 + bias : $0 > lambd ? $0 - bias : 0 }]
        },
        "PRelu": { n, v, _ in
            [
                try ElementwiseOps.binary(
                    n,
                    v,
                    { x, slope in x < 0 ? slope * x : x },
                    { x, slope in x < 0 ? slope &* x : x }
                )
            ]
        },
        "Mod": { n, v, _ in
            let fmod = n.int("fmod", 0) == 1
            let a = try n.input(v, 0)
            let b = try n.input(v, 1)
            if a.isInteger && b.isInteger && !fmod {
                // Integer Mod takes the sign of the divisor (Python's %); x mod 0 is 0 here.
                return [try ElementwiseOps.binary(n, v, { a, _ in a }, floorMod)]
            }
            if fmod {
                return [try ElementwiseOps.binary(n, v, { Foundation.fmod($0, $1) }, truncMod)]
            }
            return [
                try ElementwiseOps.binary(
                    n,
                    v,
                    { a, b in
                        let r = Foundation.fmod(a, b)
                        return r != 0 && (r < 0) != (b < 0) ? r + b : r
                    },
                    floorMod
                )
            ]
        },
        "Max": { n, v, _ in [try variadic(n, v, { Swift.max($0, $1) }, { Swift.max($0, $1) })] },
        "Min": { n, v, _ in [try variadic(n, v, { Swift.min($0, $1) }, { Swift.min($0, $1) })] },
        "Sum": { n, v, _ in [try variadic(n, v, +, &+)] },
        "Mean": { n, v, _ in
            let inputs = v.compactMap { $0 }
            let sum = try variadic(n, v, +, &+)
            let scale = 1 / Float(max(inputs.count, 1))
            return [.float(shape: sum.shape, data: sum.floats.map { $0 * scale })]
        },
    ]

    static func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
        guard b != 0 else { return 0 }
        let r = a.remainderReportingOverflow(dividingBy: b).partialValue
        return r != 0 && (r < 0) != (b < 0) ? r &+ b : r
    }

    static func truncMod(_ a: Int64, _ b: Int64) -> Int64 {
        b == 0 ? 0 : a.remainderReportingOverflow(dividingBy: b).partialValue
    }

    /// `f` on a float tensor, `g` on an integer one (which stays integer).
    static func integerOrFloat(
        _ n: Node,
        _ v: [Value?],
        integer g: (Int64) -> Int64,
        float f: (Float) -> Float
    ) throws -> Value {
        if case .int64(let shape, let data) = try n.input(v, 0) { return .int64(shape: shape, data: data.map(g)) }
        return try ElementwiseOps.unary(n, v, f)
    }

    /// A left fold of every given input with NumPy broadcasting (Max, Min, Sum).
    static func variadic(
        _ n: Node,
        _ v: [Value?],
        _ f: @escaping (Float, Float) -> Float,
        _ g: @escaping (Int64, Int64) -> Int64
    ) throws -> Value {
        let inputs = v.compactMap { $0 }
        guard var result = inputs.first else { throw ONNXError.missing("inputs of node '\(n.name)' (\(n.op))") }
        for next in inputs.dropFirst() {
            result = try ElementwiseOps.binary(n, [result, next], f, g)
        }
        if inputs.count == 1, !result.isInteger { return .float(shape: result.shape, data: result.floats) }
        return result
    }
}
