/// The erf form of GELU as exporters write it (PyTorch's `nn.GELU()` below opset 20, Hugging Face's
/// `x * 0.5 * (1 + erf(x / sqrt(2)))`): Div(x, √2) or Mul(x, 1/√2) → Erf → Add 1 → Mul by x →
/// Mul by ½, or the ½ taken from x first. Five passes over the tensor become one `Gelu` node.
extension GraphOptimizer {
    static func fuseGELU(_ model: inout ONNXModel) {
        var pass = GraphRewrite(model)
        let (uses, producers) = (pass.uses, pass.producers)
        var readers: [String: [Int]] = [:]
        for (k, node) in model.nodes.enumerated() { for input in node.inputs { readers[input, default: []].append(k) } }
        /// The scalar constant among a two-input node's inputs, and its other input.
        func scalarAndOther(_ node: Node) -> (value: Float, other: String)? {
            guard node.inputs.count == 2 else { return nil }
            for (c, o) in [(1, 0), (0, 1)] {
                if let v = model.initializers[node.inputs[c]], v.count == 1, !v.isInteger {
                    return (v.floats[0], node.inputs[o])
                }
            }
            return nil
        }
        func near(_ a: Float, _ b: Float) -> Bool { abs(a - b) <= 1e-4 * abs(b) }
        /// The one node reading `value`, if it is `op` and nothing else reads `value`.
        func soleReader(_ value: String, _ op: String) -> Int? {
            guard uses[value] == 1, let r = readers[value]?.first, model.nodes[r].op == op else { return nil }
            return r
        }
        for (e, erf) in model.nodes.enumerated() where erf.op == "Erf" && erf.inputs.count == 1 {
            // x / √2 (or x · 1/√2) feeding only the Erf.
            guard uses[erf.inputs[0]] == 1, let s = producers[erf.inputs[0]],
                let (c, x) = scalarAndOther(model.nodes[s]),
                model.nodes[s].op == "Div" && near(c, Float(2).squareRoot())
                    || model.nodes[s].op == "Mul"
                        && near(c, Float(0.5).squareRoot()),
                let add = soleReader(erf.outputs[0], "Add"), let (one, _) = scalarAndOther(model.nodes[add]), one == 1,
                let product = soleReader(model.nodes[add].outputs[0], "Mul")
            else { continue }
            let other = model.nodes[product].inputs.first { $0 != model.nodes[add].outputs[0] }
            var fused: [Int] = [s, e, add]
            var last = product
            if other == x, let half = soleReader(model.nodes[product].outputs[0], "Mul"),
                let (h, _) = scalarAndOther(model.nodes[half]), h == 0.5
            {
                // (x · (1 + erf)) · ½
                fused.append(product)
                last = half
            } else if let o = other, uses[o] == 1, let h = producers[o], let (v, hx) = scalarAndOther(model.nodes[h]),
                model.nodes[h].op == "Mul", v == 0.5, hx == x
            {
                // (x · ½) · (1 + erf)
                fused.append(h)
            } else {
                continue
            }
            guard fused.allSatisfy({ !pass.removed.contains($0) }), !pass.removed.contains(last) else { continue }
            var node = model.nodes[last]
            (node.op, node.inputs, node.attributes) = ("Gelu", [x], [:])
            model.nodes[last] = node
            for k in fused { pass.removed.insert(k) }
        }
        pass.removeMarked(from: &model)
    }
}
