import LumenNumerics

/// Runs a loaded model: nodes in graph order, each value freed after its last consumer unless it
/// is an output or was asked for (`capture`), so intermediate layers can be read for EigenCAM.
public struct ONNXSession: Sendable {
    public let model: ONNXModel
    /// How many nodes read each value.
    let consumers: [String: Int]
    /// Where nodes can hand their outputs to their readers channel-blocked (nil on the portable path).
    let fusion: BlockedFusion?

    /// How many workers the kernels split each layer into (nil: `Parallel.workers` of the caller).
    public let workers: Int?

    /// `kernels: .portable` runs every node on the portable path (convolutions through im2col +
    /// OpenBLAS) even where the AVX-512 kernels could run; `.automatic` uses them when the CPU
    /// has AVX-512 (convolutions with constant weights, whose packed copy the session keeps,
    /// and Sigmoid/Softmax). `workers` fixes how each layer's work is split (1…64) whatever the
    /// machine's core count: the result is the same for every count, which the tests check.
    public init(model: ONNXModel, kernels: KernelChoice = .automatic, workers: Int? = nil) {
        self.workers = workers
        var model = model
        if kernels == .automatic && FastKernel.supported { FastKernel.prepare(&model) }
        self.model = model
        var consumers: [String: Int] = [:]
        for node in model.nodes { for input in node.inputs where !input.isEmpty { consumers[input, default: 0] += 1 } }
        self.consumers = consumers
        fusion = kernels == .automatic && FastKernel.supported ? BlockedFusion(model: model, consumers: consumers) : nil
    }

    /// Which kernels a session uses.
    public enum KernelChoice: Sendable, CaseIterable { case automatic, portable }

    /// Whether any node of this session runs on the AVX-512 kernels.
    public var usesFastKernels: Bool { model.nodes.contains { $0.fast != nil } }

    /// Values produced by a run: the graph outputs and every captured intermediate.
    public struct Result: Sendable {
        public var outputs: [String: Value]
        public var captured: [String: Value]
    }

    /// Runs the graph on `inputs` (by graph input name). The first run limits OpenBLAS to one
    /// thread for the process: the kernels split their own work across the cores, and two thread
    /// pools fighting over two cores made timings swing by 2×. `recordShapes` sees every node's
    /// outputs as it finishes, except where a node hands its output straight to its one reader in
    /// the kernels' channel-blocked form (1×1 → depthwise → 1×1, see `BlockedFusion`): such a node
    /// is reported, when it has run, with no outputs.
    public func run(
        _ inputs: [String: Value],
        capture: Set<String> = [],
        recordShapes: ((Node, [Value]) -> Void)? = nil
    ) throws -> Result {
        try run(inputs, capture: capture, fuse: true, recordShapes: recordShapes)
    }

    /// Runs the graph with some node outputs replaced by the given values (Ablation-CAM's edited
    /// layer): a node whose outputs are all replaced is not run, and its readers see the
    /// replacement. A replacement must have the shape the node would have produced.
    public func run(_ inputs: [String: Value], replacing: [String: Value], capture: Set<String> = []) throws -> Result {
        try run(inputs, capture: capture, fuse: true, replacing: replacing, recordShapes: nil)
    }

    func run(
        _ inputs: [String: Value],
        capture: Set<String>,
        fuse: Bool,
        replacing: [String: Value] = [:],
        recordShapes: ((Node, [Value]) -> Void)?
    ) throws -> Result {
        guard let workers else {
            return try runNodes(inputs, capture: capture, fuse: fuse, replacing: replacing, recordShapes: recordShapes)
        }
        return try Parallel.withWorkers(workers) {
            try runNodes(inputs, capture: capture, fuse: fuse, replacing: replacing, recordShapes: recordShapes)
        }
    }

