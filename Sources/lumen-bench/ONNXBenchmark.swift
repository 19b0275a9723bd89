import ArgumentParser
import Foundation
import LumenCAM
import LumenExplain
import LumenIO
import LumenImaging
import LumenNumerics
import LumenONNX

/// `lumen-bench onnx`: forward passes and image → overlay, next to onnxruntime (2 threads).
struct ONNXBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onnx",
        abstract: "Time Lumen's ONNX runtime on EfficientNet-Lite0 against onnxruntime in the same run."
    )

    @Option(help: "Models to run (each needs its sidecar).") var model: [String] = [
        "models/efficientnet-lite0.onnx", "fixtures/onnx/yolov8n.onnx",
    ]
    @Option(help: "Photo for the end-to-end run.") var photo = "fixtures/photos/chelsea.jpg"
    @Flag(help: "Skip the Python peer.") var noPeer = false
    @Flag(help: "Print where a forward pass spends its time, by operator and node (medians of 30 passes).")
    var profile = false
    @Option(help: "With --profile: how many of the slowest nodes to list.") var nodes = 8
    @Option(help: "Forward-pass rounds, alternating Lumen and the peer, so both see the same machine weather.")
    var rounds = 3

    func run() throws {
        print("OpenBLAS kernels: \(BLAS.kernels)\n")
        for path in model {
            try bench(path)
            print("")
        }
    }

    func bench(_ model: String) throws {
        let explainer = try ModelExplainer(model: URL(fileURLWithPath: model))
        let image = try ImageDecoder().decode(contentsOf: URL(fileURLWithPath: photo))
        let input = try explainer.preprocess(image)
        let name = explainer.sidecar.input.name
        if profile { try Self.profile(explainer, input: input, name: name, nodes: nodes) }
        // Lumen's and the peer's forward passes in alternating rounds: this machine's speed
        // drifts by up to 2× over seconds, so each round's ratio compares like with like.
        var ours: [Stopwatch.Result] = []
        var theirs: [[String: Any]] = []
        for round in 0..<max(1, rounds) {
            ours.append(
                try Stopwatch.measure(warmup: 3, runs: 30, budget: 6) { _ = try explainer.session.run([name: input]) }
            )
            if !noPeer && round < rounds - 1,
                let result = PythonPeer.run(
                    script: "scripts/bench-onnx-peer.py",
                    arguments: ["--model", model, "--photo", photo, "--forward-only"]
                )
            {
                theirs.append(result)
            }
        }
        let overlay = try Overlay()
        let endToEnd = try Stopwatch.measure(warmup: 1, runs: 10, budget: 5) {
            let decoded = try ImageDecoder().decode(contentsOf: URL(fileURLWithPath: photo))
            let result = try explainer.explain(decoded)
            _ = try PNGEncoder().encode(try overlay.apply(result.map.heatmap, on: decoded))
        }
        let peak = Self.peakMemoryMiB()
        if !noPeer,
            let last = PythonPeer.run(
                script: "scripts/bench-onnx-peer.py",
                arguments: ["--model", model, "--photo", photo]
            )
        {
            theirs.append(last)
        }
        let peer = theirs.last
        func row(_ label: String, _ ours: Double, _ theirs: Double?) {
            print(
                Table.pad(label, 50) + Table.pad(String(format: "%.1f ms", ours), 11, right: true)
                    + Table.pad(theirs.map { String(format: "%.1f ms", $0) } ?? "-", 11, right: true)
                    + Table.pad(theirs.map { String(format: "%.2fx", ours / $0) } ?? "-", 9, right: true)
            )
        }
        func median(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.sorted()[values.count / 2] }
        let peerMedians = theirs.compactMap { $0["forward_ms"] as? Double }
        let peerMinimums = theirs.compactMap { $0["forward_min_ms"] as? Double }
        print(
            Table.pad("\(URL(fileURLWithPath: model).lastPathComponent)", 50) + Table.pad("lumen", 11, right: true)
                + Table.pad("peer", 11, right: true) + Table.pad("lumen/peer", 11, right: true)
        )
        row(
            "forward pass, 1×3×\(explainer.sidecar.input.height)×\(explainer.sidecar.input.width) (median of rounds)",
            median(ours.map(\.median))!,
            median(peerMedians)
        )
        row(
            "forward pass, best of \(ours.map(\.runs).reduce(0, +)) runs",
            ours.map(\.minimum).min()!,
            peerMinimums.min()
        )
        row("JPEG → classify + EigenCAM → overlay PNG", endToEnd.median, peer?["end_to_end_ms"] as? Double)
        if peerMedians.count == ours.count {
            let ratios = zip(ours, peerMedians).map { $0.median / $1 }
            print(
                "  per-round ratio of medians: " + ratios.map { String(format: "%.2fx", $0) }.joined(separator: " ")
                    + String(format: " (median %.2fx)", median(ratios)!)
            )
        }
        print(
            String(
                format: "peak resident memory: lumen-bench %.0f MiB%@",
                peak,
                (peer?["peak_mib"] as? Double).map { String(format: ", peer %.0f MiB", $0) as NSString } ?? ""
            )
        )
        if let p = peer?["peer"] as? String { print("peer: \(p)") }
    }

    /// Time per operator type (and the slowest nodes), from the session's per-node hook: each
    /// node's median over 30 passes, so one slow spell of the machine does not reorder the list.
    static func profile(_ explainer: ModelExplainer, input: Value, name: String, nodes: Int) throws {
        let passes = 30
        var samples: [String: [Double]] = [:]
        var opOf: [String: String] = [:]
        var order: [String] = []
        var shapes: [String: String] = [:]
        var flops: [String: Double] = [:]
        var totals: [Double] = []
        let model = explainer.session.model
        var faults = 0
        for pass in 0...passes {
            let faultsBefore = Self.minorFaults()
            var last = Date()
            let started = last
            var times: [(String, Double)] = []
            _ = try explainer.session.run([name: input]) { node, outputs in
                let now = Date()
                let key = "\(node.name) \(node.op)"
                times.append((key, now.timeIntervalSince(last) * 1000))
                if opOf[key] == nil {
                    opOf[key] = node.op
                    order.append(key)
                }
                if shapes[key] == nil, let out = outputs.first {
                    shapes[key] = out.shape.map(String.init).joined(separator: "×")
                    // A convolution's multiply–adds: outputs × (input channels per group × kernel area).
                    if node.op == "Conv", node.inputs.count > 1, let w = model.initializers[node.inputs[1]]?.shape,
                        w.count == 4
                    {
                        flops[key] = 2 * Double(out.count * w[1] * w[2] * w[3])
                    }
                }
                last = now
            }
            if pass == 0 { continue }  // the first pass warms up
            faults += Self.minorFaults() - faultsBefore
            totals.append(Date().timeIntervalSince(started) * 1000)
            for (node, ms) in times { samples[node, default: []].append(ms) }
        }
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        let byNode = order.map { ($0, median(samples[$0] ?? [0])) }
        var byOp: [String: Double] = [:]
        for (node, ms) in byNode { byOp[opOf[node]!, default: 0] += ms }
        let total = byNode.reduce(0) { $0 + $1.1 }
        print(
            String(
                format:
                    "profile (median of %d passes per node; sum %.2f ms, median pass %.2f ms, %d page faults per pass):",
                passes,
                total,
                median(totals),
                faults / passes
            )
        )
        for (op, ms) in byOp.sorted(by: { $0.value > $1.value }).prefix(12) {
            print("  " + Table.pad(op, 24) + String(format: "%8.3f ms %5.1f%%", ms, ms / total * 100))
        }
        print("  slowest nodes:")
        for (node, ms) in byNode.sorted(by: { $0.1 > $1.1 }).prefix(nodes) {
            let rate = flops[node].map { String(format: "%7.1f GFLOP/s", $0 / (ms / 1000) / 1e9) } ?? ""
            print(
                "  " + Table.pad(node, 56) + String(format: "%7.3f ms ", ms) + Table.pad(rate, 16) + "  "
                    + (shapes[node] ?? "")
            )
        }
    }

    /// Minor page faults of the process so far (fresh memory touched for the first time).
    static func minorFaults() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_minflt
    }

    /// VmHWM from /proc/self/status.
    static func peakMemoryMiB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return .nan }
        return kb / 1024
    }
}
