import LumenKernels
import LumenNumerics
import LumenONNXTestSupport
import LumenTestSupport
import Testing

@testable import LumenONNX

/// The kernels' work splits for machines of 1 to 16 cores, run here whatever this machine has
/// (`Parallel.withWorkers`): every split must cover each output exactly once. Channel counts
/// are the awkward ones real exports have (squeeze-excitation 1×1 convolutions on 1×1 maps with
/// 88, 104, 200 or 480 outputs; 7·⌈blocks/8⌉ > blocks is what trapped on two cores).
@Suite("Kernels give the same result for every worker count")
struct WorkerCountTests {
    static let workerCounts = [1, 2, 3, 5, 8, 16]

    static let shapes: [FastConvolutionTests.Shape] = [
        .init(channels: 22, size: [1, 1], outputs: 88, kernel: [1, 1]),
        .init(channels: 120, size: [1, 1], outputs: 480, kernel: [1, 1]),
        .init(channels: 480, size: [1, 1], outputs: 120, kernel: [1, 1]),
        .init(channels: 50, size: [2, 2], outputs: 200, kernel: [1, 1]),
        .init(channels: 16, size: [7, 7], outputs: 104, kernel: [3, 3], pads: [1, 1, 1, 1]),
        .init(channels: 12, size: [8, 20], outputs: 88, kernel: [3, 3], strides: [2, 1], pads: [1, 1, 1, 1]),
        .init(batch: 2, channels: 9, size: [5, 3], outputs: 200, kernel: [1, 1]),
        .init(channels: 3, size: [33, 31], outputs: 40, kernel: [3, 3], strides: [2, 2], pads: [0, 1, 1, 0]),
        .init(
            channels: 88,
            size: [6, 20],
            outputs: 88,
            kernel: [3, 3],
            strides: [2, 1],
            pads: [1, 1, 1, 1],
            depthwise: true
        ),
        .init(channels: 480, size: [3, 3], outputs: 480, kernel: [5, 5], pads: [2, 2, 2, 2], depthwise: true),
        .init(
            channels: 13,
            size: [40, 41],
            outputs: 13,
            kernel: [3, 3],
            strides: [2, 1],
            pads: [1, 1, 1, 1],
            depthwise: true
        ),
    ]

    @Test(
        "a convolution on the AVX-512 kernels matches the portable path for 1, 2, 3, 5, 8 and 16 workers",
        .enabled(if: FastKernel.supported, "this CPU has no AVX-512: only the portable path runs"),
        arguments: shapes
    )
    func convolutionMatchesPortable(shape s: FastConvolutionTests.Shape) throws {
        let group = s.depthwise ? s.channels : 1
        let node = Node(
            name: "conv",
            op: "Conv",
            inputs: ["x", "w", "b"],
            outputs: ["y"],
            attributes: ["strides": .ints(s.strides), "pads": .ints(s.pads), "group": .int(group)]
        ).fusing(.silu)
        let xShape = [s.batch, s.channels, s.size[0], s.size[1]]
        let wShape = [s.outputs, s.channels / group, s.kernel[0], s.kernel[1]]
        let x = (xShape, seededValues(xShape.reduce(1, *), seed: 11))
        let w = (wShape, seededValues(wShape.reduce(1, *), seed: 12))
        let bias = seededValues(s.outputs, seed: 13)
        let fast: FastKernel = w.1.withUnsafeBufferPointer {
            s.depthwise
                ? .depthwise : .dense(PackedFilter(weights: $0, outputs: s.outputs, depth: wShape[1...].reduce(1, *)))
        }
        let expected = try ConvolutionOps.conv(node, x: x, w: w, bias: bias)
        for workers in Self.workerCounts {
            let actual = try Parallel.withWorkers(workers) { try fast.run(node, x: x, w: w, bias: bias) }
            let worst = BlockedFusionTests.worst(actual, expected)
            #expect(worst < 1e-5, "\(workers) workers: largest difference \(worst)")
        }
    }

