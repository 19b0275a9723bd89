import ArgumentParser
import Foundation
import LumenCAM
import LumenIO
import LumenImaging

/// `lumen-bench cam`: EigenCAM projection per layer shape and the end-to-end image path.
struct CAMBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cam",
        abstract: "Time EigenCAM projections and JPEG → CAM → overlay → PNG, next to the numpy / pytorch-grad-cam peer."
    )

    @Option(help: "1280×720 JPEG for the end-to-end run.")
    var photo = "fixtures/photos/chelsea_1280x720.jpg"

    @Option(help: "Activations used for the end-to-end run.")
    var activations = "fixtures/photos/chelsea.efficientnet_lite0.head.npy"

    @Flag(help: "Skip the Python peer.")
    var noPeer = false

    static let shapes: [(c: Int, h: Int, w: Int)] = [
        (512, 7, 7), (256, 20, 20), (128, 40, 40), (64, 80, 80), (256, 40, 40),
    ]

    func run() throws {
        print("EigenCAM projection (centred, top component; median of repeated runs)")
        var ours: [String: Double] = [:]
        for shape in Self.shapes {
            let tensor = Self.syntheticActivations(channels: shape.c, height: shape.h, width: shape.w)
            let batch = try ActivationBatch(tensor)
            let eigen = EigenCAM()
            let result = try Stopwatch.measure { _ = try eigen.project(batch) }
            ours["\(shape.c)x\(shape.h)x\(shape.w)"] = result.median
        }
        let photoBytes = try FileBytes.read(URL(fileURLWithPath: photo), limit: 1 << 30)
        let layer = NamedActivations(
            name: "head",
            batch: try ActivationBatch(TensorFile.load(URL(fileURLWithPath: activations)))
        )
        let overlay = try Overlay()
        var pngBytes = 0
        var size = (0, 0)
        let endToEnd = try Stopwatch.measure(runs: 20) {
            let image = try ImageDecoder().decode(photoBytes)
            let maps = try CAMExplainer().explain([layer], width: image.width, height: image.height)
            let blended = try overlay.apply(maps[0].heatmap, on: image)
            pngBytes = try PNGEncoder().encode(blended).count
            size = (image.width, image.height)
        }
        let stages = try stageTimes(photoBytes: photoBytes, layer: layer)

        let peer =
            noPeer
            ? nil
            : PythonPeer.run(
                script: "scripts/bench-cam-peer.py",
                arguments: ["--photo", photo, "--activations", activations]
            )
        let peerShapes = peer?["projection_ms"] as? [String: Double] ?? [:]
        print(
            Table.pad("shape", 12) + Table.pad("lumen ms", 12, right: true) + Table.pad("peer ms", 12, right: true)
                + Table.pad("speed-up", 10, right: true)
        )
        for shape in Self.shapes {
            let key = "\(shape.c)x\(shape.h)x\(shape.w)"
            print(Self.row(key, ours[key]!, peerShapes[key]))
        }
        print(
            "\nEnd to end: \(size.0)x\(size.1) JPEG decode → EigenCAM (\(layer.batch.channels)x\(layer.batch.height)x\(layer.batch.width)) → overlay → PNG encode (\(pngBytes / 1024) KiB)"
        )
        print(Self.row("end-to-end", endToEnd.median, peer?["end_to_end_ms"] as? Double))
        print(
            "  stages (median ms): " + stages.map { "\($0.0) " + String(format: "%.2f", $0.1) }.joined(separator: ", ")
        )
        if let peerName = peer?["peer"] as? String { print("peer: \(peerName)") }
    }

    func stageTimes(photoBytes: [UInt8], layer: NamedActivations) throws -> [(String, Double)] {
        let image = try ImageDecoder().decode(photoBytes)
        let projection = try EigenCAM().project(layer.batch)[0].components[0].map
        let heat = try CAMHeatmap.combine([projection], width: image.width, height: image.height)
        let blended = try Overlay().apply(heat, on: image)
        return [
            ("decode", try Stopwatch.measure { _ = try ImageDecoder().decode(photoBytes) }.median),
            ("project", try Stopwatch.measure { _ = try EigenCAM().project(layer.batch) }.median),
            (
                "heatmap",
                try Stopwatch.measure {
                    _ = try CAMHeatmap.combine([projection], width: image.width, height: image.height)
                }.median
            ),
            ("overlay", try Stopwatch.measure { _ = try Overlay().apply(heat, on: image) }.median),
            ("png", try Stopwatch.measure { _ = try PNGEncoder().encode(blended) }.median),
        ]
    }

    static func row(_ label: String, _ ours: Double, _ peer: Double?) -> String {
        let peerText = peer.map { String(format: "%.2f", $0) } ?? "-"
        let ratio = peer.map { String(format: "%.1fx", $0 / ours) } ?? "-"
        return Table.pad(label, 12) + Table.pad(String(format: "%.3f", ours), 12, right: true)
            + Table.pad(peerText, 12, right: true) + Table.pad(ratio, 10, right: true)
    }

    /// Non-negative activations with two planted blobs and noise, seeded, like a real late conv layer.
    static func syntheticActivations(channels: Int, height: Int, width: Int) -> Tensor {
        var state: UInt64 = 0x5EED
        func uniform() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24)
        }
        var values = [Float](repeating: 0, count: channels * height * width)
        let blobs = [(x: Float(width) * 0.3, y: Float(height) * 0.4), (x: Float(width) * 0.7, y: Float(height) * 0.6)]
        let sigma2 = 2 * pow(Float(max(height, width)) * 0.2, 2)
        for c in 0..<channels {
            let gains = (uniform() * 2, uniform())
            for y in 0..<height {
                for x in 0..<width {
                    var v = 0.3 * (uniform() - 0.5)
                    for (b, blob) in blobs.enumerated() {
                        let d2 = (Float(x) - blob.x) * (Float(x) - blob.x) + (Float(y) - blob.y) * (Float(y) - blob.y)
                        v += (b == 0 ? gains.0 : gains.1) * exp(-d2 / sigma2)
                    }
                    values[(c * height + y) * width + x] = max(v, 0)
                }
            }
        }
        return try! Tensor(shape: [channels, height, width], values: values)
    }
}
