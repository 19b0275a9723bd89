import LumenKernels

/// Load-time rewrites that keep results identical within float tolerance:
/// - constant folding: nodes whose inputs are all constants are evaluated once (this turns the
///   shape-arithmetic chains of dynamic exports into initializers);
/// - Conv → BatchNormalization: the normalisation is folded into the weights and bias;
/// - Pad → Conv: a constant zero Pad of the spatial axes feeding only a Conv becomes the Conv's pads;
/// - Conv → Relu / Clip, and Conv → Sigmoid → Mul (SiLU): the activation is applied inside the
///   convolution's output loop;
/// - the five-node erf form of GELU becomes one `Gelu` node.
enum GraphOptimizer {
    static let foldable: Set<String> = [
        "Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Reshape", "Range", "ConstantOfShape", "Expand", "Cast",
        "Slice",
        "Constant", "Add", "Sub", "Mul", "Div", "Transpose", "Identity", "Flatten",
    ]

    static func optimize(_ model: inout ONNXModel) throws {
        try foldConstants(&model)
        foldBatchNorm(&model)
        fusePadIntoConv(&model)
        fuseActivations(&model)
        fuseSiLU(&model)
        fuseGELU(&model)
    }

    /// Conv → Sigmoid(x) → Mul(x, sigmoid) with no other readers of x or sigmoid becomes one Conv.
    static func fuseSiLU(_ model: inout ONNXModel) {
        var pass = GraphRewrite(model)
        let (uses, producers) = (pass.uses, pass.producers)
        for (k, mul) in model.nodes.enumerated() where mul.op == "Mul" && mul.inputs.count == 2 {
            for (xi, si) in [(0, 1), (1, 0)] {
                let x = mul.inputs[xi]
                let s = mul.inputs[si]
                guard let c = producers[x], let sg = producers[s], model.nodes[c].op == "Conv",
                    model.nodes[sg].op == "Sigmoid",
                    model.nodes[sg].inputs.first == x, uses[x] == 2, uses[s] == 1,
                    model.nodes[c].fused == .none,
                    !pass.removed.contains(c), !pass.removed.contains(sg)
                else { continue }
                var conv = model.nodes[c]
                conv.fused = .silu
                conv.outputs = mul.outputs
                model.nodes[c] = conv
                pass.removed.insert(sg)
                pass.removed.insert(k)
                break
            }
        }
        pass.removeMarked(from: &model)
    }

    static func foldConstants(_ model: inout ONNXModel) throws {
        let outputs = Set(model.outputs.map(\.name))
        var kept: [Node] = []
        for node in model.nodes {
            let inputs = node.inputs.filter { !$0.isEmpty }
            guard foldable.contains(node.op), inputs.allSatisfy({ model.initializers[$0] != nil }),
                !node.outputs.contains(where: outputs.contains)
            else {
                kept.append(node)
                continue
            }
            let args = node.inputs.map { $0.isEmpty ? nil : model.initializers[$0] }
            let values = try Operators.table[node.op]!(node, args, model.opset)
            for (name, value) in zip(node.outputs, values) where !name.isEmpty { model.initializers[name] = value }
        }
        model.nodes = kept
    }

    /// Conv → BatchNormalization with constant parameters becomes one Conv with rescaled weights
    /// and bias: w' = w·γ/√(σ²+ε), b' = (b − μ)·γ/√(σ²+ε) + β.
    static func foldBatchNorm(_ model: inout ONNXModel) {
        var pass = GraphRewrite(model)
        let (uses, producers) = (pass.uses, pass.producers)
        for (k, bn) in model.nodes.enumerated() where bn.op == "BatchNormalization" && bn.outputs.count == 1 {
            guard let c = producers[bn.inputs[0]], model.nodes[c].op == "Conv", uses[bn.inputs[0]] == 1,
                bn.inputs.count == 5, let scale = model.initializers[bn.inputs[1]]?.floats,
                let shift = model.initializers[bn.inputs[2]]?.floats,
                let mean = model.initializers[bn.inputs[3]]?.floats,
                let variance = model.initializers[bn.inputs[4]]?.floats,
                case .float(let wShape, var weights)? = model.initializers[model.nodes[c].inputs[1]], wShape.count == 4,
                wShape[0] > 0,
                [scale, shift, mean, variance].allSatisfy({ $0.count == wShape[0] })
            else { continue }
            var conv = model.nodes[c]
            let epsilon = bn.float("epsilon", 1e-5)
            let per = weights.count / wShape[0]
            var bias =
                conv.inputs.count > 2 && !conv.inputs[2].isEmpty
                ? model.initializers[conv.inputs[2]]?.floats ?? [] : [Float](repeating: 0, count: wShape[0])
            guard bias.count == wShape[0] else { continue }
            for m in 0..<wShape[0] {
                let factor = scale[m] / (variance[m] + epsilon).squareRoot()
                for j in 0..<per { weights[m * per + j] *= factor }
                bias[m] = (bias[m] - mean[m]) * factor + shift[m]
            }
            let wName = conv.name + "::folded_weight"
            let bName = conv.name + "::folded_bias"
            model.initializers[wName] = .float(shape: wShape, data: weights)
            model.initializers[bName] = .float(shape: [wShape[0]], data: bias)
            conv.inputs = [conv.inputs[0], wName, bName]
            conv.outputs = bn.outputs
            model.nodes[c] = conv
            pass.removed.insert(k)
        }
        pass.removeMarked(from: &model)
    }

