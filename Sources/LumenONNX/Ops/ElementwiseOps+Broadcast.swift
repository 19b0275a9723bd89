import Foundation
import LumenIO
import LumenKernels
import LumenNumerics

/// Binary operations over two tensors: NumPy broadcasting, with paths for equal shapes, a scalar
/// and one value per channel.
extension ElementwiseOps {
    /// The broadcast shape of two shapes (NumPy rules).
    static func broadcastShape(_ a: [Int], _ b: [Int], node: Node) throws -> [Int] {
        let rank = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        let shape = try zip(pa, pb).map { x, y in
            guard x == y || x == 1 || y == 1 else { throw node.fail("cannot broadcast \(a) with \(b)") }
            return max(x, y)
        }
        _ = try node.count(shape)
        return shape
    }

    /// Maps each output index to an input index for a broadcast input.
    static func broadcastIndex(_ shape: [Int], to out: [Int]) -> [Int] {
        let padded = [Int](repeating: 1, count: out.count - shape.count) + shape
        let inStrides = strides(padded)
        let outCount = out.reduce(1, *)
        var index = [Int](repeating: 0, count: outCount)
        var counter = [Int](repeating: 0, count: out.count)
        var offset = 0
        for k in 0..<outCount {
            index[k] = offset
            var axis = out.count - 1
            while axis >= 0 {
                counter[axis] += 1
                if padded[axis] != 1 { offset += inStrides[axis] }
                if counter[axis] < out[axis] { break }
                if padded[axis] != 1 { offset -= inStrides[axis] * out[axis] }
                counter[axis] = 0
                axis -= 1
            }
        }
        return index
    }

    @inline(__always)
    static func binary(
        _ n: Node,
        _ v: [Value?],
        _ f: (Float, Float) -> Float,
        _ g: (Int64, Int64) -> Int64
    ) throws -> Value {
        let a = try n.input(v, 0)
        let b = try n.input(v, 1)
        let shape = try broadcastShape(a.shape, b.shape, node: n)
        if a.isInteger && b.isInteger {
            let x = a.ints
            let y = b.ints
            return .int64(shape: shape, data: try combine(x, a.shape, y, b.shape, shape, g))
        }
        return .float(shape: shape, data: try combine(a.floats, a.shape, b.floats, b.shape, shape, f))
    }

