import LumenIO

/// Transpose and gather: permutations of a tensor's axes, tiled where the last axis moves.
extension LayoutOps {
    /// `x` with its axes permuted: output axis i is input axis `perm[i]`.
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
        switch x {
        case .float(_, let d): .float(shape: walk.shape, data: gather(d, walk))
        case .int64(_, let d): .int64(shape: walk.shape, data: gather(d, walk))
        }
    }

    /// The walk's elements of `data`, one run along the last axis at a time: a copy where the
    /// run is contiguous (a Slice over channels, ShuffleNet's split), a strided loop otherwise.
    static func gather<T>(_ data: [T], _ walk: StridedWalk) -> [T] {
        let count = walk.shape.reduce(1, *)
        guard count > 0, let run = walk.shape.last, let step = walk.steps.last else {
            return count == 1 ? [data[walk.offset]] : []
        }
        var outer = StridedWalk(
            shape: Array(walk.shape.dropLast()),
            steps: Array(walk.steps.dropLast()),
            offset: walk.offset
        )
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.withUnsafeBufferPointer { source in
                for r in 0..<(count / run) {
                    let target = buffer.baseAddress! + r * run
                    let from = source.baseAddress! + outer.offset
                    if step == 1 {
                        target.initialize(from: from, count: run)
                    } else {
                        for i in 0..<run { (target + i).initialize(to: from[i * step]) }
                    }
                    outer.advance()
                }
            }
            initialized = count
        }
    }
}
