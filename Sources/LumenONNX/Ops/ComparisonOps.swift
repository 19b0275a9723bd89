import Foundation

/// Comparisons, logic and selection: Equal/Less/Greater(OrEqual), And/Or/Xor/Not, IsNaN/IsInf
/// and Where. Booleans travel as int64 0/1, as the runtime keeps every integer type.
enum ComparisonOps {
    static let kernels: [String: Kernel] = [
        "Equal": { n, v, _ in [try compare(n, v, ==, ==)] },
        "Less": { n, v, _ in [try compare(n, v, <, <)] },
        "LessOrEqual": { n, v, _ in [try compare(n, v, <=, <=)] },
        "Greater": { n, v, _ in [try compare(n, v, >, >)] },
        "GreaterOrEqual": { n, v, _ in [try compare(n, v, >=, >=)] },
        "And": { n, v, _ in [try compare(n, v, { $0 != 0 && $1 != 0 }, { $0 != 0 && $1 != 0 })] },
        "Or": { n, v, _ in [try compare(n, v, { $0 != 0 || $1 != 0 }, { $0 != 0 || $1 != 0 })] },
        "Xor": { n, v, _ in [try compare(n, v, { ($0 != 0) != ($1 != 0) }, { ($0 != 0) != ($1 != 0) })] },
        "Not": { n, v, _ in
            let x = try n.input(v, 0)
            return [.int64(shape: x.shape, data: x.ints.map { $0 == 0 ? 1 : 0 })]
        },
        "IsNaN": { n, v, _ in
            let x = try n.input(v, 0)
            return [.int64(shape: x.shape, data: x.floats.map { $0.isNaN ? 1 : 0 })]
        },
        "IsInf": { n, v, _ in
            let x = try n.input(v, 0)
            let negative = n.int("detect_negative", 1) == 1
            let positive = n.int("detect_positive", 1) == 1
            return [
                .int64(
                    shape: x.shape,
                    data: x.floats.map { ($0 == .infinity && positive) || ($0 == -.infinity && negative) ? 1 : 0 }
                )
            ]
        },
        "Where": { n, v, _ in
            let condition = try n.input(v, 0)
            let x = try n.input(v, 1)
            let y = try n.input(v, 2)
            let xy = try ElementwiseOps.broadcastShape(x.shape, y.shape, node: n)
            let shape = try ElementwiseOps.broadcastShape(condition.shape, xy, node: n)
            let ic = ElementwiseOps.broadcastIndex(condition.shape, to: shape)
            let ix = ElementwiseOps.broadcastIndex(x.shape, to: shape)
            let iy = ElementwiseOps.broadcastIndex(y.shape, to: shape)
            let c = condition.ints
            if x.isInteger && y.isInteger {
                let (a, b) = (x.ints, y.ints)
                return [.int64(shape: shape, data: ic.indices.map { c[ic[$0]] != 0 ? a[ix[$0]] : b[iy[$0]] })]
            }
            let (a, b) = (x.floats, y.floats)
            return [.float(shape: shape, data: ic.indices.map { c[ic[$0]] != 0 ? a[ix[$0]] : b[iy[$0]] })]
        },
    ]

    /// A broadcast comparison: on integers when both inputs are integer, else on floats.
    static func compare(
        _ n: Node,
        _ v: [Value?],
        _ f: (Float, Float) -> Bool,
        _ g: (Int64, Int64) -> Bool
    ) throws -> Value {
        let a = try n.input(v, 0)
        let b = try n.input(v, 1)
        let shape = try ElementwiseOps.broadcastShape(a.shape, b.shape, node: n)
        if a.isInteger && b.isInteger {
            return .int64(
                shape: shape,
                data: ElementwiseOps.broadcastAll(a.ints, a.shape, b.ints, b.shape, shape) { g($0, $1) ? 1 : 0 }
            )
        }
        return .int64(
            shape: shape,
            data: ElementwiseOps.broadcastAll(a.floats, a.shape, b.floats, b.shape, shape) { f($0, $1) ? 1 : 0 }
        )
    }
}
