import LumenONNXTestSupport
import LumenTestSupport
import Testing

@testable import LumenONNX

/// MaxPool and AveragePool against a direct loop over each window, on geometries the operator
/// fixtures leave out, and with NaN in the input (max pooling propagates it, as onnxruntime does).
@Suite("Pooling against a direct window loop")
struct PoolingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var size: [Int]
        var kernel: [Int]
        var strides: [Int]
        var pads: [Int] = [0, 0, 0, 0]
        var dilations: [Int] = [1, 1]
        var ceil = false
        var testDescription: String {
            "\(size[0])×\(size[1]) kernel \(kernel) strides \(strides) pads \(pads) dilations \(dilations)\(ceil ? " ceil" : "")"
        }
    }

    static let cases: [Case] = [
        Case(size: [55, 55], kernel: [3, 3], strides: [2, 2], ceil: true),
        Case(size: [56, 57], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1]),
        Case(size: [13, 11], kernel: [2, 3], strides: [1, 2], pads: [0, 1, 1, 0], dilations: [2, 1]),
        Case(size: [9, 9], kernel: [5, 5], strides: [1, 1], pads: [2, 2, 2, 2]),
    ]

    /// The output size the ONNX spec gives (floor, or ceil with the last window starting inside).
    static func outputSize(_ c: Case, axis: Int) -> Int {
        let effective = (c.kernel[axis] - 1) * c.dilations[axis] + 1
        let total = c.size[axis] + c.pads[axis] + c.pads[axis + 2] - effective
        var out = (c.ceil ? (total + c.strides[axis] - 1) / c.strides[axis] : total / c.strides[axis]) + 1
        if c.ceil, (out - 1) * c.strides[axis] >= c.size[axis] + c.pads[axis] { out -= 1 }
        return out
    }

    /// Max (NaN if any tap is NaN) or mean of the taps inside the input, per output.
    static func direct(_ x: [Float], planes: Int, _ c: Case, max isMax: Bool) -> [Float] {
        let (h, w) = (c.size[0], c.size[1])
        let (oh, ow) = (outputSize(c, axis: 0), outputSize(c, axis: 1))
        var out: [Float] = []
        for p in 0..<planes {
            for y in 0..<oh {
                for xo in 0..<ow {
                    var taps: [Float] = []
                    for ky in 0..<c.kernel[0] {
                        for kx in 0..<c.kernel[1] {
                            let iy = y * c.strides[0] - c.pads[0] + ky * c.dilations[0]
                            let ix = xo * c.strides[1] - c.pads[1] + kx * c.dilations[1]
                            if iy >= 0, iy < h, ix >= 0, ix < w { taps.append(x[p * h * w + iy * w + ix]) }
                        }
                    }
                    if isMax {
                        out.append(taps.contains { $0.isNaN } ? .nan : taps.max() ?? -.infinity)
                    } else {
                        out.append(taps.isEmpty ? 0 : taps.reduce(0, +) / Float(taps.count))
                    }
                }
            }
        }
        return out
    }

    @Test("max and average pooling equal the direct loop, NaN propagated by max", arguments: cases, [false, true])
    func matchesDirectLoop(c: Case, withNaN: Bool) throws {
        let planes = 6
        var x = seededValues(planes * c.size[0] * c.size[1], seed: 41)
        if withNaN {
            // NaN in two planes, one at a corner: each must reach exactly the windows covering it.
            x[c.size[1] + 2] = .nan
            x[3 * c.size[0] * c.size[1] + c.size[0] * c.size[1] - 1] = .nan
        }
        for op in ["MaxPool", "AveragePool"] {
            var graph = GraphBuilder()
            graph.input("x", [2, 3, c.size[0], c.size[1]])
            graph.node(
                op,
                ["x"],
                ["y"],
                attributes: [
                    "kernel_shape": .ints(c.kernel), "strides": .ints(c.strides), "pads": .ints(c.pads),
                    "ceil_mode": .int(c.ceil ? 1 : 0),
                ].merging(op == "MaxPool" ? ["dilations": .ints(c.dilations)] : [:]) { a, _ in a }
            )
            graph.output("y")
            let model = try graph.model()
            let input = Value.float(shape: [2, 3, c.size[0], c.size[1]], data: x)
            var expectedCase = c
            if op == "AveragePool" { expectedCase.dilations = [1, 1] }
            let expected = Self.direct(x, planes: planes, expectedCase, max: op == "MaxPool")
            let actual = try #require(try ONNXSession(model: model).run(["x": input]).outputs["y"])
            #expect(
                actual.shape == [2, 3, Self.outputSize(expectedCase, axis: 0), Self.outputSize(expectedCase, axis: 1)]
            )
            let a = actual.floats
            #expect(a.count == expected.count)
            let nanAgrees = zip(a, expected).allSatisfy { $0.isNaN == $1.isNaN }
            #expect(nanAgrees, "\(op): NaN where the direct loop has none, or missing where it has one")
            let worst = zip(a, expected).filter { !$1.isNaN }.map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 1e-6, "\(op): largest difference \(worst)")
        }
    }
}
