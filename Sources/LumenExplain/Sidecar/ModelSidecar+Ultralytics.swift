import LumenONNX

extension ModelSidecar {
    /// The sidecar an ultralytics export implies, from its `metadata_props`: `imgsz` ("[320, 320]",
    /// height then width), `task` (detect, classify), `names` (a Python dict literal of class names).
    /// Detectors are letterboxed with padding 114 on 0–1 pixels, classifiers stretched on 0–1 pixels
    /// with the probabilities the export already computes. Nil when the file has no such metadata;
    /// an error for metadata Lumen cannot use (a segment or pose head, a malformed size).
    public static func ultralytics(_ model: ONNXModel) throws -> (sidecar: ModelSidecar, labels: [String])? {
        let meta = model.metadata
        guard let taskName = meta["task"], let size = meta["imgsz"],
            meta["author"]?.contains("Ultralytics") == true || meta["stride"] != nil
        else {
            return nil
        }
        guard let task = ModelTask(rawValue: taskName) else {
            throw ExplainError.unsuitableModel(
                "the model's metadata says task '\(taskName)'; Lumen explains ultralytics detect and classify exports"
            )
        }
        let dims = size.split(whereSeparator: { "[], ".contains($0) }).compactMap { Int($0) }
        guard dims.count == 2 || dims.count == 1, let height = dims.first, let width = dims.last,
            (1...16_384).contains(height), (1...16_384).contains(width)
        else {
            throw ExplainError.unsuitableModel("the model's metadata imgsz '\(size)' is not a size")
        }
        guard let input = model.inputs.first else { throw ExplainError.unsuitableModel("the model has no graph input") }
        let detect = task == .detect
        let sidecar = ModelSidecar(
            task: task,
            input: Input(
                name: input.name,
                width: width,
                height: height,
                resize: detect ? .letterbox : .stretch,
                padValue: detect ? 114 : nil,
                channelOrder: .rgb,
                mean: [0, 0, 0],
                std: [255, 255, 255]
            ),
            labels: nil,
            camLayer: nil,
            output: model.outputs.first?.name,
            outputKind: detect ? nil : .probabilities,
            confidenceThreshold: detect ? 0.25 : nil,
            iouThreshold: detect ? 0.45 : nil
        )
        try sidecar.validate(path: "metadata")
        return (sidecar, names(meta["names"] ?? ""))
    }

    /// Class names from a Python dict literal `{0: 'person', 1: 'bicycle'}`, in index order
    /// (an index missing from the dict gets its number as its name).
    static func names(_ literal: String) -> [String] {
        var byIndex: [Int: String] = [:]
        var rest = Substring(literal)
        while let colon = rest.firstIndex(of: ":") {
            let key = rest[..<colon].filter(\.isNumber)
            rest = rest[rest.index(after: colon)...].drop { $0 == " " }
            guard let quote = rest.first, quote == "'" || quote == "\"" else { break }
            rest = rest.dropFirst()
            guard let close = rest.firstIndex(of: quote) else { break }
            if let index = Int(key), index >= 0, index < 100_000 { byIndex[index] = String(rest[..<close]) }
            rest = rest[rest.index(after: close)...]
        }
        guard let top = byIndex.keys.max() else { return [] }
        return (0...top).map { byIndex[$0] ?? String($0) }
    }
}
