import ArgumentParser
import Foundation
import LumenNumerics

/// `lumen-bench drift-csv`: whole-process `lumen drift features` on CSV files against Evidently and
/// pandas + scipy run as processes the same way (imports and file reading included on both sides).
struct DriftCSVBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift-csv",
        abstract:
            "Whole-process drift on CSV: 100 000 × 20 vs Evidently, 1M-row KS vs pandas + scipy, wide files (4k/16k/100k columns)."
    )

    @Option(help: "Timed runs per command (the median is reported).") var runs = 3
    @Option(help: "Python interpreter with evidently 0.4.x, pandas and scipy.") var python = "python3"
    @Flag(help: "Skip the Python peers.") var noPeer = false

    func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-bench-csv-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var g = SeededGenerator(seed: 19)
        func write(_ name: String, _ text: String) throws -> String {
            let url = folder.appendingPathComponent(name)
            try text.write(to: url, atomically: false, encoding: .utf8)
            return url.path
        }
        // 100 000 × 20: 16 numeric columns (the current ones shifted by 0.01σ) and 4 categorical.
        func table(rows: Int, shift: Double) -> String {
            let header = (0..<20).map { $0 % 5 == 4 ? "c\($0)" : "f\($0)" }.joined(separator: ",")
            var lines = [header]
            lines.reserveCapacity(rows + 1)
            for _ in 0..<rows {
                lines.append(
                    (0..<20).map { k -> String in
                        k % 5 == 4
                            ? ["a", "b", "c", "d"][g.nextIndex(4)]
                            : String(format: "%.6f", g.nextGaussian() + Double(k % 3) + shift)
                    }.joined(separator: ",")
                )
            }
            return lines.joined(separator: "\n") + "\n"
        }
        func column(rows: Int, shift: Double) -> String {
            "x\n" + (0..<rows).map { _ in String(format: "%.9f", g.nextGaussian() + shift) }.joined(separator: "\n")
                + "\n"
        }
        func wide(columns: Int) -> String {
            var lines = [(0..<columns).map { "w\($0)" }.joined(separator: ",")]
            for _ in 0..<50 {
                lines.append((0..<columns).map { _ in String(format: "%.4f", g.nextGaussian()) }.joined(separator: ","))
            }
            return lines.joined(separator: "\n") + "\n"
        }
        let cases: [(label: String, ref: String, cur: String, peer: String?)] = [
            (
                "100 000 × 20 (16 numeric, 4 categorical)", try write("ref20.csv", table(rows: 100_000, shift: 0)),
                try write("cur20.csv", table(rows: 100_000, shift: 0.01)), "evidently"
            ),
            (
                "1 000 000 × 1, KS", try write("ref1m.csv", column(rows: 1_000_000, shift: 0)),
                try write("cur1m.csv", column(rows: 1_000_000, shift: 0.003)), "ks"
            ),
            (
                "50 × 4 000 columns", try write("w4k.csv", wide(columns: 4_000)),
                try write("w4k-b.csv", wide(columns: 4_000)), "wide"
            ),
            (
                "50 × 16 000 columns", try write("w16k.csv", wide(columns: 16_000)),
                try write("w16k-b.csv", wide(columns: 16_000)), "wide"
            ),
            (
                "50 × 100 000 columns", try write("w100k.csv", wide(columns: 100_000)),
                try write("w100k-b.csv", wide(columns: 100_000)), nil
            ),
        ]
        let lumen = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "lumen"
        ).path
        print(
            Table.pad("whole process", 44) + Table.pad("lumen s", 10, right: true)
                + Table.pad("peer s", 10, right: true) + Table.pad("peer / lumen", 14, right: true)
        )
        for c in cases {
            let ours = try median(runs) {
                try timeProcess(lumen, ["drift", "features", "--reference", c.ref, "--current", c.cur])
            }
            var theirs: Double?
            if !noPeer, let mode = c.peer {
                theirs = try? median(runs) {
                    try timeProcess(python, ["scripts/bench-drift-csv-peer.py", mode, c.ref, c.cur])
                }
            }
            let ratio = theirs.map { String(format: "%.1f×", $0 / ours) } ?? "—"
            print(
                Table.pad(c.label, 44) + Table.pad(String(format: "%.2f", ours), 10, right: true)
                    + Table.pad(theirs.map { String(format: "%.2f", $0) } ?? "—", 10, right: true)
                    + Table.pad(ratio, 14, right: true)
            )
        }
        print(
            "peers: Evidently DataDriftPreset (100 000 × 20), pandas read_csv + scipy ks_2samp (1M, wide), via \(python)"
        )
    }

    func median(_ runs: Int, _ body: () throws -> Double) throws -> Double {
        let times = try (0..<max(1, runs)).map { _ in try body() }.sorted()
        return times[times.count / 2]
    }

    /// Wall seconds of one run; drift (exit 1) counts as success, anything else is an error.
    func timeProcess(_ executable: String, _ arguments: [String]) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.standardError
        let started = Date()
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus <= 1 else {
            throw ValidationError(
                "\(executable) \(arguments.first ?? "") exited with status \(process.terminationStatus)"
            )
        }
        return Date().timeIntervalSince(started)
    }
}
