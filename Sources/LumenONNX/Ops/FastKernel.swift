import CCPUFeatures
import LumenKernels
import LumenNumerics

/// How a node runs on LumenKernels' AVX-512 kernels: a dense convolution (one group, weights
/// packed once when the session is made), a depthwise one (one filter per channel), or an
/// activation computed with vector `exp` (Sigmoid, Softmax) or the vector Erf. Chosen per node by `prepare`
/// (convolutions only when their weights are constants); every other node, and every node on a
/// CPU without AVX-512, takes the portable path (im2col + OpenBLAS for convolutions).
enum FastKernel: Sendable {
    case dense(PackedFilter)
    /// A grouped convolution that is not depthwise (ResNeXt, RegNet): one dense filter per group.
    case grouped([PackedFilter])
    case depthwise
    case vectorMath
    /// A MatMul by a constant 2-D matrix: A·B as a 1×1 convolution with A packed as the filter
    /// and B read as K input planes of N positions (OpenBLAS's kernels for the CPU it detects
    /// may be far slower than these).
    case matrixProduct

    var isDepthwise: Bool {
        if case .depthwise = self { return true }
        return false
    }

    /// Whether this CPU runs the AVX-512 kernels.
    static let supported = lumen_cpu_has_avx512() == 1

    /// Marks every node of `model` that a fast kernel can run.
    static func prepare(_ model: inout ONNXModel) {
        for i in model.nodes.indices where ["Sigmoid", "Softmax", "Erf", "Gelu"].contains(model.nodes[i].op) {
            model.nodes[i].fast = .vectorMath
        }
        for i in model.nodes.indices where model.nodes[i].op == "MatMul" && model.nodes[i].inputs.count == 2 {
            if case .float(let shape, _)? = model.initializers[model.nodes[i].inputs[1]], shape.count == 2 {
                model.nodes[i].fast = .matrixProduct
            }
        }
        for i in model.nodes.indices where model.nodes[i].op == "Conv" {
            let node = model.nodes[i]
            guard node.inputs.count >= 2, case .float(let shape, let weights)? = model.initializers[node.inputs[1]],
                shape.count == 4, shape.allSatisfy({ $0 > 0 })
            else { continue }
            if node.inputs.count > 2 && !node.inputs[2].isEmpty && model.initializers[node.inputs[2]] == nil {
                continue
            }
            let group = node.int("group", 1)
            if group == 1 {
                let depth = shape[1] * shape[2] * shape[3]
                model.nodes[i].fast = weights.withUnsafeBufferPointer {
                    .dense(PackedFilter(weights: $0, outputs: shape[0], depth: depth))
                }
            } else if group == shape[0] && shape[1] == 1 {
                model.nodes[i].fast = .depthwise
            } else if group > 1, shape[0] % group == 0 {
                let (outputs, depth) = (shape[0] / group, shape[1] * shape[2] * shape[3])
                model.nodes[i].fast = weights.withUnsafeBufferPointer { all in
                    .grouped(
                        (0..<group).map { g in
                            PackedFilter(
                                weights: UnsafeBufferPointer(
                                    rebasing: all[(g * outputs * depth)..<((g + 1) * outputs * depth)]
                                ),
                                outputs: outputs,
                                depth: depth
                            )
                        }
                    )
                }
            }
        }
    }

    /// Runs the node's convolution; nil when the input does not suit the prepared kernel (the
    /// caller then takes the portable path, which also reports shape errors).
    func run(
        _ n: Node,
        x: (shape: [Int], data: [Float]),
        w: (shape: [Int], data: [Float]),
        bias: [Float]?
    ) throws -> Value? {
        guard x.shape.count == 4, w.shape.count == 4, bias.map({ $0.count == w.shape[0] }) ?? true else { return nil }
        let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        switch self {
        case .dense(let filter): guard channels == w.shape[1], filter.outputs == w.shape[0] else { return nil }
        case .grouped(let filters):
            guard n.int("group", 1) == filters.count, channels == w.shape[1] * filters.count,
                filters.allSatisfy({ $0.outputs * filters.count == w.shape[0] })
            else { return nil }
        case .depthwise: guard channels == w.shape[0], n.int("group", 1) == channels else { return nil }
        case .vectorMath, .matrixProduct: return nil
        }
        let geometry = try Self.geometry(n, input: x.shape, weights: w.shape)
        guard Self.suits(geometry) else { return nil }
        let activation = Self.activation(n)
        let inPlane = channels * height * width
        let outPlane = geometry.outputs * geometry.outputHeight * geometry.outputWidth
        let out = [Float](unsafeUninitializedCapacity: batch * outPlane) { buffer, count in
            x.data.withUnsafeBufferPointer { X in
                w.data.withUnsafeBufferPointer { W in
                    bias.withUnsafeBufferPointer { B in
                        for b in 0..<batch {
                            let input = X.baseAddress! + b * inPlane
                            let output = buffer.baseAddress! + b * outPlane
                            switch self {
                            case .dense(let filter):
                                Convolution.run(
                                    filter,
                                    input: input,
                                    output: output,
                                    geometry: geometry,
                                    bias: B?.baseAddress,
                                    activation: activation,
                                    workers: Parallel.workers
                                )
                            case .grouped(let filters):
                                Self.runGroups(
                                    filters,
                                    input: input,
                                    output: output,
                                    geometry: geometry,
                                    bias: B?.baseAddress,
                                    activation: activation
                                )
                            case .depthwise:
                                DepthwiseConvolution.run(
                                    weights: W.baseAddress!,
                                    input: input,
                                    output: output,
                                    geometry: geometry,
                                    bias: B?.baseAddress,
                                    activation: activation,
                                    workers: Parallel.workers
                                )
                            case .vectorMath, .matrixProduct: break
                            }
                        }
                    }
                }
            }
            count = batch * outPlane
        }
        return .float(shape: [batch, geometry.outputs, geometry.outputHeight, geometry.outputWidth], data: out)
    }

