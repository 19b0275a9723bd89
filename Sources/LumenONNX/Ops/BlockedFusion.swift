import LumenKernels
import LumenNumerics

/// Hand-overs in channel-blocked form along the expand (1×1) → depthwise → project (1×1) chains
/// of mobile networks' inverted residual blocks, and between consecutive 1×1 convolutions
/// (EfficientNet's last project → head). Where a node's output has exactly one reader and that
/// pair is 1×1 → depthwise, depthwise → 1×1 or 1×1 → 1×1, the session can pass the output in the
/// kernels' blocked layout (`ChannelBlockedLayout`, sixteen channels per pixel) instead of as
/// planes: the depthwise kernel reads a zero-bordered blocked image in place and writes its
/// output blocked, and the 1×1 kernel (`BlockedPointwise`) reads and writes either form, so the
/// copies that interleave channels before a depthwise convolution and scatter them after it go
/// away. Found once per session (`init`); taken per run only for outputs that are not asked for
/// (captures, graph outputs), and into a depthwise convolution only where it gains (`worthBlocking`).
/// Any other 1×1 convolution on a small image (`planesLimit`) also runs on `BlockedPointwise`,
/// planes to planes: it wastes no positions on 7 × 7 or 14 × 14 planes.
struct BlockedFusion: Sendable {
    /// Every 1×1 convolution with constant weights, packed for `BlockedPointwise`, by node index.
    let filters: [Int: BlockedFilter]
    /// Dense convolutions over few channels that hand over to a depthwise one, packed for `BlockedStem`.
    let stems: [Int: BlockedFilter]
    /// The one reader of a node's output, by node index, where the pair can hand over blocked.
    let readers: [Int: Int]
    /// Storage for the blocked tensors of this session's runs.
    let pool = BlockedBufferPool()

    /// Finds the hand-overs of `model` (already prepared by `FastKernel.prepare`).
    init(model: ONNXModel, consumers: [String: Int]) {
        var filters: [Int: BlockedFilter] = [:]
        var stems: [Int: BlockedFilter] = [:]
        var readers: [Int: Int] = [:]
        var reader: [String: Int] = [:]
        for (i, node) in model.nodes.enumerated() where node.fast != nil && !node.inputs.isEmpty {
            reader[node.inputs[0]] = i
        }
        let outputs = Set(model.outputs.map(\.name))
        for (i, node) in model.nodes.enumerated() {
            guard case .dense? = node.fast, case .float(let shape, let weights)? = model.initializers[node.inputs[1]],
                shape.count == 4, shape[2] == 1, shape[3] == 1
            else { continue }
            filters[i] = weights.withUnsafeBufferPointer {
                BlockedFilter(weights: $0, outputs: shape[0], depth: shape[1])
            }
        }
        for (i, node) in model.nodes.enumerated() where node.fast != nil && node.outputs.count == 1 {
            let name = node.outputs[0]
            guard let r = reader[name], consumers[name] == 1, !outputs.contains(name) else { continue }
            let depthwise = node.fast?.isDepthwise ?? false
            let readerDepthwise = model.nodes[r].fast?.isDepthwise ?? false
            let pointwise = filters[i] != nil
            let readerPointwise = filters[r] != nil
            if (depthwise && readerPointwise) || (readerDepthwise && pointwise) || (pointwise && readerPointwise) {
                readers[i] = r
            }
            // A dense convolution over at most four channels (a stem over RGB) before a depthwise one.
            if readerDepthwise, case .dense? = node.fast,
                case .float(let shape, let weights)? = model.initializers[node.inputs[1]],
                shape.count == 4, shape[1] <= 4, shape[2] * shape[3] > 1
            {
                stems[i] = weights.withUnsafeBufferPointer {
                    BlockedFilter(weights: $0, outputs: shape[0], depth: shape[1] * shape[2] * shape[3])
                }
                readers[i] = r
            }
        }
        (self.filters, self.stems, self.readers) = (filters, stems, readers)
    }

    /// Whether the depthwise convolution `g` runs on blocked input: when it has at least one
    /// full block of channels. Blocked in and out beats the planes paths at every size measured,
    /// big stride-1 images included (`lumen-bench onnx --profile` shows the per-layer times).
    static func worthBlocking(_ g: ConvolutionGeometry) -> Bool { g.channels >= ChannelBlockedLayout.lanes }

    /// Planes to planes, the 1×1 kernel beats the dense one on images of up to this many
    /// pixels (7², 14², 20² measured faster; 40² even, 80² slower).
    static let planesLimit = 1024