    @inline(__always)
    static func combine<T>(_ x: [T], _ xs: [Int], _ y: [T], _ ys: [Int], _ out: [Int], _ f: (T, T) -> T) throws -> [T] {
        let count = out.reduce(1, *)
        if xs == ys {
            return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                x.withUnsafeBufferPointer { a in
                    y.withUnsafeBufferPointer { b in
                        let target = buffer.baseAddress!
                        split(count) { range in
                            for i in range { (target + i).initialize(to: f(a[i], b[i])) }
                        }
                    }
                }
                initialized = count
            }
        }
        if y.count == 1 {
            let s = y[0]
            return x.count == count ? map(x) { f($0, s) } : broadcastAll(x, xs, y, ys, out, f)
        }
        if x.count == 1 {
            let s = x[0]
            return y.count == count ? map(y) { f(s, $0) } : broadcastAll(x, xs, y, ys, out, f)
        }
        // Per-channel fast path: one operand is N×C×H×W (the output shape), the other holds one
        // value per channel (shape [C, 1, 1] or [1, C, 1, 1]; a plain [C] would broadcast along W,
        // not C), in either order (squeeze-excitation exports Mul(scale, x)).
        func perChannel(_ shape: [Int], _ values: [T]) -> Bool {
            out.count == 4 && values.count == out[1] && shape.count >= 3 && shape.suffix(2).allSatisfy { $0 == 1 }
        }
        if xs == out, perChannel(ys, y) { return channelWise(x, y, out) { f($0, $1) } }
        if ys == out, perChannel(xs, x) { return channelWise(y, x, out) { f($1, $0) } }
        return broadcastAll(x, xs, y, ys, out, f)
    }

    /// `f(full[i], channel[c])` over an N×C×H×W tensor and one value per channel, planes split
    /// over the workers.
    @inline(__always)
    static func channelWise<T>(_ full: [T], _ channel: [T], _ out: [Int], _ f: (T, T) -> T) -> [T] {
        let plane = out[2] * out[3]
        let planes = out[0] * out[1]
        return [T](unsafeUninitializedCapacity: full.count) { buffer, initialized in
            full.withUnsafeBufferPointer { source in
                // Split by planes, each weighing its size.
                split(planes * Swift.min(plane, 65_536)) { share in
                    let weight = Swift.min(plane, 65_536)
                    for p in (share.lowerBound / weight)..<(share.upperBound / weight) {
                        let s = channel[p % out[1]]
                        let (from, to) = (source.baseAddress! + p * plane, buffer.baseAddress! + p * plane)
                        for k in 0..<plane { (to + k).initialize(to: f(from[k], s)) }
                    }
                }
            }
            initialized = full.count
        }
    }

    /// `f` of every element, split over the workers for large tensors.
    @inline(__always)
    static func map<T>(_ x: [T], _ f: (T) -> T) -> [T] {
        [T](unsafeUninitializedCapacity: x.count) { buffer, initialized in
            x.withUnsafeBufferPointer { source in
                split(x.count) { range in
                    for i in range { (buffer.baseAddress! + i).initialize(to: f(source[i])) }
                }
            }
            initialized = x.count
        }
    }

    /// General broadcasting without index arrays: the shapes are padded to one rank, axes that
    /// both operands walk alike are merged, and the innermost merged axis runs as a plain loop
    /// with each operand's step 0 (repeated) or 1 (contiguous), e.g. a [C] bias over N×H×W×C.
    @inline(__always)
    static func broadcastAll<T, R>(_ x: [T], _ xs: [Int], _ y: [T], _ ys: [Int], _ out: [Int], _ f: (T, T) -> R) -> [R]
    {
        let rank = out.count
        let count = out.reduce(1, *)
        guard count > 0 else { return [] }
        func steps(_ shape: [Int]) -> [Int] {
            let padded = [Int](repeating: 1, count: rank - shape.count) + shape
            let s = strides(padded)
            return (0..<rank).map { padded[$0] == 1 ? 0 : s[$0] }
        }
        let (sx, sy) = (steps(xs), steps(ys))
        // Merge axis d into the axis after it where both operands step contiguously across them.
        var dims: [(extent: Int, x: Int, y: Int)] = []
        for d in (0..<rank).reversed() where out[d] != 1 {
            if let inner = dims.last, sx[d] == inner.x * inner.extent, sy[d] == inner.y * inner.extent {
                dims[dims.count - 1] = (inner.extent * out[d], inner.x, inner.y)
            } else {
                dims.append((out[d], sx[d], sy[d]))
            }
        }
        let inner = dims.first ?? (1, 0, 0)
        let outer = Array(dims.dropFirst().reversed())
        let rows = count / inner.extent
        return [R](unsafeUninitializedCapacity: count) { buffer, initialized in
            x.withUnsafeBufferPointer { a in
                y.withUnsafeBufferPointer { b in
                    // The split is over rows, each weighing its length (at most 64 Ki).
                    let weight = Swift.min(inner.extent, 65_536)
                    split(rows * weight) { share in
                        let part = (share.lowerBound / weight)..<(share.upperBound / weight)
                        var walkX = StridedWalk(shape: outer.map(\.extent), steps: outer.map(\.x))
                        var walkY = StridedWalk(shape: outer.map(\.extent), steps: outer.map(\.y))
                        for _ in 0..<part.lowerBound {
                            walkX.advance()
                            walkY.advance()
                        }
                        var target = buffer.baseAddress! + part.lowerBound * inner.extent
                        for _ in part {
                            let (pa, pb) = (a.baseAddress! + walkX.offset, b.baseAddress! + walkY.offset)
                            switch (inner.x, inner.y) {
                            case (1, 1): for i in 0..<inner.extent { (target + i).initialize(to: f(pa[i], pb[i])) }
                            case (1, 0):
                                let s = pb[0]
                                for i in 0..<inner.extent { (target + i).initialize(to: f(pa[i], s)) }
                            case (0, 1):
                                let s = pa[0]
                                for i in 0..<inner.extent { (target + i).initialize(to: f(s, pb[i])) }
                            default:
                                for i in 0..<inner.extent {
                                    (target + i).initialize(to: f(pa[i * inner.x], pb[i * inner.y]))
                                }
                            }
                            target += inner.extent
                            walkX.advance()
                            walkY.advance()
                        }
                    }
                }
            }
            initialized = count
        }
    }
}
