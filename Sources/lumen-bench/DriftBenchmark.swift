import ArgumentParser
import Foundation
import LumenDrift
import LumenNumerics

/// `lumen-bench drift`: the drift statistics at scale, next to scipy / alibi-detect.
struct DriftBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract:
            "Time KS/Wasserstein on 1M vs 1M, MMD on 2000×2000×32 and image properties on 500 1280×720 JPEGs, with the Python peers."
    )

    @Option(help: "JPEG copied 500 times for the image-property run.")
    var photo = "fixtures/photos/chelsea_1280x720.jpg"

    @Flag(help: "Skip the Python peers.")
    var noPeer = false

    func run() throws {
        var g = SeededGenerator(seed: 1)
        let a = (0..<1_000_000).map { _ in g.nextGaussian() }
        let b = (0..<1_000_000).map { _ in g.nextGaussian() + 0.01 }
        var ks: DriftResult?
        var w = 0.0
        let ksTime = try Stopwatch.measure(warmup: 1, runs: 5) { ks = try UnivariateTests.kolmogorovSmirnov(a, b) }
        let wTime = try Stopwatch.measure(warmup: 1, runs: 5) { w = try UnivariateTests.wasserstein(a, b) }
        let x = try SampleMatrix(rows: 2000, cols: 32, values: (0..<64_000).map { _ in g.nextGaussian() })
        let y = try SampleMatrix(rows: 2000, cols: 32, values: (0..<64_000).map { _ in g.nextGaussian() })
        var mmd: DriftResult?
        let mmdTime = try Stopwatch.measure(warmup: 1, runs: 5) { mmd = try MMDTest(permutations: 100).test(x, y) }

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-bench-images-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: photo))
        for k in 0..<500 { try jpeg.write(to: folder.appendingPathComponent(String(format: "img%03d.jpg", k))) }
        let started = Date()
        let scan = try ImageFolderScan.scan(folder)
        let imageSeconds = Date().timeIntervalSince(started)

        let peer =
            noPeer ? nil : PythonPeer.run(script: "scripts/bench-drift-peer.py", arguments: ["--images", folder.path])
        func row(_ label: String, _ ours: Double, _ key: String) {
            let theirs = peer?[key] as? Double
            print(
                Table.pad(label, 44) + Table.pad(String(format: "%.1f ms", ours), 12, right: true)
                    + Table.pad(theirs.map { String(format: "%.1f ms", $0) } ?? "-", 14, right: true)
                    + Table.pad(theirs.map { String(format: "%.1fx", $0 / ours) } ?? "-", 9, right: true)
            )
        }
        print(
            Table.pad("drift statistic", 44) + Table.pad("lumen", 12, right: true) + Table.pad("peer", 14, right: true)
                + Table.pad("speed-up", 9, right: true)
        )
        row("KS, 1M vs 1M (D = \(String(format: "%.4f", ks!.statistic)))", ksTime.median, "ks_ms")
        row("Wasserstein-1, 1M vs 1M (\(String(format: "%.4f", w)))", wTime.median, "wasserstein_ms")
        row("MMD², 100 permutations, 2000×2000×32", mmdTime.median, "mmd_ms")
        row("image properties, 500 × 1280×720 JPEG", imageSeconds * 1000, "images_ms")
        print(
            String(
                format: "image properties: %.0f images/s on %d cores (%d read)",
                Double(scan.files.count) / imageSeconds,
                Parallel.workers,
                scan.files.count
            )
        )
        _ = mmd
        if let name = peer?["peer"] as? String { print("peer: \(name)") }
    }
}
