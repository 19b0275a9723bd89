import LumenKernels
import LumenTestSupport
import Testing

@testable import LumenONNX

/// The AVX-512 convolution kernels against the portable im2col + OpenBLAS path, on geometries the
/// model fixtures do not reach (dilation, odd strides, asymmetric padding, widths that leave
/// partial panels, batches, every fused activation).
@Suite("AVX-512 convolution kernels against the portable path")
struct FastConvolutionTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        var batch = 1
        var channels: Int
        var size: [Int]
        var outputs: Int
        var kernel: [Int]
        var strides = [1, 1]
        var dilations = [1, 1]
        var pads = [0, 0, 0, 0]
        var depthwise = false
        var testDescription: String {
            "\(depthwise ? "depthwise " : "")\(batch)×\(channels)×\(size[0])×\(size[1]) → \(outputs), kernel \(kernel[0])×\(kernel[1]), strides \(strides), dilations \(dilations), pads \(pads)"
        }
    }

    static let shapes: [Shape] = [
        Shape(channels: 5, size: [13, 17], outputs: 11, kernel: [3, 3], pads: [1, 1, 1, 1]),
        Shape(batch: 2, channels: 3, size: [9, 40], outputs: 9, kernel: [1, 1]),
        Shape(channels: 4, size: [15, 15], outputs: 20, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1]),
        Shape(
            channels: 6,
            size: [16, 19],
            outputs: 8,
            kernel: [3, 2],
            strides: [3, 2],
            dilations: [2, 1],
            pads: [2, 0, 1, 3]
        ),
        Shape(channels: 2, size: [11, 12], outputs: 17, kernel: [5, 5], dilations: [2, 2], pads: [4, 4, 4, 4]),
        Shape(channels: 3, size: [7, 9], outputs: 4, kernel: [1, 1], strides: [2, 2]),
        Shape(channels: 7, size: [33, 35], outputs: 7, kernel: [3, 3], pads: [1, 1, 1, 1], depthwise: true),
        Shape(
            batch: 2,
            channels: 5,
            size: [20, 21],
            outputs: 5,
            kernel: [5, 5],
            strides: [2, 2],
            pads: [2, 2, 2, 2],
            depthwise: true
        ),
        Shape(
            channels: 4,
            size: [10, 13],
            outputs: 4,
            kernel: [3, 3],
            strides: [1, 2],
            dilations: [2, 3],
            pads: [0, 3, 2, 1],
            depthwise: true
        ),
        // Small planes with ≥ 16 channels take the channel-interleaved depthwise kernel.
        Shape(
            batch: 2,
            channels: 20,
            size: [9, 11],
            outputs: 20,
            kernel: [3, 3],
            pads: [1, 1, 1, 1],
            depthwise: true
        ),
        Shape(
            channels: 33,
            size: [14, 14],
            outputs: 33,
            kernel: [5, 5],
            strides: [2, 2],
            pads: [2, 2, 2, 2],
            depthwise: true
        ),
        Shape(
            channels: 16,
            size: [10, 12],
            outputs: 16,
            kernel: [3, 3],
            strides: [1, 2],
            dilations: [2, 1],
            pads: [2, 1, 0, 3],
            depthwise: true
        ),
    ]

    /// Every activation the optimiser fuses into a convolution (Node.fused; a file cannot set it).
    static let activations: [Activation] = [.none, .clamp(lower: 0, upper: 6), .silu]

    /// Values in [-1, 1) from a fixed integer sequence.
    @Test(
        "same outputs as the portable path within 1e-5 relative",
        .enabled(if: FastKernel.supported, "this CPU has no AVX-512; the portable path is the only one"),
        arguments: shapes,
        activations
    )
    func matchesPortable(shape s: Shape, activation: Activation) throws {
        let group = s.depthwise ? s.channels : 1
        let attributes: [String: Attribute] = [
            "strides": .ints(s.strides), "dilations": .ints(s.dilations), "pads": .ints(s.pads), "group": .int(group),
        ]
        var node = Node(name: "conv", op: "Conv", inputs: ["x", "w", "b"], outputs: ["y"], attributes: attributes)
        node.fused = activation
        let xShape = [s.batch, s.channels, s.size[0], s.size[1]]
        let wShape = [s.outputs, s.channels / group, s.kernel[0], s.kernel[1]]
        let x = (xShape, seededValues(xShape.reduce(1, *), seed: 1))
        let w = (wShape, seededValues(wShape.reduce(1, *), seed: 2))
        let bias = seededValues(s.outputs, seed: 3)
        let fast: FastKernel = w.1.withUnsafeBufferPointer {
            s.depthwise
                ? .depthwise : .dense(PackedFilter(weights: $0, outputs: s.outputs, depth: wShape[1...].reduce(1, *)))
        }
        let expected = try ConvolutionOps.conv(node, x: x, w: w, bias: bias)
        let actual = try #require(try fast.run(node, x: x, w: w, bias: bias))
        #expect(actual.shape == expected.shape)
        let (a, e) = (actual.floats, expected.floats)
        let worst = zip(a, e).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        #expect(worst < 1e-5, "largest difference \(worst)")
    }
}
