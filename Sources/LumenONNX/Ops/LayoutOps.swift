import LumenIO

/// Operators that move data without arithmetic: reshape, transpose, concat, split, slice, pad,
/// gather, squeeze, unsqueeze, expand, flatten.
enum LayoutOps {
    static let kernels: [String: Kernel] = [
        "Reshape": { n, v, _ in
            let x = try n.input(v, 0)
            let requested = try n.input(v, 1).ints.map { Int($0) }
            let allowZero = n.int("allowzero", 0) == 1
            var shape = requested.enumerated().map { i, d in d == 0 && !allowZero && i < x.shape.count ? x.shape[i] : d
            }
            guard shape.filter({ $0 == -1 }).count <= 1, shape.allSatisfy({ $0 >= -1 }) else {
                throw n.fail("cannot reshape \(x.shape) to \(requested)")
            }
            if let inferred = shape.firstIndex(of: -1) {
                var known = shape
                known.remove(at: inferred)
                guard let product = checkedCount(known), product > 0, x.count % product == 0 else {
                    throw n.fail("cannot reshape \(x.shape) to \(requested)")
                }
                shape[inferred] = x.count / product
            }
            guard checkedCount(shape) == x.count else { throw n.fail("cannot reshape \(x.shape) to \(requested)") }
            return [x.reshaped(shape)]
        },
        "Flatten": { n, v, _ in
            let x = try n.input(v, 0)
            // Flatten's axis may equal the rank (everything in the outer dimension).
            let axis =
                n.int("axis", 1) == x.shape.count ? x.shape.count : try n.axis(n.int("axis", 1), rank: x.shape.count)
            let outer = x.shape.prefix(axis).reduce(1, *)
            return [x.reshaped([outer, x.count / max(outer, 1)])]
        },
        "Squeeze": { n, v, opset in
            let x = try n.input(v, 0)
            let axes = opset >= 13 ? (v.count > 1 ? v[1]?.ints.map { Int($0) } : nil) : n.ints("axes")
            let rank = x.shape.count
            let drop = Set(try n.axes(axes ?? x.shape.indices.filter { x.shape[$0] == 1 }, rank: rank))
            guard drop.allSatisfy({ x.shape[$0] == 1 }) else {
                throw n.fail("Squeeze axes \(axes ?? []) are not all of size 1 in \(x.shape)")
            }
            return [x.reshaped(x.shape.enumerated().filter { !drop.contains($0.offset) }.map(\.element))]
        },
        "Unsqueeze": { n, v, opset in
            let x = try n.input(v, 0)
            guard let axes = opset >= 13 ? v.count > 1 ? v[1]?.ints.map({ Int($0) }) : nil : n.ints("axes") else {
                throw ONNXError.missing("axes of Unsqueeze '\(n.name)'")
            }
            let rank = x.shape.count + axes.count
            let positions = Set(try n.axes(axes, rank: rank))
            var shape: [Int] = []
            var source = x.shape.makeIterator()
            for i in 0..<rank { shape.append(positions.contains(i) ? 1 : source.next() ?? 1) }
            return [x.reshaped(shape)]
        },
        "Transpose": { n, v, _ in
            let x = try n.input(v, 0)
            let perm = n.ints("perm") ?? Array(x.shape.indices.reversed())
            guard perm.sorted() == Array(x.shape.indices) else {
                throw n.fail("perm \(perm) is not a permutation of the \(x.shape.count) axes")
            }
            return [permute(x, perm)]
        },
        "Concat": { n, v, _ in
            let parts = v.compactMap { $0 }
            guard let first = parts.first else { throw ONNXError.missing("inputs of Concat '\(n.name)'") }
            let axis = try n.axis(n.int("axis", 0), rank: first.shape.count)
            var shape = first.shape
            guard parts.allSatisfy({ $0.shape.count == shape.count }) else {
                throw n.fail("Concat inputs differ in rank")
            }
            shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
            _ = try n.count(shape)
            for p in parts
            where p.shape.count != shape.count
                || p.shape.enumerated().contains(where: { $0.offset != axis && $0.element != shape[$0.offset] })
            {
                throw n.fail("cannot concatenate \(p.shape) with \(first.shape) on axis \(axis)")
            }
            let outer = shape.prefix(axis).reduce(1, *)
            if parts.allSatisfy(\.isInteger) {
                var data: [Int64] = []
                for o in 0..<outer {
                    for p in parts {
                        let block = p.shape[axis...].reduce(1, *)
                        data += p.ints[(o * block)..<((o + 1) * block)]
                    }
                }
                return [.int64(shape: shape, data: data)]
            }
            var data: [Float] = []
            data.reserveCapacity(shape.reduce(1, *))
            for o in 0..<outer {
                for p in parts {
                    let block = p.shape[axis...].reduce(1, *)
                    data += p.floats[(o * block)..<((o + 1) * block)]
                }
            }
            return [.float(shape: shape, data: data)]
        },
        "Split": { n, v, opset in
            let x = try n.input(v, 0)
            let axis = try n.axis(n.int("axis", 0), rank: x.shape.count)
            var sizes = opset >= 13 ? (v.count > 1 ? v[1]?.ints.map { Int($0) } : nil) : n.ints("split")
            if sizes == nil {
                let parts = max(1, n.outputs.count)
                let chunk = (x.shape[axis] + parts - 1) / parts
                sizes = (0..<parts).map { max(0, min(chunk, x.shape[axis] - $0 * chunk)) }
            }
            guard sizes!.allSatisfy({ $0 >= 0 && $0 <= x.shape[axis] }), sizes!.reduce(0, +) == x.shape[axis] else {
                throw n.fail("split sizes \(sizes!) do not add up to \(x.shape[axis])")
            }
            // Each part is a run of contiguous blocks: copy them directly.
            let outer = x.shape.prefix(axis).reduce(1, *)
            let inner = x.shape.suffix(from: axis + 1).reduce(1, *)
            let dim = x.shape[axis]
            var start = 0
            return sizes!.map { size in
                defer { start += size }
                var shape = x.shape
                shape[axis] = size
                if case .int64(_, let d) = x {
                    var out: [Int64] = []
                    for o in 0..<outer { out += d[((o * dim + start) * inner)..<((o * dim + start + size) * inner)] }
                    return .int64(shape: shape, data: out)
                }
                let d = x.floats
                var out = [Float]()
                out.reserveCapacity(outer * size * inner)
                for o in 0..<outer { out += d[((o * dim + start) * inner)..<((o * dim + start + size) * inner)] }
                return .float(shape: shape, data: out)
            }
        },
        "Slice": { n, v, opset in
            let x = try n.input(v, 0)
            let starts: [Int]
            let ends: [Int]
            let axes: [Int]?
            let steps: [Int]?
            if opset >= 10 {
                starts = try n.input(v, 1).ints.map { Int(clamping: $0) }
                ends = try n.input(v, 2).ints.map { Int(clamping: $0) }
                axes = v.count > 3 ? v[3]?.ints.map { Int($0) } : nil
                steps = v.count > 4 ? v[4]?.ints.map { Int($0) } : nil
            } else {
                starts = n.ints("starts") ?? []
                ends = n.ints("ends") ?? []
                axes = n.ints("axes")
                steps = nil
            }
            return [
                try slice(
                    x,
                    starts: starts,
                    ends: ends,
                    axes: axes ?? Array(starts.indices),
                    steps: steps ?? starts.map { _ in 1 },
                    node: n
                )
            ]
        },
        "Gather": { n, v, _ in
            let x = try n.input(v, 0)
            let indices = try n.input(v, 1)
            let axis = try n.axis(n.int("axis", 0), rank: x.shape.count)
            let extent = x.shape[axis]
            let picks = try indices.ints.map { i -> Int in
                let j = Int(i < 0 ? i &+ Int64(extent) : i)
                guard j >= 0, j < extent else { throw n.fail("index \(i) out of range for axis of size \(extent)") }
                return j
            }
            let outer = x.shape.prefix(axis).reduce(1, *)
            let inner = x.shape.suffix(from: axis + 1).reduce(1, *)
            let shape = Array(x.shape.prefix(axis)) + indices.shape + Array(x.shape.suffix(from: axis + 1))
            _ = try n.count(shape)
            func gather<T>(_ data: [T]) -> [T] {
                var out: [T] = []
                out.reserveCapacity(outer * picks.count * inner)
                for o in 0..<outer {
                    for p in picks { out += data[((o * extent + p) * inner)..<((o * extent + p + 1) * inner)] }
                }
                return out
            }
            if case .int64(_, let d) = x { return [.int64(shape: shape, data: gather(d))] }
            return [.float(shape: shape, data: gather(x.floats))]
        },
        "Expand": { n, v, _ in
            let x = try n.input(v, 0)
            let target = try n.input(v, 1).ints.map { Int($0) }
            let shape = try ElementwiseOps.broadcastShape(x.shape, target, node: n)
            _ = try n.count(shape)
            let index = ElementwiseOps.broadcastIndex(x.shape, to: shape)
            if case .int64(_, let d) = x { return [.int64(shape: shape, data: index.map { d[$0] })] }
            let d = x.floats
            return [.float(shape: shape, data: index.map { d[$0] })]
        },
        "Pad": { n, v, opset in
            let x = try n.input(v, 0)
            let pads = opset >= 11 ? try n.input(v, 1).ints.map { Int($0) } : (n.ints("pads") ?? [])
            let value: Float = opset >= 11 ? (v.count > 2 ? v[2]?.floats.first ?? 0 : 0) : n.float("value", 0)
            let rank = x.shape.count
            var begin = [Int](repeating: 0, count: rank)
            var end = begin
            if opset >= 18, v.count > 3, let axes = v[3]?.ints.map({ Int($0) }) {
                guard pads.count == 2 * axes.count else {
                    throw n.fail("pads has \(pads.count) values for \(axes.count) axes")
                }
                for (k, axis) in try n.axes(axes, rank: rank).enumerated() {
                    begin[axis] = pads[k]
                    end[axis] = pads[k + axes.count]
                }
            } else {
                guard pads.count == 2 * rank else { throw n.fail("pads has \(pads.count) values for rank \(rank)") }
                begin = Array(pads.prefix(rank))
                end = Array(pads.suffix(rank))
            }
            return [try pad(x, begin: begin, end: end, mode: n.string("mode", "constant"), value: value, node: n)]
        },
    ]

