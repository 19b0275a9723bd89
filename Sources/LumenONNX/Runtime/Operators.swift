/// A kernel: the node and its input values (nil for omitted optional inputs) to its outputs.
typealias Kernel = @Sendable (Node, [Value?], Int) throws -> [Value]

/// Every operator the runtime implements, by ONNX op type.
enum Operators {
    static let table: [String: Kernel] = {
        var t: [String: Kernel] = [:]
        for (name, kernel) in ElementwiseOps.kernels { t[name] = kernel }
        for (name, kernel) in ShapeOps.kernels { t[name] = kernel }
        for (name, kernel) in LayoutOps.kernels { t[name] = kernel }
        for (name, kernel) in ConvolutionOps.kernels { t[name] = kernel }
        for (name, kernel) in PoolingOps.kernels { t[name] = kernel }
        for (name, kernel) in LinearOps.kernels { t[name] = kernel }
        for (name, kernel) in NormalizationOps.kernels { t[name] = kernel }
        for (name, kernel) in ResizeOps.kernels { t[name] = kernel }
        for (name, kernel) in MathOps.kernels { t[name] = kernel }
        for (name, kernel) in ComparisonOps.kernels { t[name] = kernel }
        for (name, kernel) in ReductionOps.kernels { t[name] = kernel }
        for (name, kernel) in IndexOps.kernels { t[name] = kernel }
        return t
    }()

    /// How many leading inputs each operator requires (1 where not listed).
    static let requiredInputs: [String: Int] = [
        "Constant": 0, "Add": 2, "Sub": 2, "Mul": 2, "Div": 2, "Conv": 2, "ConvTranspose": 2, "Gemm": 2, "MatMul": 2,
        "BatchNormalization": 5, "Reshape": 2, "Expand": 2, "Range": 3, "Gather": 2,
        "Where": 3, "GatherElements": 2, "ScatterElements": 3, "Tile": 2, "TopK": 2, "CumSum": 2, "Equal": 2,
        "Less": 2, "LessOrEqual": 2, "Greater": 2, "GreaterOrEqual": 2, "And": 2, "Or": 2, "Xor": 2, "PRelu": 2,
        "Mod": 2, "OneHot": 3, "InstanceNormalization": 3, "LayerNormalization": 2,
    ]
}

extension Node {
    func int(_ key: String, _ fallback: Int) -> Int {
        if case .int(let v)? = attributes[key] { return v }
        return fallback
    }

    func float(_ key: String, _ fallback: Float) -> Float {
        if case .float(let v)? = attributes[key] { return v }
        return fallback
    }

    func ints(_ key: String) -> [Int]? {
        if case .ints(let v)? = attributes[key] { return v }
        return nil
    }

    func string(_ key: String, _ fallback: String) -> String {
        if case .string(let v)? = attributes[key] { return v }
        return fallback
    }

    func fail(_ detail: String) -> ONNXError { .shapeMismatch(node: name, op: op, detail: detail) }

    /// Input `i`, required.
    func input(_ values: [Value?], _ i: Int) throws -> Value {
        guard i < values.count, let v = values[i] else {
            throw ONNXError.missing("input \(i) of node '\(name)' (\(op))")
        }
        return v
    }

    /// Input `i` as floats with its shape, required.
    func floats(_ values: [Value?], _ i: Int) throws -> (shape: [Int], data: [Float]) {
        let v = try input(values, i)
        return (v.shape, v.floats)
    }
}
