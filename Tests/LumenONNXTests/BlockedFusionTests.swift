import LumenKernels
import LumenONNXTestSupport
import LumenTestSupport
import Testing

@testable import LumenONNX

/// 1×1 → depthwise → 1×1 chains and 1×1 → 1×1 pairs, run by the session with the intermediate
/// outputs handed over channel-blocked (`BlockedFusion`), against the same graph on the portable path.
@Suite("1×1 → depthwise → 1×1 chains handed over channel-blocked")
struct BlockedFusionTests {
    struct Pair: Sendable, CustomTestStringConvertible {
        var batch = 1
        var inputs: Int
        var channels: Int
        var outputs = 20
        var size: [Int]
        var kernel: Int
        var strides = [1, 1]
        var dilations = [1, 1]
        var pads: [Int]
        /// Whether the session should take the blocked route for this geometry.
        var blocked = true
        var testDescription: String {
            "\(batch)×\(inputs)×\(size[0])×\(size[1]) → 1×1 → \(channels) → depthwise \(kernel)×\(kernel), strides \(strides), dilations \(dilations), pads \(pads) → 1×1 → \(outputs)"
        }
    }

    static let pairs: [Pair] = [
        // Channel counts that leave half a 32-channel group (48) or part of a 16-lane block (24, 40).
        Pair(inputs: 16, channels: 24, size: [7, 7], kernel: 3, pads: [1, 1, 1, 1]),
        Pair(batch: 2, inputs: 5, channels: 40, size: [9, 11], kernel: 5, strides: [2, 2], pads: [2, 2, 2, 2]),
        Pair(inputs: 33, channels: 48, outputs: 40, size: [30, 30], kernel: 3, pads: [1, 1, 1, 1]),
        Pair(
            inputs: 8,
            channels: 32,
            size: [21, 20],
            kernel: 3,
            strides: [2, 1],
            dilations: [2, 1],
            pads: [2, 0, 1, 3]
        ),
        Pair(inputs: 3, channels: 16, size: [45, 47], kernel: 3, strides: [2, 2], pads: [0, 1, 1, 0]),
        // A big stride-1 image hands over too; fewer than 16 channels keep the planes path.
        Pair(inputs: 4, channels: 32, size: [40, 40], kernel: 3, pads: [1, 1, 1, 1]),
        Pair(inputs: 4, channels: 8, size: [40, 40], kernel: 3, pads: [1, 1, 1, 1], blocked: false),
    ]

    /// x → Conv 1×1 → Clip [0, 6] → "mid" → depthwise Conv → SiLU → "mid2" → Conv 1×1 → y, as an
    /// exporter writes it (the optimiser fuses each activation into its Conv).
    static func model(_ p: Pair) throws -> ONNXModel {
        var graph = GraphBuilder()
        graph.input("x", [p.batch, p.inputs, p.size[0], p.size[1]])
        graph.seededInitializer("w1", shape: [p.channels, p.inputs, 1, 1], seed: 4)
        graph.seededInitializer("b1", shape: [p.channels], seed: 5)
        graph.seededInitializer("w2", shape: [p.channels, 1, p.kernel, p.kernel], seed: 6)
        graph.seededInitializer("b2", shape: [p.channels], seed: 7)
        graph.seededInitializer("w3", shape: [p.outputs, p.channels, 1, 1], seed: 10)
        graph.conv(["x", "w1", "b1"], "expanded", name: "expand")
        graph.clip("expanded", "mid", lower: 0, upper: 6)
        graph.conv(
            ["mid", "w2", "b2"],
            "filtered",
            name: "depthwise",
            group: p.channels,
            strides: p.strides,
            pads: p.pads,
            dilations: p.dilations
        )
        graph.silu("filtered", "mid2")
        graph.conv(["mid2", "w3"], "y", name: "project")
        graph.output("y")
        return try graph.model()
    }

    static func worst(_ a: Value?, _ e: Value?) -> Float {
        guard let a, let e, a.shape == e.shape else { return .infinity }
        return zip(a.floats, e.floats).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
    }

