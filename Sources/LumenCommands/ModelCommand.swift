import ArgumentParser
import Foundation
import LumenExplain
import LumenONNX

/// `lumen model`: look inside ONNX models.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Inspect ONNX models run by Lumen's runtime, and write their sidecars.",
        subcommands: [ModelInspectCommand.self, ModelInitCommand.self]
    )
}

/// `lumen model inspect`.
struct ModelInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List every node output with its op and shape, marking good EigenCAM layers."
    )

    @Argument(help: "The .onnx file.") var model: String
    @Option(help: "Input width (default: the sidecar's, else the model's).") var width: Int?
    @Option(help: "Input height.") var height: Int?

    func run() throws {
        let url = URL(fileURLWithPath: model)
        let loaded = try ONNXModel.load(url)
        let session = ONNXSession(model: loaded)
        // The sidecar, or the ultralytics metadata standing in for it, sizes dynamic inputs.
        let sidecar = try? ModelSidecar.resolve(forModel: url, model: loaded).sidecar
        var shapes: [String: [Int]] = [:]
        for input in loaded.inputs {
            var dims = input.dimensions
            if dims.count == 4 {
                if let h = height ?? sidecar?.input.height { dims[2] = h }
                if let w = width ?? sidecar?.input.width { dims[3] = w }
                if dims[0] == nil { dims[0] = 1 }
            }
            guard dims.allSatisfy({ $0 != nil }) else {
                throw ValidationError(
                    "input '\(input.name)' has dynamic dimensions \(input.dimensions.map { $0.map(String.init) ?? "?" }) and no sidecar or metadata gives its size: pass --width and --height"
                )
            }
            guard dims.allSatisfy({ $0! >= 1 }) else {
                throw ValidationError("--width and --height must be at least 1")
            }
            shapes[input.name] = dims.map { $0! }
        }
        let rows = try session.inspect(inputShapes: shapes)
        let inputShape = shapes.values.first { $0.count == 4 } ?? [1, 3, 1, 1]
        let auto = ModelExplainer.automaticLayer(
            rows,
            inputHeight: inputShape[2],
            inputWidth: inputShape[3],
            outputs: Set(loaded.outputs.map(\.name))
        )
        print(
            "\(model): opset \(loaded.opset), \(loaded.nodes.count) nodes, inputs \(shapes.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", "))"
        )
        for row in rows {
            var mark = ""
            if row.output == auto {
                mark = "  <- EigenCAM layer (auto)"
            } else if row.output == sidecar?.camLayer {
                mark = "  <- sidecar cam_layer"
            }
            print(
                "\(row.op.padding(toLength: 18, withPad: " ", startingAt: 0)) \(row.output.padding(toLength: 44, withPad: " ", startingAt: 0)) \(row.shape)\(mark)"
            )
        }
        if let auto { print("--layer auto picks \(auto)") }
    }
}
