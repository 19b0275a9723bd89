import Foundation
import LumenIO
import LumenImaging
import LumenTestSupport
import Testing

@testable import LumenExplain

@Suite("The review page in headless Chromium")
struct ReviewPageBrowserTests {
    /// Drives review.html in an iframe the way a reviewer would and prints what it saw as JSON.
    static let harness = #"""
        <!DOCTYPE html>
        <html><body>
        <iframe id="page" src="review.html" width="1200" height="800"></iframe>
        <pre id="out">not run</pre>
        <script>
        const frame = document.getElementById("page");
        frame.addEventListener("load", async () => {
          const w = frame.contentWindow, d = frame.contentDocument, seen = {};
          try {
            const names = () => Array.from(d.querySelectorAll("#grid .card")).map((c) => c.dataset.name);
            const pick = (id, value) => { const s = d.getElementById(id); s.value = value; s.dispatchEvent(new Event("change")); };
            const key = (k) => d.dispatchEvent(new w.KeyboardEvent("keydown", { key: k, bubbles: true }));
            seen.initial = names();
            pick("sort", "confidence-asc");
            seen.byConfidence = names();
            d.querySelectorAll("#grid .card")[0].click();
            seen.opened = !d.getElementById("viewer").hidden;
            const original = d.getElementById("original"), overlay = d.getElementById("overlay");
            await Promise.all([original, overlay].map((img) => img.complete ? null : new Promise((r) => { img.onload = r; img.onerror = r; })));
            seen.originalWidth = original.naturalWidth;
            seen.overlayWidth = overlay.naturalWidth;
            seen.info = d.getElementById("info").textContent;
            key("d");
            key("a");
            key("Escape");
            seen.closed = d.getElementById("viewer").hidden;
            seen.csv = w.verdictsCSV();
            pick("show", "disagree");
            seen.disagreed = names();
            pick("show", "all");
            pick("class", "espresso");
            seen.espresso = names();
          } catch (e) {
            seen.error = String(e);
          }
          document.getElementById("out").textContent = JSON.stringify(seen);
        });
        </script>
        </body></html>
        """#

    /// Text as --dump-dom prints it inside an element, back to what the script wrote.
    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    @Test(
        "sorting, opening an image, recording verdicts by key and exporting them work in a real browser",
        .enabled(if: HeadlessChromium.available, "needs chromium (scripts/setup installs it)")
    )
    func reviewerWorkflow() throws {
        try Fixtures.withTemporaryDirectory { dir in
            let input = dir.appendingPathComponent("photos")
            try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
            for name in ["chelsea.jpg", "coffee.jpg", "chelsea_1280x720.jpg"] {
                try FileManager.default.copyItem(
                    at: Fixtures.url("photos/\(name)"),
                    to: input.appendingPathComponent(name)
                )
            }
            try Data("x".utf8).write(to: input.appendingPathComponent("zz broken.png"))
            let out = dir.appendingPathComponent("out")
            let batch = try ReviewBatch(
                model: ReviewBatchTests.model,
                options: .init(overlay: try Overlay()),
                output: out
            )
            let summary = try batch.run(try ReviewImage.list(input, recursive: false), jobs: 2)
            let page = out.appendingPathComponent("review.html")
            let html = ReviewPage.html(
                summary.records,
                output: out,
                page: page,
                model: "efficientnet-lite0",
                modelDigest: batch.modelDigest
            )
            try html.write(to: page, atomically: true, encoding: .utf8)
            try Self.harness.write(to: out.appendingPathComponent("harness.html"), atomically: true, encoding: .utf8)

            let dom = try HeadlessChromium.dumpDOM(out.appendingPathComponent("harness.html"))
            let json = try #require(
                dom.range(of: "<pre id=\"out\">").flatMap { start in
                    dom[start.upperBound...].range(of: "</pre>").map { String(dom[start.upperBound..<$0.lowerBound]) }
                }
            )
            let seen = try #require(
                JSONSerialization.jsonObject(with: Data(Self.unescape(json).utf8))
                    as? [String: Any],
                "harness printed: \(json)"
            )
            #expect(seen["error"] == nil, "\(seen["error"] ?? "")")

            // The page's order against the manifest's confidences, sorted here.
            let ok = summary.records.filter { $0.status == .ok }
            let ascending = ok.sorted { $0.confidence! < $1.confidence! }.map(\.name) + ["zz broken.png"]
            #expect(seen["initial"] as? [String] == summary.records.map(\.name))
            #expect(seen["byConfidence"] as? [String] == ascending)
            #expect(seen["opened"] as? Bool == true && seen["closed"] as? Bool == true)
            // Both pictures behind the relative links load: the original and the overlay.
            #expect(seen["originalWidth"] as? Int == ok.first { $0.name == ascending[0] }?.width)
            #expect(seen["overlayWidth"] as? Int == ok.first { $0.name == ascending[0] }?.width)
            #expect((seen["info"] as? String)?.contains("share") == true)

            // D on the first opened image, A on the next (the viewer moves on after a verdict).
            let csv = try #require(seen["csv"] as? String).split(separator: "\n").map(String.init)
            #expect(csv.count == 3 && csv[0] == "image,label,confidence,explained_variance,verdict,reviewed_at")
            let rows = csv.dropFirst().map { $0.split(separator: ",").map(String.init) }
            let byImage = Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0[4]) })
            let path = { (name: String) in input.appendingPathComponent(name).path }
            #expect(byImage[path(ascending[0])] == "disagree")
            #expect(byImage[path(ascending[1])] == "agree")
            #expect(seen["disagreed"] as? [String] == [ascending[0]])
            #expect(seen["espresso"] as? [String] == ["coffee.jpg"])
        }
    }
}