    @Test(
        "same output as the portable path; blocked only where it pays",
        .enabled(if: FastKernel.supported, "this CPU has no AVX-512; the portable path is the only one"),
        arguments: pairs
    )
    func matchesPortable(pair p: Pair) throws {
        let model = try Self.model(p)
        let fast = ONNXSession(model: model)
        let portable = ONNXSession(model: model, kernels: .portable)
        #expect(fast.fusion?.readers.count == 2)
        let x = Value.float(
            shape: [p.batch, p.inputs, p.size[0], p.size[1]],
            data: seededValues(p.batch * p.inputs * p.size[0] * p.size[1], seed: 8)
        )
        var handedOver: Set<String> = []
        let actual = try fast.run(["x": x]) { node, outputs in if outputs.isEmpty { handedOver.insert(node.name) } }
        let expected = try portable.run(["x": x])
        #expect(handedOver == (p.blocked ? ["expand", "depthwise"] : []))
        #expect(Self.worst(actual.outputs["y"], expected.outputs["y"]) < 1e-5)
    }

    @Test(
        "capturing an intermediate output turns its hand-over off and returns it as planes",
        .enabled(if: FastKernel.supported, "this CPU has no AVX-512; the portable path is the only one")
    )
    func captureMaterialises() throws {
        let p = Self.pairs[1]
        let model = try Self.model(p)
        let x = Value.float(
            shape: [p.batch, p.inputs, p.size[0], p.size[1]],
            data: seededValues(p.batch * p.inputs * p.size[0] * p.size[1], seed: 9)
        )
        for name in ["mid", "mid2"] {
            var handedOver: Set<String> = []
            let actual = try ONNXSession(model: model).run(["x": x], capture: [name]) { node, outputs in
                if outputs.isEmpty { handedOver.insert(node.name) }
            }
            let expected = try ONNXSession(model: model, kernels: .portable).run(["x": x], capture: [name])
            // Capturing "mid" leaves the depthwise node planes input, so neither hands over;
            // capturing "mid2" still lets the 1×1 hand its output to the depthwise node.
            #expect(handedOver == (name == "mid" ? [] : ["expand"]))
            #expect(Self.worst(actual.captured[name], expected.captured[name]) < 1e-5)
            #expect(Self.worst(actual.outputs["y"], expected.outputs["y"]) < 1e-5)
        }
    }

    /// x → Conv 1×1 (`middle` channels) → Clip [0, 6] → "mid" → Conv 1×1 (`outputs`) → SiLU → y.
    static func pointwiseModel(
        inputs: Int,
        middle: Int,
        outputs: Int,
        size: [Int],
        batch: Int
    ) throws -> (ONNXModel, Value) {
        var graph = GraphBuilder()
        graph.input("x", [batch, inputs, size[0], size[1]])
        graph.seededInitializer("w1", shape: [middle, inputs, 1, 1], seed: 14)
        graph.seededInitializer("b1", shape: [middle], seed: 15)
        graph.seededInitializer("w2", shape: [outputs, middle, 1, 1], seed: 16)
        graph.conv(["x", "w1", "b1"], "first_out", name: "first")
        graph.clip("first_out", "mid", lower: 0, upper: 6)
        graph.conv(["mid", "w2"], "second_out", name: "second")
        graph.silu("second_out", "y")
        graph.output("y")
        let count = batch * inputs * size[0] * size[1]
        return (
            try graph.model(), .float(shape: [batch, inputs, size[0], size[1]], data: seededValues(count, seed: 17))
        )
    }

    /// 1×1 → 1×1 shapes: output counts that end in half a 32-channel group (16, 40, 80) or a
    /// full one (32, 64), images from 7 × 7 (below the planes limit) to 45 × 50, batch 2.
    static let pointwisePairs: [(inputs: Int, middle: Int, outputs: Int, size: [Int], batch: Int)] = [
        (33, 40, 16, [7, 7], 1), (16, 80, 32, [14, 14], 2), (24, 64, 40, [9, 13], 1), (5, 16, 80, [45, 50], 1),
        (320, 96, 64, [7, 7], 1),
    ]

