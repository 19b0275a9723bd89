import LumenKernels
import LumenNumerics

/// A 1×1 convolution whose only reader is a depthwise convolution (the expand → depthwise step
/// of mobile networks' inverted residual blocks). The session can run the pair without ever
/// materialising the 1×1 output as planes: the 1×1 kernel writes it channel-blocked with a zero
/// border (`ChannelBlockedLayout`), exactly what the depthwise kernel reads in place, so the
/// interleaving copy between the two goes away. Found once per session by `find`; taken per
/// run only when the 1×1 output is not asked for (a capture or a graph output) and the
/// depthwise geometry gains from it (`worthBlocking`).
struct BlockedFusion: Sendable {
    /// Index of the depthwise node reading the 1×1 output.
    let consumer: Int
    /// The 1×1 weights packed for `BlockedPointwise`.
    let filter: BlockedFilter

    /// Fusable 1×1 convolutions of `model` (already prepared by `FastKernel.prepare`), by node index.
    static func find(in model: ONNXModel, consumers: [String: Int]) -> [Int: BlockedFusion] {
        var readers: [String: Int] = [:]
        for (i, node) in model.nodes.enumerated() where node.fast.map(\.isDepthwise) ?? false { readers[node.inputs[0]] = i }
        let outputs = Set(model.outputs.map(\.name))
        var found: [Int: BlockedFusion] = [:]
        for (i, node) in model.nodes.enumerated() {
            guard case .dense? = node.fast, node.outputs.count == 1, let reader = readers[node.outputs[0]],
                consumers[node.outputs[0]] == 1, !outputs.contains(node.outputs[0]),
                case .float(let shape, let weights)? = model.initializers[node.inputs[1]], shape.count == 4, shape[2] == 1, shape[3] == 1
            else { continue }
            let filter = weights.withUnsafeBufferPointer { BlockedFilter(weights: $0, outputs: shape[0], depth: shape[1]) }
            found[i] = BlockedFusion(consumer: reader, filter: filter)
        }
        return found
    }

    /// Whether the depthwise convolution `g` runs faster on blocked input than on planes: strided
    /// ones (the planes path splits every channel into stride phases first) and small images
    /// (which the planes path interleaves anyway); big stride-1 images keep one channel per vector.
    static func worthBlocking(_ g: ConvolutionGeometry) -> Bool {
        g.channels >= ChannelBlockedLayout.lanes && (g.strideY > 1 || g.strideX > 1 || g.outputHeight * g.outputWidth <= 1024)
    }

    /// Runs the 1×1 convolution `pointwise` on `x` into channel-blocked form for `depthwise`;
    /// nil when the shapes do not suit (the caller runs both nodes as usual).
    func runPointwise(
        _ pointwise: Node, x: (shape: [Int], data: [Float]), bias: [Float]?, depthwise: Node, depthwiseWeights: [Int]
    ) throws -> BlockedTensor? {
        guard x.shape.count == 4, x.shape[1] == filter.depth, bias.map({ $0.count == filter.outputs }) ?? true,
            depthwiseWeights.count == 4, depthwiseWeights[0] == filter.outputs, depthwiseWeights[1] == 1,
            depthwise.int("group", 1) == filter.outputs,
            try FastKernel.geometry(pointwise, input: x.shape, weights: [filter.outputs, filter.depth, 1, 1]).isPointwise
        else { return nil }
        let geometry = try FastKernel.geometry(depthwise, input: [x.shape[0], filter.outputs, x.shape[2], x.shape[3]], weights: depthwiseWeights)
        guard Self.worthBlocking(geometry) else { return nil }
        let tensor = BlockedTensor(layout: ChannelBlockedLayout(depthwiseInput: geometry), geometry: geometry, batch: x.shape[0])
        let activation = FastKernel.activation(pointwise), inPlane = filter.depth * x.shape[2] * x.shape[3]
        x.data.withUnsafeBufferPointer { X in
            bias.withUnsafeBufferPointer { B in
                for b in 0..<tensor.batch {
                    BlockedPointwise.run(
                        filter, input: X.baseAddress! + b * inPlane, output: tensor.storage + b * tensor.layout.count, layout: tensor.layout,
                        bias: B?.baseAddress, activation: activation, workers: Parallel.workers)
                }
            }
        }
        return tensor
    }

    /// Runs `depthwise` on the blocked output of its 1×1 producer.
    static func runDepthwise(_ depthwise: Node, input: BlockedTensor, w: (shape: [Int], data: [Float]), bias: [Float]?) throws -> Value {
        let g = input.geometry
        guard w.shape == [g.outputs, 1, g.kernelHeight, g.kernelWidth], bias.map({ $0.count == g.outputs }) ?? true else {
            throw depthwise.fail("weight \(w.shape) does not fit its input")
        }
        let plane = g.outputs * g.outputHeight * g.outputWidth, activation = FastKernel.activation(depthwise)
        let out = [Float](unsafeUninitializedCapacity: input.batch * plane) { buffer, count in
            w.data.withUnsafeBufferPointer { W in
                bias.withUnsafeBufferPointer { B in
                    for b in 0..<input.batch {
                        DepthwiseConvolution.run(
                            weights: W.baseAddress!, blocked: input.storage + b * input.layout.count, layout: input.layout,
                            output: buffer.baseAddress! + b * plane, geometry: g, bias: B?.baseAddress, activation: activation, workers: Parallel.workers)
                    }
                }
            }
            count = input.batch * plane
        }
        return .float(shape: [input.batch, g.outputs, g.outputHeight, g.outputWidth], data: out)
    }
}

/// A 1×1 convolution's output in channel-blocked form, waiting for its depthwise reader.
final class BlockedTensor: @unchecked Sendable {
    let layout: ChannelBlockedLayout
    /// The depthwise convolution that will read it.
    let geometry: ConvolutionGeometry
    let batch: Int
    let storage: UnsafeMutablePointer<Float>

    init(layout: ChannelBlockedLayout, geometry: ConvolutionGeometry, batch: Int) {
        (self.layout, self.geometry, self.batch) = (layout, geometry, batch)
        // 64-byte aligned: the 1×1 kernel stores whole pixels (16 floats) as aligned vectors.
        storage = UnsafeMutableRawPointer.allocate(byteCount: batch * layout.count * 4, alignment: 64).bindMemory(to: Float.self, capacity: batch * layout.count)
        for b in 0..<batch { layout.zeroBorder(storage + b * layout.count) }
    }

    deinit { storage.deallocate() }
}
