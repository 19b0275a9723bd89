import LumenIO
import LumenNumerics
import Testing

@testable import LumenONNX

/// The strided broadcast and the tiled transpose against the plain index-array definitions, on
/// shapes off every tile and merge boundary.
@Suite("Broadcasting and transposition kernels")
struct BroadcastAndTransposeTests {
    static let pairs: [([Int], [Int])] = [
        ([1, 56, 56, 37], [37]), ([2, 3, 17, 19], [3, 1, 1]), ([2, 3, 17, 19], [1, 3, 17, 1]), ([5, 1, 7], [1, 4, 1]),
        ([4, 1], [3]), ([2, 1, 3, 1], [1, 5, 1, 4]), ([1], [6, 7]), ([3, 4, 5], [3, 4, 5]),
        ([7, 1, 1, 9], [1, 8, 1, 1]),
    ]

    /// Operands of the two shapes, their broadcast shape, and x − y by the index-array definition.
    static func subtraction(_ xs: [Int], _ ys: [Int]) throws -> (x: [Float], y: [Float], out: [Int], expected: [Float])
    {
        let x = (0..<xs.reduce(1, *)).map { Float($0 % 97) * 0.5 - 3 }
        let y = (0..<ys.reduce(1, *)).map { Float($0 % 89) * 0.25 + 1 }
        let node = Node(name: "n", op: "Sub", inputs: [], outputs: [], attributes: [:])
        let out = try ElementwiseOps.broadcastShape(xs, ys, node: node)
        let ix = ElementwiseOps.broadcastIndex(xs, to: out)
        let iy = ElementwiseOps.broadcastIndex(ys, to: out)
        return (x, y, out, ix.indices.map { x[ix[$0]] - y[iy[$0]] })
    }

    @Test("a broadcast binary operation equals the element-by-element definition", arguments: pairs)
    func broadcastMatchesDefinition(shapes: ([Int], [Int])) throws {
        let (xs, ys) = shapes
        let (x, y, out, expected) = try Self.subtraction(xs, ys)
        let got = ElementwiseOps.broadcastAll(x, xs, y, ys, out, -)
        #expect(got.count == expected.count && got.indices.first { got[$0] != expected[$0] } == nil)
        let swapped = ElementwiseOps.broadcastAll(y, ys, x, xs, out, -)
        #expect(swapped.indices.first { swapped[$0] != -expected[$0] } == nil)
    }

    /// The shapes `combine` sends down its own paths: per channel either way round (planes past
    /// the 64 Ki split weight), a scalar either way round, equal shapes, and a general broadcast.
    static let combined: [([Int], [Int])] = [
        ([2, 3, 300, 300], [3, 1, 1]), ([1, 4, 1, 1], [1, 4, 5, 5]), ([2, 3, 300, 300], [1]), ([1], [3, 7, 9]),
        ([2, 5, 260, 270], [2, 5, 260, 270]), ([2, 3, 17, 19], [1, 3, 17, 1]),
    ]

    @Test(
        "combine's fast paths (per channel, scalar, equal shapes) equal the element-by-element definition",
        arguments: combined
    )
    func combineMatchesDefinition(shapes: ([Int], [Int])) throws {
        let (xs, ys) = shapes
        let (x, y, out, expected) = try Self.subtraction(xs, ys)
        for workers in [1, 2, 3] {
            let got = try Parallel.withWorkers(workers) { try ElementwiseOps.combine(x, xs, y, ys, out, -) }
            #expect(got.count == expected.count, "\(workers) workers")
            #expect(got.indices.first { got[$0] != expected[$0] } == nil, "\(workers) workers")
        }
    }

    static let permutations: [([Int], [Int])] = [
        ([1, 37, 19, 23], [0, 2, 3, 1]), ([2, 33, 17], [2, 0, 1]), ([40, 18], [1, 0]), ([3, 5, 17, 2], [3, 1, 0, 2]),
        ([2, 3, 4, 5, 6], [4, 3, 2, 1, 0]), ([16, 16], [1, 0]), ([1, 1, 31], [2, 1, 0]),
        ([3, 5, 4], [1, 0, 2]), ([2, 6, 3, 7], [2, 0, 1, 3]),
    ]

    @Test("a transpose equals the strided gather, whether the last axis moves or not", arguments: permutations)
    func transposeMatchesGather(case c: ([Int], [Int])) {
        let (shape, perm) = c
        let data = (0..<shape.reduce(1, *)).map(Float.init)
        let x = Value.float(shape: shape, data: data)
        let input = strides(shape)
        let expected = LayoutOps.gather(x, StridedWalk(shape: perm.map { shape[$0] }, steps: perm.map { input[$0] }))
        let got = LayoutOps.permute(x, perm)
        #expect(got.shape == expected.shape)
        let (a, b) = (got.floats, expected.floats)
        #expect(a.count == b.count && a.indices.first { a[$0] != b[$0] } == nil, "first difference")
    }
}
