import Foundation
import LumenIO
import LumenTestSupport
import Testing

@testable import LumenDrift

@Suite("Image report thumbnails")
struct ImageThumbnailTests {
    @Test("the images most responsible appear as inline PNG thumbnails of at most 112 pixels a side")
    func responsibleImagesAreShown() throws {
        let reference = try ImageFolderScan.scan(Fixtures.url("drift/images/reference"))
        let currentURL = Fixtures.url("drift/images/current")
        let report = try DriftAnalysis.images(
            try DriftAnalysis.profile(reference, source: "r"),
            current: try ImageFolderScan.scan(currentURL),
            source: "c"
        )
        let files = report.features.flatMap(\.responsibleFiles)
        #expect(!files.isEmpty)
        #expect(report.features.allSatisfy { $0.responsibleFiles.count == $0.responsible.count })
        let thumbnails = ImageThumbnail.dataURIs(files: files, in: currentURL)
        #expect(Set(thumbnails.keys) == Set(files))
        let html = HTMLReport.render(report, thumbnails: thumbnails)
        #expect(html.components(separatedBy: "<img src=\"data:image/png;base64,").count - 1 == files.count)
        // Each thumbnail is a real PNG no larger than 112 × 112.
        let uri = try #require(thumbnails[files[0]])
        let png = try #require(Data(base64Encoded: String(uri.dropFirst("data:image/png;base64,".count))))
        let image = try ImageDecoder().decode([UInt8](png))
        #expect(image.width <= 112 && image.height <= 112 && image.width > 10)
    }
}
