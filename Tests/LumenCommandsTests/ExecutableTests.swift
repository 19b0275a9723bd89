import Foundation
import LumenMonitoring
import LumenTestSupport
import Testing

/// Runs the built `lumen` binary the way a user does: exit codes and one-line errors.
@Suite("lumen executable")
struct ExecutableTests {
    static var binary: URL {
        // Test bundles live next to the executables in the build folder.
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("lumen")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/lumen")
    }

    func launch(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test("success prints one summary line and exits 0")
    func success() throws {
        let dir = try Fixtures.temporaryDirectory()
        let result = try launch([
            "cam", "--image", Fixtures.url("photos/chelsea.jpg").path,
            "--activations", Fixtures.url("photos/chelsea.efficientnet_lite0.head.npy").path,
            "--out", dir.appendingPathComponent("h.png").path,
        ])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\n").count == 1)
        #expect(result.stdout.contains("1280x7x7"))
    }

    @Test("a truncated JPEG exits non-zero with a one-line message naming the problem")
    func corruptImage() throws {
        let dir = try Fixtures.temporaryDirectory()
        let result = try launch([
            "cam", "--image", Fixtures.url("imaging/codecs/bad/truncated.jpg").path,
            "--activations", Fixtures.url("cam/c512_7x7.npy").path, "--out", dir.appendingPathComponent("h.png").path,
        ])
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(result.stderr.contains("corrupt or truncated JPEG"))
        #expect(result.status == 1)
    }

    @Test("usage errors — a typo, a missing option — exit 64 with one Error: line naming the real problem")
    func usageErrors() throws {
        let typo = try launch(["cam", "--mdel", "m.onnx", "--image", "i.jpg", "--out", "o.png"])
        #expect(typo.status == 64 && typo.stderr.hasPrefix("Error: unknown option '--mdel'"))
        #expect(typo.stderr.split(separator: "\n").count == 1 && typo.stderr.contains("'--model'"))
        let missing = try launch(["cam", "--model", "m.onnx", "--image", "i.jpg"])
        #expect(missing.status == 64 && missing.stderr.hasPrefix("Error: Missing expected argument '--out"))
        #expect(missing.stderr.split(separator: "\n").count == 1)
        let noImage = try launch(["cam", "--model", "m.onnx", "--out", "o.png"])
        #expect(noImage.status == 64 && noImage.stderr.hasPrefix("Error: give --image (one picture) or --images"))
        let both = try launch(["cam", "--model", "m.onnx", "--image", "i.jpg", "--images", "d", "--out", "o"])
        #expect(both.status == 64 && both.stderr.contains("not both"))
        let jpeg = try launch(["cam", "--model", "m.onnx", "--image", "i.jpg", "--out", "o.jpg"])
        #expect(jpeg.status == 64 && jpeg.stderr.contains(".png"))
        let help = try launch(["cam", "--help"])
        #expect(help.status == 0 && help.stdout.contains("--model"))
    }
}

@Suite("lumen drift exit status")
struct DriftExitStatusTests {
    func launch(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try ExecutableTests().launch(arguments)
    }

    @Test("0 without drift, 1 with drift, 2 on error")
    func exitCodes() throws {
        let dir = try Fixtures.temporaryDirectory()
        let ref = Fixtures.url("drift/features_reference.csv").path
        let cur = Fixtures.url("drift/features_current.csv").path
        let same = try launch(["drift", "features", "--reference", ref, "--current", ref])
        #expect(same.status == 0 && same.stdout.hasPrefix("no drift"))
        let html = dir.appendingPathComponent("r.html").path
        let json = dir.appendingPathComponent("r.json").path
        let drift = try launch([
            "drift", "features", "--reference", ref, "--current", cur, "--html", html, "--json", json,
        ])
        #expect(drift.status == 1 && drift.stdout.hasPrefix("DRIFT"))
        #expect(FileManager.default.fileExists(atPath: html) && FileManager.default.fileExists(atPath: json))
        let missing = try launch([
            "drift", "features", "--reference", dir.appendingPathComponent("none.csv").path, "--current", cur,
        ])
        #expect(missing.status == 2 && missing.stderr.contains("no such file"))
        let profile = dir.appendingPathComponent("p.json").path
        #expect(try launch(["drift", "profile", "--features", ref, "--out", profile]).status == 0)
        #expect(try launch(["drift", "features", "--reference", profile, "--current", cur]).status == 1)
        #expect(
            try launch([
                "drift", "images", "--reference", Fixtures.url("drift/images/reference").path, "--current",
                Fixtures.url("drift/images/current").path,
            ]).status == 1
        )
    }

    @Test(
        "monitor report reads a store: a summary line, the HTML page and JSON; a missing store is one Error: line and 1"
    )
    func monitorReport() throws {
        let dir = try Fixtures.temporaryDirectory()
        let path = dir.appendingPathComponent("predictions.sqlite").path
        let store = try PredictionStore(path: path)
        for (k, truth) in ["tabby", "tabby", "lynx", "tabby"].enumerated() {
            try store.record(
                StoredAnswer(
                    id: "a\(k)",
                    time: Date(timeIntervalSince1970: 1_764_547_200 + Double(k) * 3600),
                    route: "/v1/cam/model/{name}",
                    caller: "reviewer",
                    model: "cats",
                    prediction: .label(label: "tabby", confidence: 0.9, scores: ["tabby": 0.9, "lynx": 0.05])
                )
            )
            _ = try store.takeFeedback(for: "a\(k)") { _ in (StoredFeedback(label: truth, correct: truth == "tabby"), 0)
            }
        }
        let html = dir.appendingPathComponent("report.html").path
        let ok = try launch([
            "monitor", "report", "--store", path, "--model", "cats", "--from", "2025-12-01", "--to", "2025-12-02",
            "--html", html, "--json", "-",
        ])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.hasPrefix("cats: 4 answers, 4 with ground truth; accuracy 0.750"))
        #expect(ok.stdout.contains("\"accuracy\" : 0.75"))
        #expect(try String(contentsOfFile: html, encoding: .utf8).contains("<svg class=\"confusion\""))
        let missing = try launch([
            "monitor", "report", "--store", dir.appendingPathComponent("none.sqlite").path, "--model", "x",
        ])
        #expect(missing.status == 1)
        #expect(
            missing.stderr.hasPrefix("Error: cannot open the prediction store")
                && missing.stderr.split(separator: "\n").count == 1
        )
    }
}
