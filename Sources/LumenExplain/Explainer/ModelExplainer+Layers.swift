import Foundation

/// Which layers `--layer auto` and `--layer scales` pick from a model's node outputs.
extension ModelExplainer {
    /// The layer `--layer auto` explains, from every node output in graph order: the last feature
    /// map that is not a graph output, and for a detector built of numbered modules (ultralytics
    /// `/model.N/…` names) the last one before the head module — pytorch-grad-cam's `model[-2]`,
    /// the neck's last map — rather than a head tensor. Classifiers get their last spatial block.
    public static func automaticLayer(
        _ rows: [(node: String, op: String, output: String, shape: [Int])],
        inputHeight: Int,
        inputWidth: Int,
        outputs: Set<String>
    ) -> String? {
        let maps = rows.filter {
            isFeatureMap($0.shape, inputHeight: inputHeight, inputWidth: inputWidth) && !outputs.contains($0.output)
        }
        let modules = maps.map { moduleIndex($0.node) }
        if let head = rows.compactMap({ moduleIndex($0.node) }).max(), modules.contains(where: { $0 != nil }),
            let last = Array(zip(maps, modules)).last(where: { $0.1.map { $0 < head } ?? false })
        {
            return last.0.output
        }
        return maps.last?.output
    }

    /// The layers `--layer scales` averages for a detector built of numbered modules: every
    /// feature map a node of the head module reads from an earlier module (YOLOv8's Detect head
    /// reads the neck at three scales), in graph order; nil for a model without such a head.
    public static func scaleLayers(
        _ rows: [(node: String, op: String, output: String, shape: [Int])],
        nodes: [(name: String, inputs: [String])],
        inputHeight: Int,
        inputWidth: Int
    ) -> [String]? {
        guard let head = rows.compactMap({ moduleIndex($0.node) }).max() else { return nil }
        let module = Dictionary(rows.map { ($0.output, moduleIndex($0.node)) }, uniquingKeysWith: { a, _ in a })
        let maps = Set(
            rows.filter { isFeatureMap($0.shape, inputHeight: inputHeight, inputWidth: inputWidth) }.map(\.output)
        )
        var picked: [String] = []
        for node in nodes where moduleIndex(node.name) == head {
            for input in node.inputs where maps.contains(input) && !picked.contains(input) {
                if let m = module[input] ?? nil, m < head { picked.append(input) }
            }
        }
        let order = Dictionary(rows.enumerated().map { ($1.output, $0) }, uniquingKeysWith: { a, _ in a })
        return picked.count > 1 ? picked.sorted { order[$0, default: 0] < order[$1, default: 0] } : nil
    }

    /// N of a node named `/model.N/…` (ultralytics exports), else nil.
    static func moduleIndex(_ node: String) -> Int? {
        guard node.hasPrefix("/model.") else { return nil }
        return Int(node.dropFirst(7).prefix { $0.isNumber })
    }

    /// A spatial feature map of the image: rank 4, at least 2×2, no larger than the input, and
    /// with the input's aspect ratio (so [1, 1, 4, 8400]-style reshaped tensors are not picked).
    public static func isFeatureMap(_ shape: [Int], inputHeight: Int, inputWidth: Int) -> Bool {
        guard shape.count == 4, shape[2] >= 2, shape[3] >= 2, shape[2] <= inputHeight, shape[3] <= inputWidth else {
            return false
        }
        let ratio = Double(shape[2]) / Double(shape[3])
        let expected = Double(inputHeight) / Double(inputWidth)
        return abs(ratio / expected - 1) < 0.25
    }
}
