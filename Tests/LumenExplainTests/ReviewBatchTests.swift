import Foundation
import LumenCAM
import LumenIO
import LumenImaging
import LumenTestSupport
import Testing

@testable import LumenExplain

@Suite("Batch review: a folder of images explained, resumable, with a manifest")
struct ReviewBatchTests {
    static var model: URL {
        Fixtures.root.deletingLastPathComponent().appendingPathComponent("models/efficientnet-lite0.onnx")
    }

    /// chelsea.jpg, coffee.jpg, broken.jpg (not an image) and trip/cat 2.jpg.
    func folder(_ dir: URL) throws -> URL {
        let input = dir.appendingPathComponent("in")
        try FileManager.default.createDirectory(
            at: input.appendingPathComponent("trip"),
            withIntermediateDirectories: true
        )
        for name in ["chelsea.jpg", "coffee.jpg"] {
            try FileManager.default.copyItem(at: Fixtures.url("photos/\(name)"), to: input.appendingPathComponent(name))
        }
        try FileManager.default.copyItem(
            at: Fixtures.url("photos/chelsea.jpg"),
            to: input.appendingPathComponent("trip/cat 2.jpg")
        )
        try Data("not an image".utf8).write(to: input.appendingPathComponent("broken.jpg"))
        try Data("notes".utf8).write(to: input.appendingPathComponent("notes.txt"))
        return input
    }

    func batch(_ out: URL, alpha: Float = 0.5) throws -> ReviewBatch {
        try ReviewBatch(model: Self.model, options: .init(overlay: try Overlay(heatmapWeight: alpha)), output: out)
    }

