import Foundation
import LumenIO
import LumenTestSupport
import Testing

@testable import LumenDrift

@Suite("Image properties, profiles and feature drift")
struct ImageAndProfileTests {
    @Test("image properties match the numpy reference on every fixture image")
    func propertiesMatchNumpy() throws {
        let expected = StatisticsParityTests.reference["image_properties"] as! [String: [String: Double]]
        #expect(expected.count == 48)
        for (path, values) in expected {
            let image = try ImageDecoder().decode(contentsOf: Fixtures.url("drift/images/\(path)"))
            let ours = ImageProperties(image)
            for (k, name) in ImageProperties.names.enumerated() {
                #expect(StatisticsParityTests.close(ours.values[k], values[name]!), "\(path) \(name)")
            }
        }
    }

    @Test("pixel sampling is deterministic and close to the full computation")
    func sampling() throws {
        let image = try ImageDecoder().decode(contentsOf: Fixtures.url("photos/chelsea.jpg"))
        let full = ImageProperties(image)
        let a = ImageProperties(image, samplePixels: 10_000, seed: 3)
        let b = ImageProperties(image, samplePixels: 10_000, seed: 3)
        #expect(a == b)
        #expect(abs(a.brightness - full.brightness) < 2 && abs(a.rmsContrast - full.rmsContrast) < 2)
    }

    @Test("a folder scan skips and lists unreadable images instead of failing")
    func scanSkipsBrokenFiles() throws {
        let scan = try ImageFolderScan.scan(Fixtures.url("drift/images/current"))
        #expect(scan.files.count == 24)
        #expect(scan.skipped.map(\.file) == ["broken.png"])
        let empty = try Fixtures.temporaryDirectory()
        #expect(throws: DriftError.self) { _ = try ImageFolderScan.scan(empty) }
    }

