import ArgumentParser
import Foundation
import LumenCAM
import LumenExplain
import LumenIO
import LumenImaging

/// `lumen cam`: EigenCAM heatmap overlays from an image and a layer's activations.
struct CAMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cam",
        abstract: "Write an EigenCAM heatmap overlay PNG from an image and a CNN layer's activations.",
        discussion: """
            Activations are a (C,H,W), (1,C,H,W) or (N,C,H,W) float tensor in .npy, .safetensors or \
            JSON. Give --activations more than once (or several --tensor names from one safetensors \
            file) to average layers. With a batch of N or --components K, one PNG is written per map, \
            named OUT-b<n>-c<k>.png.

            With --model and --images (a folder, or a list file with one path per line), every image \
            is explained into the folder --out: OUT/<name>.png, thumbnails, results.jsonl and \
            results.csv, and a review page (--report, default OUT/review.html). A second run skips \
            the images already done with the same model file and options.
            """
    )

    @Option(name: .long, help: "Image to explain (PNG or JPEG).")
    var image: String?

    @Option(
        name: .long,
        help:
            "With --model: a folder of PNG/JPEG images, or a file listing one image path per line, to explain in one batch."
    )
    var images: String?

    @Flag(name: .long, help: "With --images: take the folder's subfolders too.")
    var recursive = false

    @Option(name: .long, help: "With --images: the review page to write (default: OUT/review.html).")
    var report: String?

    @Option(
        name: .long,
        help:
            "With --images, scorecam or ablationcam: how many images (or passes) run at a time (default: the number of cores, at most 8)."
    )
    var jobs: Int?

    @Option(name: .long, help: "Activation tensor file (.npy, .safetensors, .json); repeat to average layers.")
    var activations: [String] = []

    @Option(name: .long, help: "ONNX classifier to run instead of giving activations (needs MODEL.json beside it).")
    var model: String?

    @Option(
        name: .long,
        help:
            "With --model: the node output to explain, 'auto', or 'scales' (a detector's neck maps at every scale its head reads, averaged; default: the sidecar's cam_layer)."
    )
    var layer: String?

    @Option(
        name: .long,
        help:
            "With --model: eigencam (class-agnostic, one forward pass), scorecam or ablationcam (class-specific, one forward pass per channel of the layer)."
    )
    var method: CAMMethod = .eigencam

    @Option(
        name: .customLong("class"),
        help:
            "With --method scorecam or ablationcam: the class to explain, a label or an index (default: the top class)."
    )
    var className: String?

    @Option(name: .long, help: "With --model: how many classes to report.")
    var top: Int = 5

    @Flag(name: .long, help: "With --model: score the heatmap's faithfulness (drop in confidence, deletion-curve AUC).")
    var metrics = false

    @Flag(name: .customLong("per-box"), help: "With a detector: renormalise the heatmap inside each box, zero outside.")
    var perBox = false

    @Option(name: .long, help: "Tensor name inside a safetensors file; repeat to average several layers.")
    var tensor: [String] = []

    @Option(name: .long, help: "Overlay PNG to write (with --images: the output folder).")
    var out: String

    @Option(name: .long, help: "Colour map of the heatmap.")
    var colormap: Colormap = .jet

    @Option(name: .long, help: "Weight of the heatmap in the overlay, 0...1.")
    var alpha: Float = 0.5

    @Option(
        name: .long,
        help:
            "How the heatmap is weighed: uniform (alpha everywhere, as pytorch-grad-cam) or heat (alpha times the heat, so cold regions keep the photo's colours)."
    )
    var blend: OverlayBlend = .uniform

    @Flag(
        inversion: .prefixedNo,
        help:
            "Add a caption strip below the overlay: method, layer, explained variance, top classes, colour bar (default: on with --model, off with --activations)."
    )
    var annotate: Bool?

    @Option(name: .long, help: "Number of principal components to draw, one map each.")
    var components: Int = 1

    @Flag(name: .long, help: "Do not centre channels (the paper's uncentred variant).")
    var noCenter = false

    @Option(name: .long, help: "Also write per-map statistics as JSON to this file.")
    var json: String?

    @Option(name: .customLong("map-out"), help: "Also write the heatmap(s) at image resolution as float32 .npy.")
    var mapOut: String?

    @Option(name: .customLong("max-pixels"), help: "Refuse images with more pixels than this.")
    var maxPixels: Int = ImageDecoder.defaultMaxPixels

    func validate() throws {
        guard (0...1).contains(alpha) else { throw ValidationError("--alpha must be between 0 and 1") }
        guard components >= 1 else { throw ValidationError("--components must be at least 1") }
        guard activations.isEmpty != (model == nil) else {
            throw ValidationError(
                activations.isEmpty
                    ? "give --model (an ONNX file) or --activations files"
                    : "give --activations files or --model, not both"
            )
        }
        guard (image == nil) != (images == nil) else {
            throw ValidationError(
                image == nil
                    ? "give --image (one picture) or --images (a folder or list)" : "give --image or --images, not both"
            )
        }
        if method != .eigencam {
            let name = method.rawValue
            guard model != nil else {
                throw ValidationError("--method \(name) needs --model (it runs the model once per channel)")
            }
            guard images == nil else {
                throw ValidationError("--images runs EigenCAM; --method \(name) explains one image")
            }
            guard components == 1, !metrics else {
                throw ValidationError("--components and --metrics go with EigenCAM, not --method \(name)")
            }
        } else if className != nil {
            throw ValidationError(
                "EigenCAM is class-agnostic (the same map for every class); --class needs --method scorecam or ablationcam"
            )
        }
        if images != nil {
            guard model != nil else { throw ValidationError("--images needs --model (an ONNX file)") }
            if let jobs, !(1...64).contains(jobs) { throw ValidationError("--jobs must be in 1…64") }
            return
        }
        if let jobs, !(1...64).contains(jobs) { throw ValidationError("--jobs must be in 1…64") }
        guard !recursive, report == nil, jobs == nil || method != .eigencam else {
            throw ValidationError(
                "--recursive and --report go with --images (and --jobs with --images, scorecam or ablationcam)"
            )
        }
        guard URL(fileURLWithPath: out).pathExtension.lowercased() == "png" else {
            throw ValidationError("--out writes a PNG overlay; name it with .png (got '\(out)')")
        }
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
        if !tensor.isEmpty && activations.count > 1 && tensor.count != activations.count {
            throw ValidationError("with several --activations files, give one --tensor per file or none")
        }
    }

    func run() throws {
        if let model, let images {
            try CAMBatch(command: self).run(model: model, images: images)
            return
        }
        guard let image else { throw ValidationError("give --image (one picture) or --images (a folder or list)") }
        if let model, method != .eigencam {
            try ClassCAM(command: self).run(model: model, image: image)
            return
        }
        if let model {
            try ModelCAM(command: self).run(model: model, image: image)
            return
        }
        let started = Date()
        let picture = try ImageDecoder(maxPixels: maxPixels).decode(contentsOf: URL(fileURLWithPath: image))
        let layers = try loadLayers()
        let explainer = CAMExplainer(eigenCAM: EigenCAM(centered: !noCenter, components: components))
        let rendered = try explainer.render(layers, on: picture, overlay: try overlay(), annotate: annotate ?? false)
        let maps = rendered.map(\.map)

        let outputs = CAMOutputs(base: out, count: maps.count)
        var records: [CAMReport.Map] = []
        for (index, (map, png)) in rendered.enumerated() {
            let path = outputs.path(for: map, index: index)
            try AtomicFile.write(png, to: URL(fileURLWithPath: path))
            records.append(CAMReport.Map(map: map, output: path))
        }
        if let mapOut { try writeMaps(maps, to: mapOut) }
        let elapsed = Date().timeIntervalSince(started) * 1000
        let report = CAMReport(
            image: image,
            width: picture.width,
            height: picture.height,
            centered: !noCenter,
            colormap: colormap.rawValue,
            alpha: alpha,
            maps: records,
            elapsedMilliseconds: elapsed
        )
        if let json { try AtomicFile.write(text: try report.jsonText(), to: URL(fileURLWithPath: json)) }
        print(report.summary)
    }

    /// `--map-out`: the heatmap at image resolution as float32 .npy (nothing without the option).
    func writeHeatmap(_ heat: FloatMap) throws {
        guard let mapOut else { return }
        try NPYWriter.write(
            try Tensor(shape: [heat.height, heat.width], values: heat.values),
            to: URL(fileURLWithPath: mapOut)
        )
    }

    /// The overlay recipe the options describe.
    func overlay() throws -> Overlay { try Overlay(colormap: colormap, heatmapWeight: alpha, blend: blend) }

    func loadLayers() throws -> [NamedActivations] {
        var layers: [NamedActivations] = []
        if activations.count == 1, tensor.count > 1 {
            for name in tensor {
                let t = try TensorFile.load(URL(fileURLWithPath: activations[0]), name: name)
                layers.append(NamedActivations(name: name, batch: try ActivationBatch(t)))
            }
            return layers
        }
        for (i, path) in activations.enumerated() {
            let name = tensor.isEmpty ? nil : tensor[activations.count == 1 ? 0 : i]
            let t = try TensorFile.load(URL(fileURLWithPath: path), name: name)
            layers.append(
                NamedActivations(
                    name: name ?? URL(fileURLWithPath: path).lastPathComponent,
                    batch: try ActivationBatch(t)
                )
            )
        }
        return layers
    }

    func writeMaps(_ maps: [CAMMap], to path: String) throws {
        let first = maps[0].heatmap
        let values = maps.flatMap(\.heatmap.values)
        let shape = maps.count == 1 ? [first.height, first.width] : [maps.count, first.height, first.width]
        try NPYWriter.write(try Tensor(shape: shape, values: values), to: URL(fileURLWithPath: path))
    }
}

/// Output file names for one or several maps.
struct CAMOutputs {
    let base: String
    let count: Int

    func path(for map: CAMMap, index: Int) -> String {
        guard count > 1 else { return base }
        let url = URL(fileURLWithPath: base)
        let ext = url.pathExtension.isEmpty ? "png" : url.pathExtension
        let stem = url.deletingPathExtension().path
        return "\(stem)-b\(map.batchIndex)-c\(map.component).\(ext)"
    }
}

/// `--colormap jet|turbo|viridis|inferno`.
extension Colormap: ExpressibleByArgument {}

/// `--method eigencam|scorecam|ablationcam`.
extension CAMMethod: ExpressibleByArgument {}

/// `--blend uniform|heat`.
extension OverlayBlend: ExpressibleByArgument {}
