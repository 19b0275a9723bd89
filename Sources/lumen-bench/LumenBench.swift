import ArgumentParser

/// `lumen-bench`: prints Lumen's timings next to the Python peers' in the same run.
@main
struct LumenBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lumen-bench",
        abstract: "Benchmarks for Lumen, compared with the Python tools in the same run.",
        subcommands: [
            CAMBenchmark.self, PNGBenchmark.self, RecsBenchmark.self, DriftBenchmark.self, ONNXBenchmark.self,
            ZooBenchmark.self, DriftCSVBenchmark.self, ConformanceBenchmark.self, StoreBenchmark.self,
        ]
    )
}
