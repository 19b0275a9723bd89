import ArgumentParser
import Foundation
import LumenCAM
import LumenIO
import LumenImaging
import LumenTestSupport
import Testing

@testable import LumenCommands

@Suite("lumen cam")
struct CAMCommandTests {
    func run(_ arguments: [String]) throws {
        var command = try Lumen.parseAsRoot(["cam"] + arguments)
        try command.run()
    }

    @Test("writes the overlay, the statistics JSON and the heatmap .npy for a real photo")
    func writesAllOutputs() throws {
        let dir = try Fixtures.temporaryDirectory()
        let out = dir.appendingPathComponent("heat.png")
        let json = dir.appendingPathComponent("stats.json")
        let map = dir.appendingPathComponent("map.npy")
        try run([
            "--image", Fixtures.url("photos/coffee.jpg").path,
            "--activations", Fixtures.url("photos/coffee.efficientnet_lite0.head.npy").path,
            "--out", out.path, "--json", json.path, "--map-out", map.path,
        ])
        let overlay = try ImageDecoder().decode(contentsOf: out)
        let photo = try ImageDecoder().decode(contentsOf: Fixtures.url("photos/coffee.jpg"))
        #expect(overlay.width == photo.width && overlay.height == photo.height)

        let heat = try TensorFile.load(map)
        #expect(heat.shape == [photo.height, photo.width])
        #expect(heat.values.min()! >= 0 && heat.values.max()! <= 1 && heat.values.max()! > 0.99)
        // The .npy heatmap is exactly what the engine computes for these inputs.
        let acts = try ActivationBatch(Fixtures.tensor("photos/coffee.efficientnet_lite0.head.npy"))
        let direct = try CAMExplainer().explain(
            [NamedActivations(name: "x", batch: acts)],
            width: photo.width,
            height: photo.height
        )
        #expect(heat.values == direct[0].heatmap.values)

        let stats = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as! [String: Any]
        let maps = stats["maps"] as! [[String: Any]]
        let layer = (maps[0]["layers"] as! [[String: Any]])[0]
        #expect(layer["channels"] as? Int == 1280)
        #expect(
            (layer["explained_variance_ratio"] as! Double) > 0 && (layer["explained_variance_ratio"] as! Double) < 1
        )
        #expect(layer["sign_rule"] as? String == "covariance")
    }

    @Test("--annotate adds the caption strip on the activations path; --model has it unless --no-annotate")
    func annotation() throws {
        let dir = try Fixtures.temporaryDirectory()
        let photo = try ImageDecoder().decode(contentsOf: Fixtures.url("photos/coffee.jpg"))
        func height(_ name: String, _ extra: [String]) throws -> Int {
            let out = dir.appendingPathComponent(name)
            try run(["--image", Fixtures.url("photos/coffee.jpg").path, "--out", out.path] + extra)
            let image = try ImageDecoder().decode(contentsOf: out)
            #expect(image.width == photo.width)
            return image.height
        }
        let activations = ["--activations", Fixtures.url("photos/coffee.efficientnet_lite0.head.npy").path]
        #expect(try height("plain.png", activations) == photo.height)
        #expect(try height("captioned.png", activations + ["--annotate", "--blend", "heat"]) > photo.height)
        let model = ["--model", Self.models.appendingPathComponent("efficientnet-lite0.onnx").path]
        #expect(try height("model.png", model) > photo.height)
        #expect(try height("model-bare.png", model + ["--no-annotate"]) == photo.height)
    }

    @Test("--images explains a folder into --out with the manifest and the review page; it needs --model")
    func batchMode() throws {
        let dir = try Fixtures.temporaryDirectory()
        let input = dir.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Fixtures.url("photos/coffee.jpg"),
            to: input.appendingPathComponent("coffee.jpg")
        )
        let out = dir.appendingPathComponent("review")
        let model = Self.models.appendingPathComponent("efficientnet-lite0.onnx").path
        try run(["--model", model, "--images", input.path, "--out", out.path, "--jobs", "3"])
        for name in ["coffee.jpg.png", "results.jsonl", "results.csv", "review.html", "thumbnails/coffee.jpg.png"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
        }
        let page = try String(contentsOf: out.appendingPathComponent("review.html"), encoding: .utf8)
        #expect(page.contains("espresso"))
        #expect(throws: (any Error).self) { _ = try Lumen.parseAsRoot(["cam", "--images", input.path, "--out", "o"]) }
        #expect(throws: (any Error).self) {
            _ = try Lumen.parseAsRoot(["cam", "--model", model, "--images", input.path, "--out", "o", "--jobs", "0"])
        }
    }

    @Test(
        "--method scorecam|ablationcam --class writes a class-specific overlay that says so",
        arguments: ["scorecam", "ablationcam"]
    )
    func classSpecific(method: String) throws {
        let dir = try Fixtures.temporaryDirectory()
        let out = dir.appendingPathComponent("tiger.png")
        let json = dir.appendingPathComponent("tiger.json")
        try run([
            "--model", Self.models.appendingPathComponent("efficientnet-lite0.onnx").path, "--image",
            Fixtures.url("photos/chelsea.jpg").path, "--method", method, "--class", "tiger cat", "--layer",
            "/net/_blocks.3/_project_conv/Conv_output_0", "--out", out.path, "--json", json.path,
        ])
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as! [String: Any]
        #expect(report["method"] as? String == method && report["class_index"] as? Int == 282)
        #expect(report["forward_passes"] as? Int == 41)
        let photo = try ImageDecoder().decode(contentsOf: Fixtures.url("photos/chelsea.jpg"))
        #expect(try ImageDecoder().decode(contentsOf: out).height > photo.height)
        #expect(throws: (any Error).self) {
            _ = try Lumen.parseAsRoot([
                "cam", "--model", "m.onnx", "--image", "a.jpg", "--out", "o.png", "--class", "tabby",
            ])
        }
    }

    static var models: URL { Fixtures.root.deletingLastPathComponent().appendingPathComponent("models") }

    @Test("several components write one PNG each, named after batch index and component")
    func componentsWriteSeveralFiles() throws {
        let dir = try Fixtures.temporaryDirectory()
        try run([
            "--image", Fixtures.url("photos/chelsea.jpg").path,
            "--activations", Fixtures.url("photos/chelsea.efficientnet_lite0.head.npy").path,
            "--components", "3", "--colormap", "viridis", "--out", dir.appendingPathComponent("c.png").path,
        ])
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(files == ["c-b0-c0.png", "c-b0-c1.png", "c-b0-c2.png"])
    }

    @Test("several safetensors layers are averaged")
    func safetensorsLayers() throws {
        let dir = try Fixtures.temporaryDirectory()
        let map = dir.appendingPathComponent("m.npy")
        try run([
            "--image", Fixtures.url("imaging/overlay_image.png").path,
            "--activations", Fixtures.url("cam/layers.safetensors").path,
            "--tensor", "layer_a", "--tensor", "layer_b",
            "--out", dir.appendingPathComponent("o.png").path, "--map-out", map.path,
        ])
        let a = try ActivationBatch(Fixtures.tensor("cam/multi_a.npy"))
        let b = try ActivationBatch(Fixtures.tensor("cam/multi_b.npy"))
        let direct = try CAMExplainer().explain(
            [.init(name: "a", batch: a), .init(name: "b", batch: b)],
            width: 40,
            height: 30
        )
        #expect(try TensorFile.load(map).values == direct[0].heatmap.values)
    }

    static let failures: [(label: String, arguments: [String])] = [
        ("corrupt image", ["--image", "imaging/codecs/bad/truncated.jpg", "--activations", "cam/c512_7x7.npy"]),
        ("not an image", ["--image", "imaging/codecs/bad/not_an_image.png", "--activations", "cam/c512_7x7.npy"]),
        ("missing image", ["--image", "photos/none.jpg", "--activations", "cam/c512_7x7.npy"]),
        ("2-D activations", ["--image", "photos/chelsea.jpg", "--activations", "imaging/overlay_mask.npy"]),
        (
            "too many components",
            ["--image", "photos/chelsea.jpg", "--activations", "cam/c512_7x7.npy", "--components", "60"]
        ),
        (
            "unknown tensor",
            ["--image", "photos/chelsea.jpg", "--activations", "cam/layers.safetensors", "--tensor", "nope"]
        ),
        (
            "integer tensor",
            ["--image", "photos/chelsea.jpg", "--activations", "cam/layers.safetensors", "--tensor", "step"]
        ),
        (
            "batch mismatch",
            [
                "--image", "photos/chelsea.jpg", "--activations", "cam/c512_7x7.npy", "--activations",
                "cam/batch3_32_9x9.npy",
            ]
        ),
    ]

    @Test("bad inputs fail with a typed error and leave no output file", arguments: 0..<failures.count)
    func badInputsLeaveNothing(index: Int) throws {
        let dir = try Fixtures.temporaryDirectory()
        var arguments = Self.failures[index].arguments
        for i in arguments.indices where i > 0 && ["--image", "--activations"].contains(arguments[i - 1]) {
            arguments[i] = Fixtures.url(arguments[i]).path
        }
        arguments += [
            "--out", dir.appendingPathComponent("o.png").path, "--json", dir.appendingPathComponent("o.json").path,
        ]
        #expect(throws: (any Error).self, "\(Self.failures[index].label)") { try run(arguments) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test(
        "option validation catches unknown colour maps, out-of-range weights and options of the other method",
        arguments: [
            ["--colormap", "rainbow"], ["--alpha", "1.5"], ["--components", "0"], ["--blend", "soft"],
            ["--class", "tabby"], ["--method", "scorecam"], ["--method", "gradcam"],
        ]
    )
    func validation(extra: [String]) {
        #expect(throws: (any Error).self) {
            _ = try Lumen.parseAsRoot(["cam", "--image", "a.jpg", "--activations", "a.npy", "--out", "o.png"] + extra)
        }
    }
}