    static func fusePadIntoConv(_ model: inout ONNXModel) {
        var pass = GraphRewrite(model)
        let (uses, producers) = (pass.uses, pass.producers)
        for (k, conv) in model.nodes.enumerated() where conv.op == "Conv" {
            guard let p = producers[conv.inputs[0]], model.nodes[p].op == "Pad", uses[conv.inputs[0]] == 1,
                conv.string("auto_pad", "NOTSET") == "NOTSET"
            else { continue }
            let pad = model.nodes[p]
            guard pad.string("mode", "constant") == "constant", pad.inputs.count >= 2,
                let pads = model.initializers[pad.inputs[1]]?.ints,
                pads.count == 8,
                pad.inputs.count < 3 || pad.inputs[2].isEmpty || model.initializers[pad.inputs[2]]?.floats.first == 0,
                pad.inputs.count < 4 || pad.inputs[3].isEmpty,
                pads[0] == 0, pads[1] == 0, pads[4] == 0, pads[5] == 0,
                pads.allSatisfy({ $0 >= 0 && $0 <= ONNXLimits.dimension })
            else { continue }
            let existing = conv.ints("pads") ?? [0, 0, 0, 0]
            guard existing.count == 4, existing.allSatisfy({ $0 >= 0 && $0 <= ONNXLimits.dimension }) else { continue }
            var fused = conv
            fused.attributes["pads"] = .ints([
                existing[0] + Int(pads[2]), existing[1] + Int(pads[3]), existing[2] + Int(pads[6]),
                existing[3] + Int(pads[7]),
            ])
            fused.inputs[0] = pad.inputs[0]
            model.nodes[k] = fused
            pass.removed.insert(p)
        }
        pass.removeMarked(from: &model)
    }

    static func fuseActivations(_ model: inout ONNXModel) {
        var pass = GraphRewrite(model)
        let (uses, producers) = (pass.uses, pass.producers)
        for (k, act) in model.nodes.enumerated() where act.op == "Relu" || act.op == "Clip" {
            guard let p = producers[act.inputs[0]], model.nodes[p].op == "Conv", uses[act.inputs[0]] == 1,
                model.nodes[p].fused == .none
            else { continue }
            var lo: Float = -.infinity
            var hi: Float = .infinity
            if act.op == "Relu" {
                lo = 0
            } else if model.opset >= 11 {
                if act.inputs.count > 1, !act.inputs[1].isEmpty {
                    guard let v = model.initializers[act.inputs[1]]?.floats.first else { continue }
                    lo = v
                }
                if act.inputs.count > 2, !act.inputs[2].isEmpty {
                    guard let v = model.initializers[act.inputs[2]]?.floats.first else { continue }
                    hi = v
                }
            } else {
                lo = act.float("min", lo)
                hi = act.float("max", hi)
            }
            var conv = model.nodes[p]
            conv.fused = .clamp(lower: lo, upper: hi)
            conv.outputs = act.outputs
            model.nodes[p] = conv
            pass.removed.insert(k)
        }
        pass.removeMarked(from: &model)
    }
}

/// What every fusion pass starts from: how many readers each value has (graph outputs count as
/// readers), which node produces it, and the nodes the pass has folded away.
struct GraphRewrite {
    let uses: [String: Int]
    let producers: [String: Int]
    var removed = Set<Int>()

    init(_ model: ONNXModel) {
        var uses: [String: Int] = [:]
        for node in model.nodes { for input in node.inputs where !input.isEmpty { uses[input, default: 0] += 1 } }
        for output in model.outputs { uses[output.name, default: 0] += 1 }
        var producers: [String: Int] = [:]
        for (k, node) in model.nodes.enumerated() { for o in node.outputs { producers[o] = k } }
        (self.uses, self.producers) = (uses, producers)
    }

    /// Drops the nodes marked `removed`, keeping the others in order.
    func removeMarked(from model: inout ONNXModel) {
        model.nodes = model.nodes.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    }
}