    @Test(
        "the one-row matrix–vector kernel matches Double sums for every worker count",
        .enabled(if: FastKernel.supported, "this CPU has no AVX-512"),
        arguments: [(rows: 88, cols: 1280), (rows: 1000, cols: 480), (rows: 7, cols: 20000)]
    )
    func matrixVector(shape: (rows: Int, cols: Int)) {
        let a = seededValues(shape.rows * shape.cols, seed: 21)
        let x = seededValues(shape.cols, seed: 22)
        let expected = (0..<shape.rows).map { i in
            (0..<shape.cols).reduce(0.0) { $0 + Double(a[i * shape.cols + $1]) * Double(x[$1]) }
        }
        for workers in Self.workerCounts {
            var y = [Float](repeating: 0, count: shape.rows)
            MatrixVector.run(
                a,
                rows: shape.rows,
                cols: shape.cols,
                lda: shape.cols,
                x: x,
                y: &y,
                accumulate: false,
                workers: workers
            )
            let worst = zip(y, expected).map { abs(Double($0) - $1) }.max() ?? .infinity
            #expect(worst < 1e-3, "\(workers) workers: largest difference \(worst)")
        }
    }

    /// Squeeze-excitation blocks as PaddleOCR and MobileNetV3 export them (operator fixtures made
    /// by scripts/make-onnx-fixtures.py with onnxruntime's outputs).
    static let blocks = ["se_block_paddle", "se_block_mbconv"]

    @Test("squeeze-excitation blocks match onnxruntime for every worker count, fused and inspected", arguments: blocks)
    func squeezeExcitationBlocks(name: String) throws {
        let model = try ONNXModel.load(Fixtures.url("onnx/ops/\(name).onnx"))
        let input = try OperatorParityTests.value("onnx/ops/\(name).in.x.npy")
        let expected = try OperatorParityTests.value("onnx/ops/\(name).out.y.npy")
        for kernels in ONNXSession.KernelChoice.allCases {
            for workers in Self.workerCounts {
                let session = ONNXSession(model: model, kernels: kernels, workers: workers)
                let output = try #require(try session.run(["x": input]).outputs["y"])
                let (ok, detail) = OperatorParityTests.matches(output, expected)
                #expect(ok, "\(kernels), \(workers) workers: \(detail)")
                // `inspect` runs every convolution unfused: where the trap was first seen.
                let rows = try session.inspect(inputShapes: ["x": input.shape])
                #expect(rows.last?.shape == expected.shape, "\(kernels), \(workers) workers")
            }
        }
    }

    /// Grouped (not depthwise) convolutions as ResNeXt and RegNet export them: groups of 4–16
    /// channels, strided, 1×1 and 3×3, batch 2, more and fewer groups than workers.
    static let groupedShapes:
        [(batch: Int, channels: Int, outputs: Int, groups: Int, size: Int, kernel: Int, stride: Int)] =
            [
                (1, 32, 32, 4, 14, 3, 1), (1, 48, 48, 3, 15, 3, 2), (1, 64, 64, 16, 7, 3, 1), (2, 20, 10, 5, 9, 3, 1),
                (1, 24, 48, 2, 11, 1, 1), (1, 96, 96, 6, 28, 3, 2),
            ]

    @Test(
        "a grouped convolution on the AVX-512 kernels matches the portable path for 1, 2, 3, 5, 8 and 16 workers",
        .enabled(if: FastKernel.supported, "this CPU has no AVX-512: only the portable path runs"),
        arguments: groupedShapes.indices
    )
    func groupedConvolutionMatchesPortable(index: Int) throws {
        let s = Self.groupedShapes[index]
        var graph = GraphBuilder()
        graph.input("x", [s.batch, s.channels, s.size, s.size])
        graph.seededInitializer(
            "w",
            shape: [s.outputs, s.channels / s.groups, s.kernel, s.kernel],
            seed: 31,
            scale: 0.3
        )
        graph.seededInitializer("b", shape: [s.outputs], seed: 32)
        let pad = s.kernel / 2
        graph.conv(
            ["x", "w", "b"],
            "c",
            name: "grouped",
            group: s.groups,
            strides: [s.stride, s.stride],
            pads: [pad, pad, pad, pad]
        )
        graph.node("Relu", ["c"], ["y"])
        graph.output("y")
        let model = try graph.model()
        let fast = ONNXSession(model: model)
        guard case .grouped(let filters)? = fast.model.nodes[0].fast else {
            Issue.record("the grouped convolution is not on the AVX-512 kernels")
            return
        }
        #expect(filters.count == s.groups)
        let x = Value.float(
            shape: [s.batch, s.channels, s.size, s.size],
            data: seededValues(s.batch * s.channels * s.size * s.size, seed: 33)
        )
        let expected = try ONNXSession(model: model, kernels: .portable).run(["x": x]).outputs["y"]
        for workers in Self.workerCounts {
            let actual = try Parallel.withWorkers(workers) { try fast.run(["x": x]).outputs["y"] }
            let worst = BlockedFusionTests.worst(actual, expected)
            #expect(worst < 1e-5, "\(workers) workers: largest difference \(worst)")
        }
    }