    static func permute(_ x: Value, _ perm: [Int]) -> Value {
        let shape = perm.map { x.shape[$0] }
        let inStrides = strides(x.shape)
        let count = x.count
        if case .float(_, let d) = x, let last = shape.last, perm.last == shape.count - 1, last >= 8 {
            // The last axis stays last: copy whole runs, one per position of the other axes.
            let rows = count / last
            var walk = StridedWalk(shape: Array(shape.dropLast()), steps: perm.dropLast().map { inStrides[$0] })
            let out = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                d.withUnsafeBufferPointer { source in
                    for r in 0..<rows {
                        (buffer.baseAddress! + r * last).initialize(
                            from: source.baseAddress! + walk.offset,
                            count: last
                        )
                        walk.advance()
                    }
                }
                initialized = count
            }
            return .float(shape: shape, data: out)
        }
        if case .float(_, let d) = x, shape.count >= 2, let b = perm.firstIndex(of: shape.count - 1),
            b != shape.count - 1
        {
            return .float(shape: shape, data: transposeTiles(d, shape: shape, perm: perm, contiguousAxis: b))
        }
        return gather(x, StridedWalk(shape: shape, steps: perm.map { inStrides[$0] }))
    }

    /// A permutation that moves the input's last axis (now output axis `b`) away from the end:
    /// for every position of the other axes, a 2-D transpose between output axis `b` (input
    /// step 1) and the output's last axis, in 16 × 16 tiles so reads and writes both stay in cache.
    static func transposeTiles(_ d: [Float], shape: [Int], perm: [Int], contiguousAxis b: Int) -> [Float] {
        let rank = shape.count
        let inStrides = strides(inverseShape(shape, perm))
        let outStrides = strides(shape)
        let a = rank - 1
        let (nb, na) = (shape[b], shape[a])
        let (stepA, outStepB) = (inStrides[perm[a]], outStrides[b])
        let others = (0..<rank).filter { $0 != a && $0 != b }
        var walkIn = StridedWalk(shape: others.map { shape[$0] }, steps: others.map { inStrides[perm[$0]] })
        var walkOut = StridedWalk(shape: others.map { shape[$0] }, steps: others.map { outStrides[$0] })
        let count = d.count
        let blocks = others.map { shape[$0] }.reduce(1, *)
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            d.withUnsafeBufferPointer { source in
                for _ in 0..<blocks {
                    let from = source.baseAddress! + walkIn.offset
                    let to = buffer.baseAddress! + walkOut.offset
                    for i0 in stride(from: 0, to: nb, by: 16) {
                        for j0 in stride(from: 0, to: na, by: 16) {
                            for i in i0..<Swift.min(i0 + 16, nb) {
                                let row = to + i * outStepB
                                for j in j0..<Swift.min(j0 + 16, na) { (row + j).initialize(to: from[i + j * stepA]) }
                            }
                        }
                    }
                    walkIn.advance()
                    walkOut.advance()
                }
            }
            initialized = count
        }
    }

    /// The input shape of a permutation from its output shape.
    static func inverseShape(_ shape: [Int], _ perm: [Int]) -> [Int] {
        var input = [Int](repeating: 0, count: shape.count)
        for (i, p) in perm.enumerated() { input[p] = shape[i] }
        return input
    }

    /// The elements of `x` at the walk's offsets, in walk order, as a tensor of the walk's shape.
    static func gather(_ x: Value, _ walk: StridedWalk) -> Value {
        var walk = walk
        let count = walk.shape.reduce(1, *)
        var index = [Int](repeating: 0, count: count)
        for k in 0..<count {
            index[k] = walk.offset
            walk.advance()
        }
        if case .int64(_, let d) = x { return .int64(shape: walk.shape, data: index.map { d[$0] }) }
        let d = x.floats
        return .float(shape: walk.shape, data: index.map { d[$0] })
    }

    /// ONNX Slice semantics, including negative steps and clamped out-of-range bounds.
    static func slice(_ x: Value, starts: [Int], ends: [Int], axes: [Int], steps: [Int], node: Node) throws -> Value {
        let rank = x.shape.count
        var first = [Int](repeating: 0, count: rank)
        var step = [Int](repeating: 1, count: rank)
        var shape = x.shape
        guard starts.count == ends.count, axes.count == starts.count, steps.count == starts.count else {
            throw node.fail("starts, ends, axes and steps differ in length")
        }
        for (k, axis) in try node.axes(axes, rank: rank).enumerated() {
            let dim = x.shape[axis]
            let s = steps[k]
            guard s != 0, s != .min else { throw node.fail("slice step \(s)") }
            var start = starts[k] < 0 ? starts[k] &+ dim : starts[k]
            var end = ends[k] < 0 ? ends[k] &+ dim : ends[k]
            if s > 0 {
                start = min(max(start, 0), dim)
                end = min(max(end, 0), dim)
                shape[axis] = end > start ? (end - start - 1) / s + 1 : 0
            } else {
                start = min(max(start, -1), dim - 1)
                end = min(max(end, -1), dim - 1)
                shape[axis] = start > end ? (start - end - 1) / (-s) + 1 : 0
            }
            first[axis] = start
            // With one element or none taken the step never moves; otherwise |s| < dim, so
            // s · stride stays within the tensor (a step of 2^62 must not overflow the walk).
            step[axis] = shape[axis] > 1 ? s : 1
        }
        let inStrides = strides(x.shape)
        return gather(
            x,
            StridedWalk(
                shape: shape,
                steps: (0..<rank).map { step[$0] * inStrides[$0] },
                offset: zip(first, inStrides).reduce(0) { $0 + $1.0 * $1.1 }
            )
        )
    }

    /// Constant, reflect or edge padding (negative pads crop).
    static func pad(_ x: Value, begin: [Int], end: [Int], mode: String, value: Float, node: Node) throws -> Value {
        let rank = x.shape.count
        guard (begin + end).allSatisfy({ (-ONNXLimits.dimension...ONNXLimits.dimension).contains($0) }) else {
            throw node.fail("pads \(begin + end) are beyond \(ONNXLimits.dimension)")
        }
        let shape = (0..<rank).map { x.shape[$0] + begin[$0] + end[$0] }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw node.fail("padding produces a negative size") }
        _ = try node.count(shape)
        // Fast path: constant, non-negative padding of the last two axes only (the TF-"SAME"
        // padding exports put before every convolution): whole rows are copied.
        if mode == "constant", rank >= 2, begin.dropLast(2).allSatisfy({ $0 == 0 }),
            end.dropLast(2).allSatisfy({ $0 == 0 }),
            begin.allSatisfy({ $0 >= 0 }), end.allSatisfy({ $0 >= 0 })
        {
            let h = x.shape[rank - 2]
            let w = x.shape[rank - 1]
            let oh = shape[rank - 2]
            let ow = shape[rank - 1]
            let planes = x.shape.dropLast(2).reduce(1, *)
            let top = begin[rank - 2]
            let left = begin[rank - 1]
            var out = [Float](repeating: value, count: planes * oh * ow)
            let data = x.floats
            data.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    for p in 0..<planes {
                        for y in 0..<h {
                            let from = src.baseAddress! + (p * h + y) * w
                            let to = dst.baseAddress! + (p * oh + y + top) * ow + left
                            to.update(from: from, count: w)
                        }
                    }
                }
            }
            return .float(shape: shape, data: out)
        }
        let inStrides = strides(x.shape)
        let count = shape.reduce(1, *)
        let data = x.floats
        var out = [Float](repeating: value, count: count)
        var counter = [Int](repeating: 0, count: rank)
        for k in 0..<count {
            var source = 0
            var inside = true
            for axis in 0..<rank {
                var i = counter[axis] - begin[axis]
                let dim = x.shape[axis]
                if i < 0 || i >= dim {
                    switch mode {
                    case "edge": i = min(max(i, 0), dim - 1)
                    case "reflect":
                        guard dim > 1 else {
                            i = 0
                            break
                        }
                        let period = 2 * (dim - 1)
                        i = ((i % period) + period) % period
                        if i >= dim { i = period - i }
                    case "constant": inside = false
                    default: throw ONNXError.unsupported(node: node.name, op: node.op, reason: "pad mode '\(mode)'")
                    }
                }
                source += i * inStrides[axis]
            }
            if inside { out[k] = data[source] }
            var axis = rank - 1
            while axis >= 0 {
                counter[axis] += 1
                if counter[axis] < shape[axis] { break }
                counter[axis] = 0
                axis -= 1
            }
        }
        return .float(shape: shape, data: out)
    }
}