    /// A grouped convolution as one dense convolution per group (each group's input channels and
    /// outputs are contiguous planes). With at least as many groups as workers, each worker runs
    /// whole groups on its own; otherwise the groups run one after another on all workers.
    static func runGroups(
        _ filters: [PackedFilter],
        input: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>,
        geometry: ConvolutionGeometry,
        bias: UnsafePointer<Float>?,
        activation: Activation
    ) {
        let groups = filters.count
        var g = geometry
        (g.channels, g.outputs) = (geometry.channels / groups, geometry.outputs / groups)
        let inStride = g.channels * g.height * g.width
        let outStride = g.outputs * g.outputHeight * g.outputWidth
        let workers = Parallel.workers
        func run(_ k: Int, workers: Int) {
            Convolution.run(
                filters[k],
                input: input + k * inStride,
                output: output + k * outStride,
                geometry: g,
                bias: bias.map { $0 + k * g.outputs },
                activation: activation,
                workers: workers
            )
        }
        if groups >= workers {
            Parallel.onPool(workers: workers) { worker, count in
                for k in Parallel.share(groups, part: worker, of: count) { run(k, workers: 1) }
            }
        } else {
            for k in 0..<groups { run(k, workers: workers) }
        }
    }

    /// The kernels' description of convolution `n` on a 4-D input of shape `input` (N × C × H × W)
    /// with weights of shape `weights` (M × C/group × kh × kw).
    static func geometry(_ n: Node, input: [Int], weights: [Int]) throws -> ConvolutionGeometry {
        let g = try ConvolutionOps.geometry(n, input: [input[2], input[3]], kernel: [weights[2], weights[3]])
        _ = try n.count([input[0], weights[0], g.output[0], g.output[1]])
        // The kernels' zero-padded copy of the input.
        _ = try n.count([input[1], input[2] + g.padBegin[0] + g.padEnd[0], input[3] + g.padBegin[1] + g.padEnd[1]])
        return ConvolutionGeometry(
            channels: input[1],
            height: input[2],
            width: input[3],
            outputs: weights[0],
            outputHeight: g.output[0],
            outputWidth: g.output[1],
            kernelHeight: g.kernel[0],
            kernelWidth: g.kernel[1],
            strideY: g.strides[0],
            strideX: g.strides[1],
            dilationY: g.dilations[0],
            dilationX: g.dilations[1],
            padTop: g.padBegin[0],
            padLeft: g.padBegin[1]
        )
    }

    /// Whether the kernels take this geometry: strides and dilations up to 16 (real networks use
    /// 1–3; larger ones, as a hostile file may declare, take the portable path).
    static func suits(_ g: ConvolutionGeometry) -> Bool {
        [g.strideY, g.strideX, g.dilationY, g.dilationX].allSatisfy { $0 <= 16 }
    }

    /// The activation the graph optimiser fused into the node.
    static func activation(_ n: Node) -> Activation {
        if case .clamp(lower: let lo, upper: let hi) = n.fused, lo == -.infinity, hi == .infinity { return .none }
        return n.fused
    }
}

extension Optional where Wrapped == [Float] {
    /// The array's buffer (nil for nil) for the duration of `body`.
    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>?) -> R) -> R {
        switch self {
        case .some(let array): array.withUnsafeBufferPointer { body($0) }
        case .none: body(nil)
        }
    }
}