    /// The depthwise convolution `node` on an N × C × H × W input, if it can take blocked input.
    func depthwiseGeometry(_ node: Node, input: [Int], model: ONNXModel) throws -> ConvolutionGeometry? {
        guard node.fast?.isDepthwise ?? false, input.count == 4, let w = model.initializers[node.inputs[1]]?.shape,
            w.count == 4,
            w[0] == input[1], w[1] == 1, node.int("group", 1) == input[1]
        else { return nil }
        let g = try FastKernel.geometry(node, input: input, weights: w)
        return FastKernel.suits(g) && Self.worthBlocking(g) ? g : nil
    }

    /// Whether the 1×1 convolution at `index` reads an N × C × H × W input as a plain matrix product.
    func isPointwise(_ index: Int, input: [Int], model: ONNXModel) throws -> Bool {
        guard let filter = filters[index], input.count == 4, input[1] == filter.depth else { return false }
        return try FastKernel.geometry(model.nodes[index], input: input, weights: [filter.outputs, filter.depth, 1, 1])
            .isPointwise
    }

    /// Runs node `index` when it reads a blocked tensor, hands its output over (`handOver`: its
    /// output is not asked for) or is a 1×1 convolution on a small image; nil when it takes none
    /// of these routes (the session runs it as usual).
    /// Returns the node's output as planes, or in blocked form for its reader.
    func run(
        _ index: Int,
        model: ONNXModel,
        args: [Value?],
        blockedInput: BlockedTensor?,
        handOver: Bool
    ) throws -> (planes: Value?, blocked: BlockedTensor?)? {
        let bias = args.count > 2 ? args[2]?.floats : nil
        if let filter = filters[index] {
            return try runPointwise(
                index,
                filter: filter,
                model: model,
                args: args,
                bias: bias,
                blockedInput: blockedInput,
                handOver: handOver
            )
        }
        if let filter = stems[index] {
            return try runStem(index, filter: filter, model: model, args: args, bias: bias, handOver: handOver)
        }
        guard let input = blockedInput else { return nil }
        return try runDepthwise(index, model: model, args: args, bias: bias, input: input, handOver: handOver)
    }

    /// A 1×1 convolution from planes or blocked input, to planes, or blocked for its reader (padded
    /// for a depthwise one, unpadded for a 1×1 one).
    func runPointwise(
        _ index: Int,
        filter: BlockedFilter,
        model: ONNXModel,
        args: [Value?],
        bias: [Float]?,
        blockedInput: BlockedTensor?,
        handOver: Bool
    ) throws -> (planes: Value?, blocked: BlockedTensor?)? {
        let node = model.nodes[index]
        let shape =
            try blockedInput.map { [$0.batch, $0.layout.channels, $0.layout.height, $0.layout.width] }
            ?? node.floats(args, 0).shape
        guard try isPointwise(index, input: shape, model: model), bias.map({ $0.count == filter.outputs }) ?? true
        else {
            if blockedInput != nil { throw node.fail("its input does not fit its weights") }
            return nil
        }
        let (batch, height, width) = (shape[0], shape[2], shape[3])
        let reader = handOver ? readers[index] : nil
        let outShape = [batch, filter.outputs, height, width]
        let next = try reader.flatMap { try depthwiseGeometry(model.nodes[$0], input: outShape, model: model) }
        let nextPointwise =
            try next == nil && reader.map { try isPointwise($0, input: outShape, model: model) } ?? false
        guard blockedInput != nil || next != nil || nextPointwise || height * width <= Self.planesLimit else {
            return nil
        }
        let x = blockedInput == nil ? try node.floats(args, 0).data : []
        let into =
            next.map { Self.Target.blocked(ChannelBlockedLayout(depthwiseInput: $0), reader: $0) }
            ?? (nextPointwise
                ? .blocked(ChannelBlockedLayout(channels: filter.outputs, height: height, width: width), reader: nil)
                : .planes(outShape))
        return x.withUnsafeBufferPointer { X in
            let from = blockedInput.map { TensorForm.blocked($0.layout) } ?? .planes
            let inCount = blockedInput?.layout.count ?? filter.depth * height * width
            let source = blockedInput.map { UnsafePointer($0.storage) } ?? X.baseAddress!
            return emit(into, batch: batch) { output, form, outCount in
                bias.withUnsafeBufferPointer { B in
                    for b in 0..<batch {
                        BlockedPointwise.run(
                            filter,
                            input: source + b * inCount,
                            from,
                            output: output + b * outCount,
                            form,
                            height: height,
                            width: width,
                            bias: B?.baseAddress,
                            activation: FastKernel.activation(node),
                            workers: Parallel.workers
                        )
                    }
                }
            }
        }
    }