    @Test(
        "1×1 → 1×1 hands over blocked and matches the portable path",
        .enabled(if: FastKernel.supported, "this CPU has no AVX-512; the portable path is the only one"),
        arguments: pointwisePairs.indices
    )
    func pointwisePairMatchesPortable(index: Int) throws {
        let p = Self.pointwisePairs[index]
        let (model, x) = try Self.pointwiseModel(
            inputs: p.inputs,
            middle: p.middle,
            outputs: p.outputs,
            size: p.size,
            batch: p.batch
        )
        var handedOver: Set<String> = []
        let actual = try ONNXSession(model: model).run(["x": x]) { node, outputs in
            if outputs.isEmpty { handedOver.insert(node.name) }
        }
        let expected = try ONNXSession(model: model, kernels: .portable).run(["x": x])
        #expect(handedOver == ["first"])
        // (1e-4, the runtime's parity bound: 320- then 96-term sums of values up to 6 are added
        // in a different order than OpenBLAS does.)
        #expect(Self.worst(actual.outputs["y"], expected.outputs["y"]) < 1e-4)
        // Captured, "mid" comes back as planes (the first 1×1 then writes planes, small images
        // through the 1×1 kernel, big ones through the dense one) and matches too.
        let captured = try ONNXSession(model: model).run(["x": x], capture: ["mid"])
        let expectedMid = try ONNXSession(model: model, kernels: .portable).run(["x": x], capture: ["mid"])
        #expect(Self.worst(captured.captured["mid"], expectedMid.captured["mid"]) < 1e-4)
        #expect(Self.worst(captured.outputs["y"], expected.outputs["y"]) < 1e-4)
    }

    /// x → Conv k×k over `inputs` ≤ 4 channels (a stem) → Clip [0, 6] → "mid" → depthwise 3×3 → SiLU
    /// → "mid2" → Conv 1×1 → y.
    static func stemModel(_ s: Stem) throws -> (ONNXModel, Value) {
        var graph = GraphBuilder()
        let k = s.kernel
        graph.input("x", [s.batch, s.inputs, s.size[0], s.size[1]])
        graph.seededInitializer("w1", shape: [s.channels, s.inputs, k, k], seed: 24)
        graph.seededInitializer("b1", shape: [s.channels], seed: 25)
        graph.seededInitializer("w2", shape: [s.channels, 1, 3, 3], seed: 26)
        graph.seededInitializer("b2", shape: [s.channels], seed: 27)
        graph.seededInitializer("w3", shape: [20, s.channels, 1, 1], seed: 28)
        graph.conv(
            ["x", "w1", "b1"],
            "stem_out",
            name: "stem",
            strides: s.strides,
            pads: s.pads,
            dilations: s.dilations
        )
        graph.clip("stem_out", "mid", lower: 0, upper: 6)
        graph.conv(["mid", "w2", "b2"], "filtered", name: "depthwise", group: s.channels, pads: [1, 1, 1, 1])
        graph.silu("filtered", "mid2")
        graph.conv(["mid2", "w3"], "y", name: "project")
        graph.output("y")
        let count = s.batch * s.inputs * s.size[0] * s.size[1]
        return (
            try graph.model(),
            .float(shape: [s.batch, s.inputs, s.size[0], s.size[1]], data: seededValues(count, seed: 29))
        )
    }

    struct Stem: Sendable, CustomTestStringConvertible {
        var batch = 1
        var inputs: Int
        var channels: Int
        var size: [Int]
        var kernel = 3
        var strides = [2, 2]
        var dilations = [1, 1]
        var pads: [Int]
        var testDescription: String {
            "\(batch)×\(inputs)×\(size[0])×\(size[1]) → \(kernel)×\(kernel) strides \(strides) dilations \(dilations) pads \(pads) → \(channels)"
        }
    }

    /// EfficientNet's stem shape (pads folded in on the bottom and right only) and ones with
    /// half a 32-channel group, stride 1 with dilation, 4 channels, batch 2, rows not a multiple of 8.
    static let stems: [Stem] = [
        Stem(inputs: 3, channels: 32, size: [224, 224], pads: [0, 0, 1, 1]),
        Stem(batch: 2, inputs: 3, channels: 40, size: [33, 30], pads: [1, 1, 1, 1]),
        Stem(
            inputs: 4,
            channels: 16,
            size: [19, 21],
            kernel: 3,
            strides: [1, 1],
            dilations: [2, 2],
            pads: [2, 2, 2, 2]
        ),
        Stem(inputs: 1, channels: 48, size: [20, 27], kernel: 5, strides: [2, 1], pads: [2, 1, 0, 3]),
    ]

