import Foundation
import HTTPTypes
import LumenIO
import LumenTestSupport
import Testing

@testable import LumenServer

@Suite("Memory and pixel budgets")
struct MemoryBudgetTests {
    static let corpus = Fixtures.root.deletingLastPathComponent().appendingPathComponent("Fuzz/corpus/image")

    static func png(width: Int, height: Int) throws -> [UInt8] {
        try PNGEncoder().encode(
            try RGBImage(width: width, height: height, pixels: [UInt8](repeating: 90, count: width * height * 3))
        )
    }

    @Test("headers declare the size the decoder finds") func headersDeclareTheSizeTheDecoderFinds() throws {
        var checked = 0
        for url in try FileManager.default.contentsOfDirectory(at: Self.corpus, includingPropertiesForKeys: nil) {
            let bytes = [UInt8](try Data(contentsOf: url))
            guard let decoded = try? ImageDecoder().decode(bytes) else { continue }
            let header = try #require(ImageHeader(bytes), "\(url.lastPathComponent)")
            #expect(header.width == decoded.width && header.height == decoded.height, "\(url.lastPathComponent)")
            checked += 1
        }
        #expect(checked >= 10)
        let bomb = [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent("bomb_400mp.png")))
        #expect(ImageHeader(bomb)?.pixels == 400_000_000)
        #expect(ImageHeader([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) == nil)
        #expect(ImageHeader([0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02]) == nil)
    }

    @Test("a reservation past the budget is refused and one that overfills it is busy")
    func aReservationPastTheBudgetIsRefusedAndOneThatOverfillsItIsBusy() async throws {
        let budget = MemoryBudget(bytes: 1000)
        await #expect(throws: Problem.self) { try await budget.withReservation(1001, for: "x") { 1 } }
        let inner = try await budget.withReservation(600, for: "a") { () async throws -> Int in
            #expect(budget.inUse == 600)
            do {
                _ = try await budget.withReservation(600, for: "b") { 0 }
                return -1
            } catch let problem as Problem {
                return problem.status.code
            }
        }
        #expect(inner == 503)
        #expect(budget.inUse == 0)
        #expect(try await budget.withReservation(1000, for: "c") { 7 } == 7)
    }

    @Test("a decompression bomb is refused from its header and a huge image by the memory budget")
    func aDecompressionBombIsRefusedFromItsHeaderAndAHugeImageByTheMemoryBudget() async throws {
        let server = try TestServer(models: try ServerFixtures.smallModels()) { $0.memoryBudgetBytes = 1 << 20 }
        let activations = try Fixtures.bytes("cam/c512_7x7.npy")
        func explain(_ image: [UInt8]) async throws -> TestServer.Reply {
            try await server.post(
                "/v1/cam",
                json: [
                    "image": Data(image).base64EncodedString(),
                    "activations": Data(activations).base64EncodedString(),
                ]
            )
        }
        let bomb = [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent("bomb_400mp.png")))
        let refused = try await explain(bomb)
        #expect(refused.status == 413)
        #expect((try refused.json()["detail"] as? String ?? "").contains("400 MP"))
        // 200×200 × 24 bytes fits in 1 MiB; 300×300 does not.
        #expect(try await explain(try Self.png(width: 200, height: 200)).status == 200)
        let big = try await explain(try Self.png(width: 300, height: 300))
        #expect(big.status == 413)
        #expect((try big.json()["detail"] as? String ?? "").contains("memory"))
        // base64 images in a drift body count against the same budgets as multipart ones.
        func drift(_ images: [[UInt8]]) async throws -> TestServer.Reply {
            try await server.post(
                "/v1/drift/images?reference=photos",
                json: ["images": images.map { Data($0).base64EncodedString() }]
            )
        }
        #expect(try await drift([try Self.png(width: 200, height: 200)]).status == 200)
        let driftBomb = try await drift([try Self.png(width: 20, height: 20), bomb])
        #expect(driftBomb.status == 413)
        #expect((try driftBomb.json()["detail"] as? String ?? "").contains("image 2"))
        let driftBig = try await drift([try Self.png(width: 300, height: 300)])
        #expect(driftBig.status == 413)
        #expect((try driftBig.json()["detail"] as? String ?? "").contains("memory"))
        #expect(server.services.memory.inUse == 0)
    }
}
