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
}
