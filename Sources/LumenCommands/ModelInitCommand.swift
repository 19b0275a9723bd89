import ArgumentParser
import Foundation
import LumenCAM
import LumenExplain
import LumenIO
import LumenONNX

/// `lumen model init`: writes the sidecar (`MODEL.json`) Lumen reads beside a model, with what
/// the file says (input name and size, ultralytics metadata, a final Softmax, the automatic
/// EigenCAM layer) and a `#` comment beside every value it had to assume.
struct ModelInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented sidecar (MODEL.json) inferred from an ONNX model."
    )

    @Argument(help: "The .onnx file.") var model: String
    @Option(help: "classify or detect (default: from metadata or the output's shape).") var task: ModelTask?
    @Option(help: "Input width, for models with a dynamic width.") var width: Int?
    @Option(help: "Input height, for models with a dynamic height.") var height: Int?
    @Option(help: "Channel means on 0-255 pixels, e.g. 123.675,116.28,103.53.") var mean: String?
    @Option(help: "Channel standard deviations on 0-255 pixels.") var std: String?
    @Option(help: "Labels file, one class name per line (path relative to the sidecar).") var labels: String?
    @Option(help: "Where to write (default: the model's path with .json).") var out: String?
    @Flag(help: "Replace an existing sidecar.") var force = false

    func run() throws {
        let url = URL(fileURLWithPath: model)
        let target = out.map { URL(fileURLWithPath: $0) } ?? ModelSidecar.url(forModel: url)
        guard force || !FileManager.default.fileExists(atPath: target.path) else {
            throw ValidationError("\(target.path) exists; pass --force to replace it")
        }
        let loaded = try ONNXModel.load(url)
        let hints = SidecarDraft.Hints(
            task: task,
            width: width,
            height: height,
            mean: try mean.map { try Self.triple($0, "--mean") },
            std: try std.map { try Self.triple($0, "--std") },
            labels: labels
        )
        var draft = try SidecarDraft(model: loaded, hints: hints)
        if labels == nil, !draft.labels.isEmpty {
            let file = target.deletingPathExtension().lastPathComponent + ".labels.txt"
            let labelsURL = target.deletingLastPathComponent().appendingPathComponent(file)
            try AtomicFile.write(Array((draft.labels.joined(separator: "\n") + "\n").utf8), to: labelsURL)
            draft.sidecar.labels = file
            print("wrote \(labelsURL.path) (\(draft.labels.count) class names from the file's metadata)")
        }
        try AtomicFile.write(Array(try draft.json().utf8), to: target)
        print(
            "wrote \(target.path): task \(draft.sidecar.task.rawValue), input \(draft.sidecar.input.width)x\(draft.sidecar.input.height)"
        )
        for (field, note) in draft.notes.sorted(by: { $0.key < $1.key }) { print("  \(field): \(note)") }
    }

    /// Three comma-separated numbers.
    static func triple(_ text: String, _ flag: String) throws -> [Float] {
        let values = text.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == 3, let a = values[0], let b = values[1], let c = values[2],
            [a, b, c].allSatisfy(\.isFinite)
        else { throw ValidationError("\(flag) takes three comma-separated numbers, got '\(text)'") }
        return [a, b, c]
    }
}

/// `--task classify|detect`.
extension ModelTask: ExpressibleByArgument {}