    private func runNodes(
        _ inputs: [String: Value],
        capture: Set<String>,
        fuse: Bool,
        replacing: [String: Value],
        recordShapes: ((Node, [Value]) -> Void)?
    ) throws -> Result {
        BLAS.useSingleThreadedBLAS()
        for info in model.inputs {
            guard let value = inputs[info.name] else {
                throw ONNXError.badInput("the model needs input '\(info.name)'")
            }
            guard value.shape.count == info.dimensions.count,
                zip(value.shape, info.dimensions).allSatisfy({ $1 == nil || $0 == $1 })
            else {
                throw ONNXError.badInput(
                    "input '\(info.name)' has shape \(value.shape), the model expects \(info.dimensions.map { $0.map(String.init) ?? "?" })"
                )
            }
        }
        // Values made by this run (and the inputs, which win over initializers of the same
        // name); the initializers are looked up in the model, not copied in on every run.
        var live = inputs
        var blocked: [String: BlockedTensor] = [:]
        var remaining = consumers
        // A replaced value is kept as planes (never handed over channel-blocked) so readers see it.
        let keep = Set(model.outputs.map(\.name)).union(capture).union(replacing.keys)
        var captured: [String: Value] = [:]
        for (index, node) in model.nodes.enumerated() {
            if !replacing.isEmpty, node.outputs.allSatisfy({ $0.isEmpty || replacing[$0] != nil }) {
                for name in node.outputs where !name.isEmpty {
                    live[name] = replacing[name]
                    if capture.contains(name) { captured[name] = replacing[name] }
                }
                for name in node.inputs where !name.isEmpty && model.initializers[name] == nil {
                    remaining[name, default: 0] -= 1
                    if remaining[name]! <= 0 && !keep.contains(name) { live[name] = nil }
                    _ = blocked.removeValue(forKey: name)
                }
                continue
            }
            let args = try node.inputs.map { name -> Value? in
                if name.isEmpty || blocked[name] != nil { return nil }
                guard let v = live[name] ?? model.initializers[name] else {
                    throw ONNXError.missing("value '\(name)' needed by node '\(node.name)'")
                }
                return v
            }
            var results: [Value] = []
            let blockedInput = node.inputs.first.flatMap { blocked.removeValue(forKey: $0) }
            let handOver = fuse && fusion?.readers[index] != nil && !keep.contains(node.outputs[0])
            if let fusion, blockedInput != nil || handOver || (fuse && fusion.filters[index] != nil),
                let (planes, tensor) = try fusion.run(
                    index,
                    model: model,
                    args: args,
                    blockedInput: blockedInput,
                    handOver: handOver
                )
            {
                if let planes { results = [planes] }
                if let tensor { blocked[node.outputs[0]] = tensor }
            } else {
                results = try Operators.table[node.op]!(node, args, model.opset)
            }
            recordShapes?(node, results)
            for (name, computed) in zip(node.outputs, results) where !name.isEmpty {
                let value = replacing[name] ?? computed
                live[name] = value
                if capture.contains(name) { captured[name] = value }
            }
            for name in node.inputs where !name.isEmpty && model.initializers[name] == nil {
                remaining[name, default: 0] -= 1
                if remaining[name]! <= 0 && !keep.contains(name) { live[name] = nil }
            }
        }
        var outputs: [String: Value] = [:]
        for info in model.outputs {
            guard let v = live[info.name] ?? model.initializers[info.name] else {
                throw ONNXError.missing("graph output '\(info.name)'")
            }
            outputs[info.name] = v
        }
        return Result(outputs: outputs, captured: captured)
    }

    /// Every node output's op and shape for inputs of the given shapes (run on zeros).
    public func inspect(
        inputShapes: [String: [Int]]
    ) throws -> [(node: String, op: String, output: String, shape: [Int])] {
        var inputs: [String: Value] = [:]
        for info in model.inputs {
            let shape = inputShapes[info.name] ?? info.dimensions.map { $0 ?? 1 }
            guard let count = checkedCount(shape), shape.allSatisfy({ $0 <= ONNXLimits.dimension }) else {
                throw ONNXError.badInput(
                    "input '\(info.name)' of shape \(shape) is beyond the budget of \(ONNXLimits.elementsPerTensor) elements"
                )
            }
            inputs[info.name] = .float(shape: shape, data: [Float](repeating: 0, count: count))
        }
        var rows: [(String, String, String, [Int])] = []
        _ = try run(inputs, capture: [], fuse: false) { node, values in
            for (name, v) in zip(node.outputs, values) where !name.isEmpty {
                rows.append((node.name, node.op, name, v.shape))
            }
        }
        return rows
    }
}
