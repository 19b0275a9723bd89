/// Shape arithmetic on int64 tensors (evaluated like any other node, so dynamic-shape exports run).
enum ShapeOps {
    static let kernels: [String: Kernel] = [
        "Shape": { n, v, _ in
            let shape = try n.input(v, 0).shape
            let rank = shape.count
            var start = n.int("start", 0)
            var end = n.int("end", rank)
            if start < 0 { start += rank }
            if end < 0 { end += rank }
            start = min(max(start, 0), rank)
            end = min(max(end, start), rank)
            return [.int64(shape: [end - start], data: shape[start..<end].map { Int64($0) })]
        },
        "Constant": { n, _, _ in
            switch n.attributes["value"] ?? n.attributes["value_float"] ?? n.attributes["value_floats"] ?? n.attributes[
                "value_int"
            ] ?? n.attributes["value_ints"] {
            case .tensor(let t)?: return [t]
            case .float(let f)?: return [.float(shape: [], data: [f])]
            case .floats(let f)?: return [.float(shape: [f.count], data: f)]
            case .int(let i)? where n.attributes["value_int"] != nil: return [.int64(shape: [], data: [Int64(i)])]
            case .ints(let i)?: return [.int64(shape: [i.count], data: i.map { Int64($0) })]
            default:
                throw ONNXError.unsupported(
                    node: n.name,
                    op: n.op,
                    reason: "Constant needs a value, value_float(s) or value_int(s) attribute"
                )
            }
        },
        "ConstantOfShape": { n, v, _ in
            let shape = try n.input(v, 0).ints.map { Int($0) }
            let count = try n.count(shape)
            if case .tensor(let t)? = n.attributes["value"] {
                if t.isInteger {
                    return [.int64(shape: shape, data: [Int64](repeating: t.ints.first ?? 0, count: count))]
                }
                return [.float(shape: shape, data: [Float](repeating: t.floats.first ?? 0, count: count))]
            }
            return [.float(shape: shape, data: [Float](repeating: 0, count: count))]
        },
        "Cast": { n, v, _ in
            let x = try n.input(v, 0)
            // Floats narrow to the target's precision; integers truncate toward zero and wrap to
            // the target's width; bool is x ≠ 0.
            let wrap: ((Int64) -> Int64)? =
                switch n.int("to", 1) {
                case 2: { Int64(UInt8(truncatingIfNeeded: $0)) }
                case 3: { Int64(Int8(truncatingIfNeeded: $0)) }
                case 4: { Int64(UInt16(truncatingIfNeeded: $0)) }
                case 5: { Int64(Int16(truncatingIfNeeded: $0)) }
                case 6: { Int64(Int32(truncatingIfNeeded: $0)) }
                case 12: { Int64(UInt32(truncatingIfNeeded: $0)) }
                case 7, 13: { $0 }
                default: nil
                }
            if let wrap { return [.int64(shape: x.shape, data: x.ints.map(wrap))] }
            switch n.int("to", 1) {
            case 1, 11: return [.float(shape: x.shape, data: x.floats)]
            case 10: return [.float(shape: x.shape, data: x.floats.map { Float(Float16($0)) })]
            case 16: return [.float(shape: x.shape, data: x.floats.map(Value.bfloat16Rounded))]
            case 9:
                if x.isInteger { return [.int64(shape: x.shape, data: x.ints.map { $0 != 0 ? 1 : 0 })] }
                return [.int64(shape: x.shape, data: x.floats.map { $0 != 0 ? 1 : 0 })]
            case let to:
                throw ONNXError.unsupported(node: n.name, op: n.op, reason: "cast to data type \(to) is not supported")
            }
        },
        "Range": { n, v, _ in
            let start = try n.input(v, 0)
            let limit = try n.input(v, 1)
            let delta = try n.input(v, 2)
            if start.isInteger {
                let s = start.ints[0]
                let l = limit.ints[0]
                let d = delta.ints[0]
                guard d != 0 else { throw n.fail("Range with delta 0") }
                // ⌈(l − s) / d⌉, where l − s itself may overflow.
                let (span, overflow) = l.subtractingReportingOverflow(s)
                let (quotient, tooBig) = span.dividedReportingOverflow(by: d)
                let steps =
                    overflow || tooBig
                    ? Int64.max : (span == 0 || (span > 0) != (d > 0) ? 0 : quotient + (span % d == 0 ? 0 : 1))
                let count = try n.count([Int(steps)])
                return [.int64(shape: [count], data: (0..<count).map { s + Int64($0) * d })]
            }
            let s = start.floats[0]
            let l = limit.floats[0]
            let d = delta.floats[0]
            guard d != 0, d.isFinite, s.isFinite, l.isFinite else {
                throw n.fail("Range with start \(s), limit \(l), delta \(d)")
            }
            let count = try n.count([max(0, checkedInt(Double((l - s) / d).rounded(.up)) ?? Int.max)])
            return [.float(shape: [count], data: (0..<count).map { s + Float($0) * d })]
        },
    ]
}