    /// MatMul by a constant matrix as ConvNeXt's NHWC blocks have it (… × K) · (K × N): rows and
    /// columns that leave partial 8 × 32 blocks, batch dimensions, more rows than columns and fewer.
    static let matrixShapes: [(a: [Int], n: Int)] = [
        ([1, 56, 56, 96], 384), ([2, 5, 7, 19], 45), ([3, 200], 33), ([70, 9], 300),
    ]

    @Test(
        "a MatMul by a constant matrix on the convolution kernel matches OpenBLAS for 1, 2, 3, 5, 8 and 16 workers",
        .enabled(if: FastKernel.supported, "this CPU has no AVX-512: only the portable path runs"),
        arguments: matrixShapes.indices
    )
    func matrixProductMatchesPortable(index: Int) throws {
        let (shape, n) = Self.matrixShapes[index]
        let k = shape.last!
        var graph = GraphBuilder()
        graph.input("x", shape.map { $0 })
        graph.seededInitializer("w", shape: [k, n], seed: 51, scale: 0.5)
        graph.node("MatMul", ["x", "w"], ["y"], name: "product")
        graph.output("y")
        let model = try graph.model()
        let fast = ONNXSession(model: model)
        guard case .matrixProduct? = fast.model.nodes[0].fast else {
            Issue.record("the MatMul is not on the AVX-512 kernels")
            return
        }
        let x = Value.float(shape: shape, data: seededValues(shape.reduce(1, *), seed: 52))
        let expected = try ONNXSession(model: model, kernels: .portable).run(["x": x]).outputs["y"]
        #expect(expected?.shape == Array(shape.dropLast()) + [n])
        for workers in Self.workerCounts {
            let actual = try Parallel.withWorkers(workers) { try fast.run(["x": x]).outputs["y"] }
            let worst = BlockedFusionTests.worst(actual, expected)
            #expect(worst < 1e-5, "\(workers) workers: largest difference \(worst)")
        }
    }

    @Test("Parallel.share tiles 0..<total exactly for any number of parts")
    func shareTiles() {
        for total in [0, 1, 7, 9, 13, 88, 480] {
            for parts in 1...70 {
                let ranges = (0..<parts).map { Parallel.share(total, part: $0, of: parts) }
                #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == total, "\(total) in \(parts)")
                #expect(
                    zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound },
                    "\(total) in \(parts)"
                )
                #expect(ranges.allSatisfy { $0.count <= total / parts + 1 }, "\(total) in \(parts)")
            }
        }
    }

    @Test("withWorkers is seen inside Parallel.map and clamped to 1…64")
    func workerOverride() {
        #expect(Parallel.withWorkers(5) { Parallel.workers } == 5)
        #expect(Parallel.withWorkers(0) { Parallel.workers } == 1)
        #expect(Parallel.withWorkers(1000) { Parallel.workers } == 64)
        let seen = Parallel.withWorkers(7) { Parallel.map(4) { _ in Parallel.workers } }
        #expect(seen == [7, 7, 7, 7])
    }
}

extension Node {
    /// The node with `activation` fused into it, as the graph optimiser fuses a following
    /// Relu / Clip / SiLU (a file cannot ask for it).
    func fusing(_ activation: Activation) -> Node {
        var node = self
        node.fused = activation
        return node
    }
}
