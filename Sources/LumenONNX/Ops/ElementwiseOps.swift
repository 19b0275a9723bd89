import Foundation
import LumenIO
import LumenKernels
import LumenNumerics

/// Element-wise arithmetic with NumPy broadcasting, and activations.
enum ElementwiseOps {
    static let kernels: [String: Kernel] = [
        // Integer arithmetic wraps (as int64 does in onnxruntime) instead of trapping on overflow;
        // integer division truncates, x / 0 is 0.
        "Add": { n, v, _ in [try binary(n, v, +, &+)] },
        "Sub": { n, v, _ in [try binary(n, v, -, &-)] },
        "Mul": { n, v, _ in [try binary(n, v, *, &*)] },
        "Div": { n, v, _ in
            [try binary(n, v, /, { $1 == 0 ? 0 : $0.dividedReportingOverflow(by: $1).partialValue })]
        },
        "Relu": { n, v, _ in [try unary(n, v) { max($0, 0) }] },
        "LeakyRelu": { n, v, _ in
            let alpha = n.float("alpha", 0.01)
            return [try unary(n, v) { $0 >= 0 ? $0 : alpha * $0 }]
        },
        "Sigmoid": { n, v, _ in
            if n.fast != nil, case .float(let shape, var data)? = v.first ?? nil {
                data.withUnsafeMutableBufferPointer { d in
                    VectorActivations.sigmoid(d.baseAddress!, d.baseAddress!, count: d.count)
                }
                return [.float(shape: shape, data: data)]
            }
            return [try unary(n, v) { 1 / (1 + exp(-$0)) }]
        },
        "HardSigmoid": { n, v, _ in
            let alpha = n.float("alpha", 0.2)
            let beta = n.float("beta", 0.5)
            return [try unary(n, v) { max(0, min(1, alpha * $0 + beta)) }]
        },
        "HardSwish": { n, v, _ in [try unary(n, v) { $0 * max(0, min(1, $0 / 6 + 0.5)) }] },
        "Tanh": { n, v, _ in [try unary(n, v) { tanh($0) }] },
        "Clip": { n, v, opset in
            var lo = -Float.infinity
            var hi = Float.infinity
            if opset >= 11 {
                if v.count > 1, let m = v[1] { lo = m.floats.first ?? lo }
                if v.count > 2, let m = v[2] { hi = m.floats.first ?? hi }
            } else {
                lo = n.float("min", lo)
                hi = n.float("max", hi)
            }
            let input = try n.input(v, 0)
            if case .int64(let shape, let data) = input {
                return [.int64(shape: shape, data: data.map { Value.saturatingInt64(min(max(Float($0), lo), hi)) })]
            }
            guard case .float(let shape, var data) = input else { return [try unary(n, v) { min(max($0, lo), hi) }] }
            data.withUnsafeMutableBufferPointer { d in
                for i in 0..<d.count { d[i] = Swift.min(Swift.max(d[i], lo), hi) }
            }
            return [.float(shape: shape, data: data)]
        },
        "Identity": { n, v, _ in [try n.input(v, 0)] },
        "Pow": { n, v, _ in
            [
                try binary(
                    n,
                    v,
                    { Foundation.pow($0, $1) },
                    { a, b in b < 0 ? 0 : Int64(clamping: Int(exactly: Foundation.pow(Double(a), Double(b))) ?? .max) }
                )
            ]
        },
        "Sqrt": { n, v, _ in [try unary(n, v) { $0.squareRoot() }] },
        "Erf": { n, v, _ in
            guard n.fast != nil, case .float(let shape, var data) = try n.input(v, 0) else {
                return [try unary(n, v) { Foundation.erf($0) }]
            }
            data.withUnsafeMutableBufferPointer { d in
                if let base = d.baseAddress {
                    VectorActivations.erf(base, base, count: d.count, workers: Parallel.workers)
                }
            }
            return [.float(shape: shape, data: data)]
        },
        "Exp": { n, v, _ in [try unary(n, v) { Foundation.exp($0) }] },
        "Log": { n, v, _ in [try unary(n, v) { Foundation.log($0) }] },
        "Neg": { n, v, _ in
            if case .int64(let shape, let data) = try n.input(v, 0) {
                return [.int64(shape: shape, data: data.map { 0 &- $0 })]
            }
            return [try unary(n, v) { -$0 }]
        },
        "Abs": { n, v, _ in [try unary(n, v) { Swift.abs($0) }] },
        "Reciprocal": { n, v, _ in [try unary(n, v) { 1 / $0 }] },
        "Gelu": { n, v, _ in
            switch n.string("approximate", "none") {
            case "none": return [try unary(n, v) { 0.5 * $0 * (1 + Foundation.erf($0 / Float(2).squareRoot())) }]
            case "tanh":
                let c = Float(2 / Double.pi).squareRoot()
                return [try unary(n, v) { 0.5 * $0 * (1 + Foundation.tanh(c * ($0 + 0.044715 * $0 * $0 * $0))) }]
            case let other: throw ONNXError.unsupported(node: n.name, op: n.op, reason: "Gelu approximate '\(other)'")
            }
        },
    ]

    @inline(__always)
    static func unary(_ n: Node, _ v: [Value?], _ f: (Float) -> Float) throws -> Value {
        let x = try n.input(v, 0)
        var data = x.floats
        data.withUnsafeMutableBufferPointer { d in
            guard let base = d.baseAddress else { return }
            split(d.count) { range in
                for i in range { base[i] = f(base[i]) }
            }
        }
        return .float(shape: x.shape, data: data)
    }

    /// Runs `body` on near-equal parts of 0..<count over the spinning pool's threads when the
    /// tensor is large (≥ 64 Ki elements a part), else inline. Element-wise results do not
    /// depend on the split.
    @inline(__always)
    static func split(_ count: Int, _ body: (Range<Int>) -> Void) {
        let parts = Swift.min(Parallel.workers, SpinningPool.shared.width, count / 65_536)
        guard parts > 1 else {
            body(0..<count)
            return
        }
        SpinningPool.shared.run(parts: parts) { body(Parallel.share(count, part: $0, of: parts)) }
    }
}
