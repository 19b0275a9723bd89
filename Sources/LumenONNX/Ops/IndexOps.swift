import Foundation

/// Operators that move or pick elements by index: GatherElements, ScatterElements, Tile,
/// DepthToSpace, SpaceToDepth, TopK, CumSum, Trilu, OneHot, NonZero, Size and Dropout
/// (inference: the identity). Every index read from a tensor is checked against its axis.
enum IndexOps {
    static let kernels: [String: Kernel] = [
        "GatherElements": { n, v, _ in
            let x = try n.input(v, 0)
            let indices = try n.input(v, 1)
            let axis = try n.axis(n.int("axis", 0), rank: x.shape.count)
            guard indices.shape.count == x.shape.count else {
                throw n.fail("indices \(indices.shape) vs data \(x.shape)")
            }
            let s = strides(x.shape)
            let chosen = indices.ints
            let picks = try positions(indices.shape).enumerated().map { k, position in
                var offset = 0
                for d in position.indices {
                    offset += (d == axis ? try index(chosen[k], x.shape[axis], n) : position[d]) * s[d]
                    guard d == axis || position[d] < x.shape[d] else {
                        throw n.fail("indices \(indices.shape) exceed \(x.shape)")
                    }
                }
                return offset
            }
            return [select(x, picks, shape: indices.shape)]
        },
        "ScatterElements": { n, v, _ in
            let x = try n.input(v, 0)
            let indices = try n.input(v, 1)
            let updates = try n.input(v, 2)
            let axis = try n.axis(n.int("axis", 0), rank: x.shape.count)
            guard indices.shape == updates.shape, indices.shape.count == x.shape.count else {
                throw n.fail("indices \(indices.shape) and updates \(updates.shape) do not fit data \(x.shape)")
            }
            let combine: (Float, Float) -> Float
            let combineInts: (Int64, Int64) -> Int64
            switch n.string("reduction", "none") {
            case "none": (combine, combineInts) = ({ $1 }, { $1 })
            case "add": (combine, combineInts) = (+, &+)
            case "mul": (combine, combineInts) = (*, &*)
            case "max": (combine, combineInts) = ({ Swift.max($0, $1) }, { Swift.max($0, $1) })
            case "min": (combine, combineInts) = ({ Swift.min($0, $1) }, { Swift.min($0, $1) })
            case let other:
                throw ONNXError.unsupported(node: n.name, op: n.op, reason: "ScatterElements reduction '\(other)'")
            }
            let s = strides(x.shape)
            var out = x.floats
            var outInts = x.ints
            let (u, ui, chosen) = (updates.floats, updates.ints, indices.ints)
            for (k, position) in positions(indices.shape).enumerated() {
                var offset = 0
                for d in position.indices {
                    guard d == axis || position[d] < x.shape[d] else {
                        throw n.fail("indices \(indices.shape) exceed \(x.shape)")
                    }
                    offset += (d == axis ? try index(chosen[k], x.shape[axis], n) : position[d]) * s[d]
                }
                (out[offset], outInts[offset]) = (combine(out[offset], u[k]), combineInts(outInts[offset], ui[k]))
            }
            return [x.isInteger ? .int64(shape: x.shape, data: outInts) : .float(shape: x.shape, data: out)]
        },
        "Tile": { n, v, _ in
            let x = try n.input(v, 0)
            let repeats = try n.input(v, 1).ints.map { Int(clamping: $0) }
            guard repeats.count == x.shape.count, repeats.allSatisfy({ $0 >= 0 }) else {
                throw n.fail("repeats \(repeats) do not fit \(x.shape)")
            }
            var shape: [Int] = []
            for (d, r) in zip(x.shape, repeats) {
                let (product, overflow) = d.multipliedReportingOverflow(by: r)
                guard !overflow else { throw n.fail("tiling \(x.shape) by \(repeats) overflows") }
                shape.append(product)
            }
            _ = try n.count(shape)
            let s = strides(x.shape)
            let picks = positions(shape).map { p in p.indices.reduce(0) { $0 + (p[$1] % x.shape[$1]) * s[$1] } }
            return [select(x, picks, shape: shape)]
        },
        "DepthToSpace": { n, v, _ in
            let x = try n.input(v, 0)
            let b = n.int("blocksize", 0)
            guard x.shape.count == 4, b > 0, b <= ONNXLimits.dimension, x.shape[1] % (b * b) == 0 else {
                throw n.fail("blocksize \(b) does not divide the channels of \(x.shape)")
            }
            let (batch, c, h, w) = (x.shape[0], x.shape[1] / (b * b), x.shape[2], x.shape[3])
            let crd = n.string("mode", "DCR") == "CRD"
            let shape = [batch, c, h * b, w * b]
            _ = try n.count(shape)
            let picks = positions(shape).map { p in
                let (y, xx) = (p[2], p[3])
                let (by, bx) = (y % b, xx % b)
                let channel = crd ? (p[1] * b * b + by * b + bx) : ((by * b + bx) * c + p[1])
                return ((p[0] * x.shape[1] + channel) * h + y / b) * w + xx / b
            }
            return [select(x, picks, shape: shape)]
        },
        "SpaceToDepth": { n, v, _ in
            let x = try n.input(v, 0)
            let b = n.int("blocksize", 0)
            guard x.shape.count == 4, b > 0, b <= ONNXLimits.dimension, x.shape[2] % b == 0, x.shape[3] % b == 0,
                x.shape[1] <= Int.max / (b * b)
            else {
                throw n.fail("blocksize \(b) does not divide the height and width of \(x.shape)")
            }
            let (c, h, w) = (x.shape[1], x.shape[2], x.shape[3])
            let shape = [x.shape[0], c * b * b, h / b, w / b]
            let picks = positions(shape).map { p in
                let (block, channel) = (p[1] / c, p[1] % c)
                let (by, bx) = (block / b, block % b)
                return ((p[0] * c + channel) * h + p[2] * b + by) * w + p[3] * b + bx
            }
            return [select(x, picks, shape: shape)]
        },
        "TopK": { n, v, _ in
            let x = try n.input(v, 0)
            let k = Int(clamping: try n.input(v, 1).ints.first ?? -1)
            let axis = try n.axis(n.int("axis", -1), rank: x.shape.count)
            let largest = n.int("largest", 1) == 1
            guard k >= 0, k <= x.shape[axis] else { throw n.fail("k = \(k) for an axis of \(x.shape[axis])") }
            let (dim, inner) = (x.shape[axis], x.shape.suffix(from: axis + 1).reduce(1, *))
            let outer = x.shape.prefix(axis).reduce(1, *)
            let data = x.floats
            var picks: [Int] = []
            var found: [Int64] = []
            picks.reserveCapacity(outer * k * inner)
            var chosen = [Int](repeating: 0, count: outer * inner * k)
            for o in 0..<outer {
                for i in 0..<inner {
                    let base = o * dim * inner + i
                    // Ties keep the lower index first, as onnxruntime does.
                    let order = (0..<dim).sorted { a, b in
                        let (va, vb) = (data[base + a * inner], data[base + b * inner])
                        return va == vb ? a < b : (largest ? va > vb : va < vb)
                    }
                    for j in 0..<k { chosen[(o * k + j) * inner + i] = order[j] }
                }
            }
            for o in 0..<outer {
                for j in 0..<k {
                    for i in 0..<inner {
                        let index = chosen[(o * k + j) * inner + i]
                        picks.append(o * dim * inner + index * inner + i)
                        found.append(Int64(index))
                    }
                }
            }
            var shape = x.shape
            shape[axis] = k
            return [select(x, picks, shape: shape), .int64(shape: shape, data: found)]
        },
        "CumSum": { n, v, _ in
            let x = try n.input(v, 0)
            let axis = try n.axis(Int(clamping: try n.input(v, 1).ints.first ?? 0), rank: x.shape.count)
            let exclusive = n.int("exclusive", 0) == 1
            let reverse = n.int("reverse", 0) == 1
            let (dim, inner) = (x.shape[axis], x.shape.suffix(from: axis + 1).reduce(1, *))
            let outer = x.shape.prefix(axis).reduce(1, *)
            func scan<T: AdditiveArithmetic>(_ data: [T], _ add: (T, T) -> T) -> [T] {
                var out = data
                for o in 0..<outer {
                    for i in 0..<inner {
                        var total = T.zero
                        for step in 0..<dim {
                            let k = reverse ? dim - 1 - step : step
                            let at = (o * dim + k) * inner + i
                            let value = data[at]
                            if exclusive { out[at] = total }
                            total = add(total, value)
                            if !exclusive { out[at] = total }
                        }
                    }
                }
                return out
            }
            if case .int64(let shape, let data) = x { return [.int64(shape: shape, data: scan(data, &+))] }
            return [.float(shape: x.shape, data: scan(x.floats, +))]
        },
        "Trilu": { n, v, _ in
            let x = try n.input(v, 0)
            guard x.shape.count >= 2 else { throw n.fail("Trilu needs a matrix, got \(x.shape)") }
            let k = v.count > 1 ? Int(clamping: v[1]?.ints.first ?? 0) : 0
            let upper = n.int("upper", 1) == 1
            let (rows, columns) = (x.shape[x.shape.count - 2], x.shape[x.shape.count - 1])
            func keep(_ flat: Int) -> Bool {
                let (r, c) = ((flat / columns) % rows, flat % columns)
                return upper ? c - r >= k : c - r <= k
            }
            if case .int64(let shape, let data) = x {
                return [.int64(shape: shape, data: data.indices.map { keep($0) ? data[$0] : 0 })]
            }
            let data = x.floats
            return [.float(shape: x.shape, data: data.indices.map { keep($0) ? data[$0] : 0 })]
        },
        "OneHot": { n, v, _ in
            let indices = try n.input(v, 0).ints
            let indexShape = try n.input(v, 0).shape
            let depth = Int(clamping: Value.saturatingInt64(try n.input(v, 1).floats.first ?? 0))
            let values = try n.input(v, 2)
            guard depth > 0, values.count == 2 else { throw n.fail("depth \(depth) and two values are needed") }
            let axis = try n.axis(n.int("axis", -1), rank: indexShape.count + 1)
            var shape = indexShape
            shape.insert(depth, at: axis)
            _ = try n.count(shape)
            let picks = positions(shape).map { p -> Int in
                let flat = p.indices.filter { $0 != axis }.reduce(0) { $0 * shape[$1] + p[$1] }
                var hot = Int(clamping: indices[flat])
                if hot < 0 { hot += depth }
                return hot == p[axis] ? 1 : 0
            }
            return [select(values, picks, shape: shape)]
        },
        "NonZero": { n, v, _ in
            let x = try n.input(v, 0)
            let values = x.floats
            let integers = x.isInteger ? x.ints : []
            let nonzero = values.indices.filter { x.isInteger ? integers[$0] != 0 : values[$0] != 0 }
            let s = strides(x.shape)
            var data = [Int64](repeating: 0, count: x.shape.count * nonzero.count)
            for (j, flat) in nonzero.enumerated() {
                for d in x.shape.indices { data[d * nonzero.count + j] = Int64((flat / s[d]) % x.shape[d]) }
            }
            return [.int64(shape: [x.shape.count, nonzero.count], data: data)]
        },
        "Size": { n, v, _ in [.int64(shape: [], data: [Int64(try n.input(v, 0).count)])] },
        "Dropout": { n, v, _ in
            let x = try n.input(v, 0)
            if v.count > 2, let training = v[2], training.ints.first ?? 0 != 0 {
                throw ONNXError.unsupported(node: n.name, op: n.op, reason: "Dropout in training mode")
            }
            return [x, .int64(shape: x.shape, data: [Int64](repeating: 1, count: x.count))]
        },
    ]