    /// A stem convolution from planes, blocked for its depthwise reader (nil when it does not hand over).
    func runStem(
        _ index: Int,
        filter: BlockedFilter,
        model: ONNXModel,
        args: [Value?],
        bias: [Float]?,
        handOver: Bool
    ) throws -> (planes: Value?, blocked: BlockedTensor?)? {
        let node = model.nodes[index]
        guard handOver, let r = readers[index], bias.map({ $0.count == filter.outputs }) ?? true else { return nil }
        let x = try node.floats(args, 0)
        guard x.shape.count == 4, let w = model.initializers[node.inputs[1]]?.shape, w.count == 4, w[1] == x.shape[1]
        else { return nil }
        let g = try FastKernel.geometry(node, input: x.shape, weights: w)
        guard FastKernel.suits(g),
            let next = try depthwiseGeometry(
                model.nodes[r],
                input: [x.shape[0], g.outputs, g.outputHeight, g.outputWidth],
                model: model
            )
        else { return nil }
        let layout = ChannelBlockedLayout(depthwiseInput: next)
        let perImage = g.channels * g.height * g.width
        return x.data.withUnsafeBufferPointer { X in
            emit(.blocked(layout, reader: next), batch: x.shape[0]) { output, _, outCount in
                bias.withUnsafeBufferPointer { B in
                    for b in 0..<x.shape[0] {
                        BlockedStem.run(
                            filter,
                            input: X.baseAddress! + b * perImage,
                            geometry: g,
                            output: output + b * outCount,
                            layout: layout,
                            bias: B?.baseAddress,
                            activation: FastKernel.activation(node),
                            workers: Parallel.workers
                        )
                    }
                }
            }
        }
    }

    /// A depthwise convolution from blocked input, to planes, or blocked (unpadded) for a 1×1 reader.
    func runDepthwise(
        _ index: Int,
        model: ONNXModel,
        args: [Value?],
        bias: [Float]?,
        input: BlockedTensor,
        handOver: Bool
    ) throws -> (planes: Value?, blocked: BlockedTensor?)? {
        let node = model.nodes[index]
        guard let g = input.geometry else { return nil }
        let w = try node.floats(args, 1)
        guard w.shape == [g.outputs, 1, g.kernelHeight, g.kernelWidth], bias.map({ $0.count == g.outputs }) ?? true
        else {
            throw node.fail("weight \(w.shape) does not fit its input")
        }
        let shape = [input.batch, g.outputs, g.outputHeight, g.outputWidth]
        let blockedOut =
            try handOver && (readers[index].map { try isPointwise($0, input: shape, model: model) } ?? false)
        let into =
            blockedOut
            ? Self.Target.blocked(
                ChannelBlockedLayout(channels: g.outputs, height: g.outputHeight, width: g.outputWidth),
                reader: nil
            ) : .planes(shape)
        return w.data.withUnsafeBufferPointer { W in
            emit(into, batch: input.batch) { output, form, outCount in
                bias.withUnsafeBufferPointer { B in
                    for b in 0..<input.batch {
                        DepthwiseConvolution.run(
                            weights: W.baseAddress!,
                            blocked: input.storage + b * input.layout.count,
                            layout: input.layout,
                            output: output + b * outCount,
                            blockedOutput: form != .planes,
                            geometry: g,
                            bias: B?.baseAddress,
                            activation: FastKernel.activation(node),
                            workers: Parallel.workers
                        )
                    }
                }
            }
        }
    }

    /// Where a node's output goes: planes of the given shape, or a blocked tensor for its reader
    /// (`reader`: the depthwise geometry that will read it, nil for a 1×1 reader).
    enum Target {
        case planes([Int])
        case blocked(ChannelBlockedLayout, reader: ConvolutionGeometry?)
    }

    /// Allocates the output `target` describes and has `compute(output, form, floats per image)` fill it.
    func emit(
        _ target: Target,
        batch: Int,
        _ compute: (UnsafeMutablePointer<Float>, TensorForm, Int) -> Void
    ) -> (planes: Value?, blocked: BlockedTensor?) {
        switch target {
        case .blocked(let layout, let reader):
            let tensor = BlockedTensor(layout: layout, batch: batch, geometry: reader, pool: pool)
            compute(tensor.storage, .blocked(layout), layout.count)
            return (nil, tensor)
        case .planes(let shape):
            let perImage = shape.dropFirst().reduce(1, *)
            let out = [Float](unsafeUninitializedCapacity: batch * perImage) { buffer, count in
                compute(buffer.baseAddress!, .planes, perImage)
                count = batch * perImage
            }
            return (.float(shape: shape, data: out), nil)
        }
    }
}