    @Test(
        "a stem over ≤ 4 channels hands over blocked to its depthwise reader and matches the portable path",
        .enabled(if: FastKernel.supported, "this CPU has no AVX-512; the portable path is the only one"),
        arguments: stems
    )
    func stemMatchesPortable(stem: Stem) throws {
        let (model, x) = try Self.stemModel(stem)
        var handedOver: Set<String> = []
        let actual = try ONNXSession(model: model).run(["x": x]) { node, outputs in
            if outputs.isEmpty { handedOver.insert(node.name) }
        }
        let expected = try ONNXSession(model: model, kernels: .portable).run(["x": x])
        #expect(handedOver == ["stem", "depthwise"])
        #expect(Self.worst(actual.outputs["y"], expected.outputs["y"]) < 1e-5)
    }

    @Test("a pooled buffer taken for another layout comes back with that layout's border zeroed")
    func pooledBufferBorderIsZeroed() {
        let pool = BlockedBufferPool()
        let padded = ChannelBlockedLayout(
            depthwiseInput: ConvolutionGeometry(
                channels: 40,
                height: 9,
                width: 11,
                outputs: 40,
                outputHeight: 9,
                outputWidth: 11,
                kernelHeight: 5,
                kernelWidth: 5,
                strideY: 1,
                strideX: 1,
                dilationY: 1,
                dilationX: 1,
                padTop: 2,
                padLeft: 2
            )
        )
        let (first, capacity) = pool.take(padded, batch: 1)
        let (second, _) = pool.take(padded, batch: 1)
        #expect(first != second)
        // Everything written, border included (as if the buffer had held another layout's pixels).
        first.update(repeating: 7, count: capacity)
        pool.give(
            first,
            capacity: capacity,
            layout: ChannelBlockedLayout(channels: 40, height: 13, width: 15),
            batch: 1
        )
        let (again, _) = pool.take(padded, batch: 1)
        #expect(again == first)
        var borderSum: Float = 0
        for b in 0..<padded.blocks {
            for y in 0..<padded.paddedHeight {
                for x in 0..<padded.paddedWidth {
                    let inside =
                        (padded.padTop..<(padded.padTop + padded.height)).contains(y)
                        && (padded.padLeft..<(padded.padLeft + padded.width)).contains(x)
                    if !inside {
                        for lane in 0..<16 {
                            borderSum += abs(again[b * padded.blockStride + (y * padded.paddedWidth + x) * 16 + lane])
                        }
                    }
                }
            }
        }
        #expect(borderSum == 0)
        pool.give(again, capacity: capacity, layout: padded, batch: 1)
        pool.give(second, capacity: capacity, layout: padded, batch: 1)
    }

    @Test(
        "runs after the first reuse pooled buffers and give the same result",
        .enabled(if: FastKernel.supported, "this CPU has no AVX-512; the portable path is the only one")
    )
    func repeatedRunsAgree() throws {
        let p = Self.pairs[1]
        let model = try Self.model(p)
        let session = ONNXSession(model: model)
        let x = Value.float(
            shape: [p.batch, p.inputs, p.size[0], p.size[1]],
            data: seededValues(p.batch * p.inputs * p.size[0] * p.size[1], seed: 31)
        )
        let first = try session.run(["x": x]).outputs["y"]
        for _ in 0..<3 { #expect(try session.run(["x": x]).outputs["y"]?.floats == first?.floats) }
    }

    @Test("an output read by two nodes is never handed over")
    func sharedOutputIsNotFused() throws {
        var model = try Self.model(Self.pairs[0])
        model.nodes.append(Node(name: "second reader", op: "Relu", inputs: ["mid"], outputs: ["z"], attributes: [:]))
        model.outputs.append(ValueInfo(name: "z", dimensions: [nil, nil, nil, nil]))
        let readers = ONNXSession(model: model).fusion?.readers ?? [:]
        #expect(readers[0] == nil)
        #expect(readers[1] == (FastKernel.supported ? 2 : nil))
    }
}
