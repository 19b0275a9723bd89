import ArgumentParser
import Foundation
import LumenCAM
import LumenExplain
import LumenIO
import LumenONNX

/// `lumen-bench zoo`: every model of the conformance zoo (scripts/export-onnx-zoo.py) through
/// Lumen's runtime: does it load, run and match onnxruntime's outputs, how long a forward pass
/// takes against onnxruntime's (scripts/bench-zoo-peer.py, 2 threads, in rounds alternating with
/// Lumen's so both see the same machine), and which layer `--layer auto` would explain.
struct ZooBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zoo",
        abstract: "Runs the ONNX conformance zoo against onnxruntime's answers."
    )

    @Option(help: "The zoo folder (zoo.json, models, inputs, onnxruntime outputs).") var dir = "data/zoo"
    @Option(help: "Only these models (by name).") var only: [String] = []
    @Option(help: "Timed forward passes per model and round (0: no timing).") var runs = 10
    @Option(help: "Rounds per model, alternating onnxruntime and Lumen; the ratio is of the rounds' medians.")
    var rounds = 2

    struct Entry: Decodable {
        let name: String
        let file: String
        let input: String
        let shape: [Int]
        let outputs: [String]
        let task: String
    }

    /// What happened to one model.
    struct Row {
        var name: String
        var loads = "no", runs = "no", error = "", layer = "", time = ""
        var ratio: Double?
        var matches = false
    }

    func run() throws {
        let root = URL(fileURLWithPath: dir)
        let entries = try JSONDecoder().decode(
            [Entry].self,
            from: Data(contentsOf: root.appendingPathComponent("zoo.json"))
        )
        var rows: [Row] = []
        print("| model | loads | runs | max rel. error | Lumen / onnxruntime | auto layer |")
        print("|---|---|---|---:|---:|---|")
        for entry in entries where only.isEmpty || only.contains(entry.name) {
            let row = evaluate(entry, root: root)
            rows.append(row)
            print("| \(row.name) | \(row.loads) | \(row.runs) | \(row.error) | \(row.time) | \(row.layer) |")
        }
        let ratios = rows.compactMap(\.ratio)
        if !ratios.isEmpty {
            let geometric = exp(ratios.map(log).reduce(0, +) / Double(ratios.count))
            print(
                String(
                    format:
                        "\n%d of %d load, %d run, %d match within 1e-3; time ratio geometric mean %.2f× over %d models (worst %.2f×)",
                    rows.filter { $0.loads == "yes" }.count,
                    rows.count,
                    rows.filter { $0.runs == "yes" }.count,
                    rows.filter(\.matches).count,
                    geometric,
                    ratios.count,
                    ratios.max()!
                )
            )
        }
    }

    func evaluate(_ entry: Entry, root: URL) -> Row {
        var row = Row(name: entry.name)
        let model: ONNXModel
        do {
            model = try ONNXModel.load(root.appendingPathComponent(entry.file))
            row.loads = "yes"
        } catch {
            row.loads = "no: \(short(error))"
            return row
        }
        do {
            let session = ONNXSession(model: model)
            let x = try TensorFile.load(root.appendingPathComponent("\(entry.name).in.npy"))
            let input = Value.float(shape: x.shape, data: x.values)
            let result = try session.run([entry.input: input])
            row.runs = "yes"
            var worst: Float = 0
            for (k, name) in entry.outputs.enumerated() {
                let expected = try TensorFile.load(root.appendingPathComponent("\(entry.name).out\(k).npy"))
                guard let actual = result.outputs[name], actual.shape == expected.shape else {
                    row.error = "output \(name) shape \(result.outputs[name]?.shape ?? []) vs \(expected.shape)"
                    return row
                }
                worst = max(worst, Self.relativeError(actual.floats, expected.values))
            }
            row.matches = worst <= 1e-3
            row.error = String(format: "%.1e%@", worst, row.matches ? "" : " ✗")
            if runs > 0 {
                var ours: [Double] = []
                var theirs: [Double] = []
                _ = try session.run([entry.input: input])
                for _ in 0..<max(1, rounds) {
                    let peer = PythonPeer.run(
                        script: "scripts/bench-zoo-peer.py",
                        arguments: ["--dir", dir, "--model", entry.name, "--runs", String(runs)]
                    )
                    if let ms = peer?["median_ms"] as? Double { theirs.append(ms) }
                    ours.append(
                        try Stopwatch.measure(warmup: 0, runs: runs, budget: 0) {
                            _ = try session.run([entry.input: input])
                        }.median
                    )
                }
                let mine = ours.sorted()[ours.count / 2]
                if !theirs.isEmpty {
                    let peer = theirs.sorted()[theirs.count / 2]
                    row.ratio = mine / peer
                    row.time = String(format: "%.1f / %.1f ms = %.2f×", mine, peer, row.ratio!)
                } else {
                    row.time = String(format: "%.1f ms (no peer)", mine)
                }
            }
            if entry.shape.count == 4 {
                let rows = try session.inspect(inputShapes: [entry.input: entry.shape])
                let pick = ModelExplainer.automaticLayer(
                    rows,
                    inputHeight: entry.shape[2],
                    inputWidth: entry.shape[3],
                    outputs: Set(model.outputs.map(\.name))
                )
                row.layer = rows.first { $0.output == pick }.map { "\($0.output) \($0.shape)" } ?? "none"
            }
        } catch {
            if row.runs == "no" { row.runs = "no: \(short(error))" } else { row.layer = "error: \(short(error))" }
        }
        return row
    }

    /// max |a − b| / (max |b| over the tensor + 1e-3): relative to the tensor's scale, so values
    /// near zero in a large tensor are judged by the tensor's magnitude.
    static func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        let scale = (b.map(abs).max() ?? 0) + 1e-3
        return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
    }

    func short(_ error: Error) -> String {
        let text = "\(error)"
        return text.count > 90 ? String(text.prefix(90)) + "…" : text
    }
}