    @Test("darker, bluer images drift in brightness and colour but not in size; identical folders do not drift")
    func imageDrift() throws {
        let reference = try DriftAnalysis.profile(
            ImageFolderScan.scan(Fixtures.url("drift/images/reference")),
            source: "ref"
        )
        let report = try DriftAnalysis.images(
            reference,
            current: ImageFolderScan.scan(Fixtures.url("drift/images/current")),
            source: "cur"
        )
        let drifted = Set(report.features.filter(\.result.drifted).map(\.name))
        #expect(
            drifted == ["brightness", "rms_contrast", "mean_relative_red", "mean_relative_green", "mean_relative_blue"]
        )
        #expect(report.drifted && report.skipped.count == 1)
        #expect(!report.features.first { $0.name == "brightness" }!.responsible.isEmpty)
        let same = try DriftAnalysis.images(
            reference,
            current: ImageFolderScan.scan(Fixtures.url("drift/images/reference")),
            source: "ref"
        )
        #expect(!same.drifted)
    }

    @Test("shifted income and a new segment mix drift; age and score do not")
    func featureDrift() throws {
        let ref = ReferenceProfile(
            kind: .features,
            source: "r",
            columns: try CSVTable.load(Fixtures.url("drift/features_reference.csv")).profiles()
        )
        let cur = ReferenceProfile(
            kind: .features,
            source: "c",
            columns: try CSVTable.load(Fixtures.url("drift/features_current.csv")).profiles()
        )
        let results = try DriftAnalysis.features(ref, cur)
        #expect(Set(results.filter(\.result.drifted).map(\.name)) == ["income", "segment"])
        #expect(results.first { $0.name == "segment" }!.kind == .categorical)
        // Over 1000 reference rows the automatic choice is normed Wasserstein / Jensen–Shannon.
        #expect(results.first { $0.name == "income" }!.result.method == "wasserstein_normed")
        #expect(results.first { $0.name == "segment" }!.result.method == "jensen_shannon")
    }

    @Test("a saved profile gives the same answers as the raw data it was made from")
    func profileRoundTrip() throws {
        let table = try CSVTable.load(Fixtures.url("drift/features_reference.csv"))
        let profile = ReferenceProfile(kind: .features, source: "r", columns: try table.profiles())
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("p.json")
        try profile.write(to: url)
        let loaded = try ReferenceProfile.load(url)
        #expect(loaded == profile)
        #expect(ReferenceProfile.isProfile(url))
        let cur = ReferenceProfile(
            kind: .features,
            source: "c",
            columns: try CSVTable.load(Fixtures.url("drift/features_current.csv")).profiles()
        )
        #expect(
            try DriftAnalysis.features(loaded, cur).map(\.result) == DriftAnalysis.features(profile, cur).map(\.result)
        )
    }

    @Test("ragged CSV rows, empty files, missing columns and foreign JSON are refused clearly")
    func badInputs() throws {
        #expect(throws: DriftError.self) { _ = try CSVTable.parse("a,b\n1,2\n3\n", path: "x.csv") }
        #expect(throws: DriftError.self) { _ = try CSVTable.parse("", path: "x.csv") }
        #expect(throws: DriftError.self) { _ = try CSVTable.parse("a,b\n", path: "x.csv") }
        #expect(throws: DriftError.self) {
            _ = try CSVTable.parse("a,b\n1,2\n", path: "x.csv").profiles(columns: ["c"])
        }
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("p.json")
        try AtomicFile.write(text: #"{"format": "something-else"}"#, to: url)
        #expect(throws: DriftError.self) { _ = try ReferenceProfile.load(url) }
        // Quoted commas stay inside their field.
        #expect(try CSVTable.parse("a,b\n\"x, y\",2\n", path: "q.csv").rows == [["x, y", "2"]])
    }

    @Test("profiles with empty, mismatched or non-finite buckets are refused naming the column, never trapping")
    func damagedProfiles() throws {
        let table = try CSVTable.load(Fixtures.url("drift/features_reference.csv"))
        let profile = ReferenceProfile(kind: .features, source: "r", columns: try table.profiles())
        let numeric = try #require(profile.columns.firstIndex { $0.kind == .numeric })
        let categorical = profile.columns.firstIndex { $0.kind == .categorical }
        var edits: [(String, (inout ReferenceProfile) -> Void)] = [
            (
                "empty edges and counts",
                { p in
                    p.columns[numeric].bucketEdges = []
                    p.columns[numeric].bucketCounts = []
                }
            ),
            ("one count too many", { p in p.columns[numeric].bucketCounts?.append(1) }),
            ("infinite edge", { p in p.columns[numeric].bucketEdges?[1] = .greatestFiniteMagnitude * 2 }),
            ("descending edges", { p in p.columns[numeric].bucketEdges?.reverse() }),
            ("negative count", { p in p.columns[numeric].bucketCounts?[0] = -3 }),
            (
                "neither sample nor sketch",
                { p in
                    p.columns[numeric].reservoir = []
                    p.columns[numeric].sketch = nil
                }
            ),
        ]
        if let categorical { edits.append(("no categories", { p in p.columns[categorical].categories = [:] })) }
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (label, edit) in edits {
            var damaged = profile
            edit(&damaged)
            let url = directory.appendingPathComponent("p.json")
            let encoder = JSONEncoder()
            encoder.nonConformingFloatEncodingStrategy = .convertToString(
                positiveInfinity: "inf",
                negativeInfinity: "-inf",
                nan: "nan"
            )
            // A hand edit leaves a number too large for a Double where the encoder wrote "inf".
            let text = String(decoding: try encoder.encode(damaged), as: UTF8.self).replacingOccurrences(
                of: "\"inf\"",
                with: "1e999"
            )
            try AtomicFile.write(text: text, to: url)
            #expect(throws: DriftError.self, "\(label)") { _ = try ReferenceProfile.load(url) }
        }
    }

    @Test("the HTML report is self-contained: inline SVG per feature, no scripts or remote resources")
    func htmlReport() throws {
        let ref = ReferenceProfile(
            kind: .features,
            source: "r",
            columns: try CSVTable.load(Fixtures.url("drift/features_reference.csv")).profiles()
        )
        let cur = ReferenceProfile(
            kind: .features,
            source: "c",
            columns: try CSVTable.load(Fixtures.url("drift/features_current.csv")).profiles()
        )
        let html = HTMLReport.render(
            DriftReport(kind: .features, reference: "r", current: "c", features: try DriftAnalysis.features(ref, cur))
        )
        #expect(html.components(separatedBy: "<svg").count - 1 == 4)
        #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"))
        #expect(html.hasSuffix("</html>\n"))
    }
}