    @Test("every image gets an overlay, a thumbnail and a record; an unreadable one is a failed record, not the end")
    func explainsAFolder() throws {
        try Fixtures.withTemporaryDirectory { dir in
            let images = try ReviewImage.list(try folder(dir), recursive: true)
            #expect(images.map(\.name) == ["broken.jpg", "chelsea.jpg", "coffee.jpg", "trip/cat 2.jpg"])
            let out = dir.appendingPathComponent("out")
            let summary = try batch(out).run(images, jobs: 2)
            #expect(summary.explained == 4 && summary.skipped == 0 && summary.failed == 1)
            let records = summary.records
            #expect(records.map(\.status) == [.failed, .ok, .ok, .ok])
            #expect(records[0].error?.contains("not a PNG or JPEG") == true)

            // The batch's answer for each photo is the single-image answer.
            let single = try ModelExplainer(model: Self.model).explain(
                try ImageDecoder().decode(contentsOf: Fixtures.url("photos/chelsea.jpg"))
            )
            #expect(records[1].predictions == single.predictions)
            #expect(records[1].explainedVariance == single.map.layers[0].explainedVarianceRatio)
            #expect(records[3].predictions == single.predictions)

            for r in records.dropFirst() {
                let overlay = try ImageDecoder().decode(contentsOf: out.appendingPathComponent(r.overlay!))
                let thumbnail = try ImageDecoder().decode(contentsOf: out.appendingPathComponent(r.thumbnail!))
                #expect(overlay.width == r.width && overlay.height > r.height!)  // with its caption strip
                #expect(max(thumbnail.width, thumbnail.height) == 240)
            }
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("trip/cat 2.jpg.png").path))
            let manifest = ReviewManifest.load(out.appendingPathComponent("results.jsonl"))
            #expect(manifest.count == 4 && manifest[records[2].image] == records[2])
            let csv = try String(contentsOf: out.appendingPathComponent("results.csv"), encoding: .utf8)
            #expect(csv.split(separator: "\n").count == 5)
            #expect(csv.contains(",ok,espresso,"))
        }
    }

    @Test("a second run skips what is done; a changed image, changed options or a cut-off manifest line are redone")
    func resumes() throws {
        try Fixtures.withTemporaryDirectory { dir in
            let input = try folder(dir)
            let images = try ReviewImage.list(input, recursive: false)
            #expect(images.map(\.name) == ["broken.jpg", "chelsea.jpg", "coffee.jpg"])
            let out = dir.appendingPathComponent("out")
            let first = try batch(out).run(images, jobs: 1)
            let again = try batch(out).run(images, jobs: 1)
            #expect(again.explained == 1 && again.skipped == 2)  // only the failed one is tried again
            #expect(again.records.dropFirst() == first.records.dropFirst())

            // coffee.jpg replaced by another photo: explained again, with the new answer.
            try FileManager.default.removeItem(at: input.appendingPathComponent("coffee.jpg"))
            try FileManager.default.copyItem(
                at: Fixtures.url("photos/chelsea.jpg"),
                to: input.appendingPathComponent("coffee.jpg")
            )
            let changed = try batch(out).run(images, jobs: 1)
            #expect(changed.explained == 2 && changed.records[2].label == "Egyptian cat")

            // A manifest whose last line was cut by a kill: that image is redone, the rest kept.
            let manifest = out.appendingPathComponent("results.jsonl")
            var text = try String(contentsOf: manifest, encoding: .utf8)
            text.removeLast(40)
            try text.write(to: manifest, atomically: true, encoding: .utf8)
            let cut = try batch(out).run(images, jobs: 1)
            #expect(cut.explained == 2 && cut.skipped == 1)

            let otherOptions = try batch(out, alpha: 0.3).run(images, jobs: 1)
            #expect(otherOptions.explained == 3)
        }
    }

    @Test("the records are the same for 1, 3 and 5 images at a time", arguments: [3, 5])
    func jobCountsAgree(jobs: Int) throws {
        try Fixtures.withTemporaryDirectory { dir in
            let images = try ReviewImage.list(try folder(dir), recursive: true)
            let one = try batch(dir.appendingPathComponent("one")).run(images, jobs: 1).records
            let many = try batch(dir.appendingPathComponent("many")).run(images, jobs: jobs).records
            func stripped(_ r: [ReviewRecord]) -> [ReviewRecord] {
                r.map {
                    var r = $0
                    r.elapsedMilliseconds = 0
                    return r
                }
            }
            #expect(stripped(one) == stripped(many))
        }
    }

    @Test("a list file: paths relative to it, comments and blank lines skipped, repeated names made unique")
    func listFile() throws {
        try Fixtures.withTemporaryDirectory { dir in
            let input = try folder(dir)
            let list = dir.appendingPathComponent("list.txt")
            let text = "# to review\nin/chelsea.jpg\n\n  in/trip/cat 2.jpg  \n\(input.path)/chelsea.jpg\n"
            try text.write(to: list, atomically: true, encoding: .utf8)
            let images = try ReviewImage.list(list, recursive: false)
            #expect(images.map(\.name) == ["in/chelsea.jpg", "in/trip/cat 2.jpg", "chelsea.jpg"])
            #expect(images[1].url.path == input.appendingPathComponent("trip/cat 2.jpg").path)

            #expect(throws: ExplainError.noImages(dir.appendingPathComponent("in/trip").path + "/x")) {
                try FileManager.default.createDirectory(
                    at: dir.appendingPathComponent("in/trip/x"),
                    withIntermediateDirectories: true
                )
                _ = try ReviewImage.list(dir.appendingPathComponent("in/trip/x"), recursive: true)
            }
            #expect(throws: ExplainError.self) {
                _ = try ReviewImage.list(dir.appendingPathComponent("none"), recursive: false)
            }
        }
    }

    @Test("a file name or label cannot break out of the page's data or inject markup")
    func pageEscapes() throws {
        let hostile = "</script><img src=x onerror=alert(1)>.jpg"
        let record = ReviewRecord(
            image: "/photos/" + hostile,
            name: hostile,
            status: .failed,
            error: "</script>",
            predictions: [],
            detections: [],
            elapsedMilliseconds: 1,
            model: "m",
            options: "o",
            imageStamp: "s"
        )
        let html = ReviewPage.html(
            [record],
            output: URL(fileURLWithPath: "/out"),
            page: URL(fileURLWithPath: "/out/review.html"),
            model: "<b>model</b>",
            modelDigest: "abc"
        )
        let template = ReviewPageTemplate.page
        #expect(html.components(separatedBy: "</script>").count == template.components(separatedBy: "</script>").count)
        #expect(!html.contains("<b>model</b>"))  // markup inside the JSON data is inert; only </script> could end it
        #expect(html.contains("&lt;b&gt;model&lt;/b&gt;"))
    }

    @Test("links from the page are relative and percent-encoded")
    func relativeLinks() {
        let href = ReviewPage.relativeHref(
            from: URL(fileURLWithPath: "/data/review/out"),
            to: URL(fileURLWithPath: "/data/photos/my cat#1.jpg")
        )
        #expect(href == "../../photos/my%20cat%231.jpg")
        #expect(
            ReviewPage.relativeHref(from: URL(fileURLWithPath: "/a/out"), to: URL(fileURLWithPath: "/a/out/x.png"))
                == "x.png"
        )
    }

    @Test("a thumbnail is the mean of the pixels each of its pixels covers")
    func thumbnailAverages() throws {
        // 4×2 image of two 2×2 blocks: (0, 100, 200) and (10, 20, 30) / (30, 40, 50) rows.
        let pixels: [UInt8] = [
            0, 100, 200, 0, 100, 200, 10, 20, 30, 10, 20, 30,
            0, 100, 200, 0, 100, 200, 30, 40, 50, 30, 40, 50,
        ]
        let image = try RGBImage(width: 4, height: 2, pixels: pixels)
        let small = image.thumbnail(maxWidth: 2, maxHeight: 2)
        #expect(small.width == 2 && small.height == 1)
        #expect(small.pixels == [0, 100, 200, 20, 30, 40])
        #expect(image.thumbnail(maxWidth: 10, maxHeight: 10) == image)
    }
}
