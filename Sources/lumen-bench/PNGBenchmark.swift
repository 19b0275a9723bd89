import ArgumentParser
import Foundation
import LumenCAM
import LumenIO
import LumenImaging

/// `lumen-bench png`: PNG encoder settings on a real 1280×720 overlay, time against size.
struct PNGBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "png",
        abstract: "Compare PNG encoder settings on a 1280×720 EigenCAM overlay."
    )

    @Option(help: "JPEG to overlay.")
    var photo = "fixtures/photos/chelsea_1280x720.jpg"

    @Option(help: "Activations for the heatmap.")
    var activations = "fixtures/photos/chelsea.efficientnet_lite0.head.npy"

    func run() throws {
        let image = try ImageDecoder().decode(contentsOf: URL(fileURLWithPath: photo))
        let batch = try ActivationBatch(TensorFile.load(URL(fileURLWithPath: activations)))
        let map = try CAMExplainer().explain(
            [NamedActivations(name: "head", batch: batch)],
            width: image.width,
            height: image.height
        )[0]
        let overlay = try Overlay().apply(map.heatmap, on: image)
        let settings: [(String, PNGEncoder)] = [
            ("default: sub + Huffman only", PNGEncoder()),
            ("paeth + Huffman only", PNGEncoder(filter: .paeth, strategy: .huffmanOnly)),
            ("zlib 1, sub", PNGEncoder(compressionLevel: 1, filter: .sub, strategy: .standard)),
            ("zlib 3, sub", PNGEncoder(compressionLevel: 3, filter: .sub, strategy: .standard)),
            (
                "zlib 6, adaptive (libpng default)",
                PNGEncoder(compressionLevel: 6, filter: .adaptive, strategy: .standard)
            ),
        ]
        for (label, encoder) in settings {
            var size = 0
            let t = try Stopwatch.measure(runs: 10) { size = try encoder.encode(overlay).count }
            print(
                Table.pad(label, 36) + Table.pad(String(format: "%.1f ms", t.median), 10, right: true)
                    + Table.pad("\(size / 1024) KiB", 10, right: true)
            )
        }
    }
}

/// Fixed-width columns for benchmark tables.
enum Table {
    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
