import ArgumentParser
import Foundation
import LumenONNX

/// `lumen-bench conformance`: the ONNX backend test suite's one-operator cases (Debian's
/// `libonnx-testdata`, installed by scripts/setup) through Lumen's runtime, with a count per
/// operator of the cases that pass, are refused cleanly or differ, and every non-passing case of
/// an operator Lumen implements with its reason.
struct ConformanceBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Runs the ONNX backend node tests for the operators Lumen implements."
    )

    @Option(help: "The suite's node folder.") var dir = "/usr/share/libonnx-testdata/data/node"
    @Option(help: "Worker count the kernels split into (default: the machine's).") var workers: Int?
    @Flag(help: "Print every case, not only those that do not pass.") var verbose = false

    func run() throws {
        let cases = try BackendCase.all(in: URL(fileURLWithPath: dir))
        var perOp: [String: (cases: Int, passed: Int)] = [:]
        var notImplemented: [String: Int] = [:]
        var outside = 0
        var failures: [(String, String)] = []
        for c in cases {
            let outcome = c.run(workers: workers)
            if verbose { print("\(c.name): \(outcome)") }
            switch outcome {
            case .notImplemented(let op): notImplemented[op, default: 0] += 1
            case .opsetOutside: outside += 1
            case .unreadable(let why): failures.append((c.name, "unreadable: \(why)"))
            case .passed, .refused, .mismatch:
                let op = Self.operator(of: c.name)
                perOp[op, default: (0, 0)].cases += 1
                if outcome == .passed { perOp[op]!.passed += 1 } else { failures.append((c.name, "\(outcome)")) }
            }
        }
        let claimed = perOp.values.map(\.cases).reduce(0, +)
        let passed = perOp.values.map(\.passed).reduce(0, +)
        print("| operator family | cases | pass |")
        print("|---|---:|---:|")
        for (op, n) in perOp.sorted(by: { $0.key < $1.key }) { print("| \(op) | \(n.cases) | \(n.passed) |") }
        print("\nnot passing:")
        for (name, why) in failures { print("  \(name): \(why)") }
        print(
            "\n\(ONNXModel.implementedOperators.count) operators implemented. \(cases.count) cases: \(claimed) use only implemented operators, \(passed) of them pass; "
                + "\(notImplemented.values.reduce(0, +)) use one of \(notImplemented.count) operators not implemented; "
                + "\(outside) declare an opset outside \(ONNXModel.supportedOpsets)"
        )
    }

    /// A case's family from its folder name (`test_conv_with_strides` → `conv`).
    static func `operator`(of name: String) -> String {
        let parts = name.dropFirst("test_".count).split(separator: "_")
        return parts.first.map(String.init) ?? name
    }
}