    /// `i` (negative counts from the end) checked against an axis of `extent`.
    static func index(_ i: Int64, _ extent: Int, _ n: Node) throws -> Int {
        let j = i < 0 ? Int(clamping: i) &+ extent : Int(clamping: i)
        guard j >= 0, j < extent else { throw n.fail("index \(i) is out of range for an axis of \(extent)") }
        return j
    }

    /// Every multi-index of `shape` in row-major order.
    static func positions(_ shape: [Int]) -> [[Int]] {
        let count = shape.reduce(1, *)
        var result: [[Int]] = []
        result.reserveCapacity(count)
        var p = [Int](repeating: 0, count: shape.count)
        for _ in 0..<count {
            result.append(p)
            var d = shape.count - 1
            while d >= 0 {
                p[d] += 1
                if p[d] < shape[d] { break }
                p[d] = 0
                d -= 1
            }
        }
        return result
    }

    /// The elements of `x` at flat offsets `picks`, as a tensor of `shape` and x's type.
    static func select(_ x: Value, _ picks: [Int], shape: [Int]) -> Value {
        switch x {
        case .int64(_, let d): .int64(shape: shape, data: picks.map { d[$0] })
        case .float(_, let d): .float(shape: shape, data: picks.map { d[$0] })
        }
    }
}
