import Foundation
import LumenIO
import LumenTestSupport
import Testing

@Suite("Image decoding")
struct ImageDecoderTests {
    static let pngs = [
        "rgb8.png", "rgba8.png", "gray8.png", "gray_alpha8.png", "rgb16.png", "gray4.png", "palette4.png",
        "interlaced_rgb8.png",
    ]
    static let jpegs = ["baseline.jpg", "progressive.jpg", "gray.jpg", "cmyk.jpg"]

    func expected(_ name: String) throws -> [UInt8] {
        try Fixtures.tensor("imaging/codecs/\(name).expected.npy").values.map { UInt8($0) }
    }

    @Test("every PNG colour type, bit depth and interlace decodes to the expected RGB", arguments: pngs)
    func pngMatchesSourcePixels(name: String) throws {
        let image = try ImageDecoder().decode(Fixtures.bytes("imaging/codecs/\(name)"))
        #expect(image.width == 31 && image.height == 23)
        #expect(image.pixels == (try expected(name)))
    }

    @Test("baseline, progressive, grayscale and CMYK JPEGs decode like Pillow", arguments: jpegs)
    func jpegMatchesPillow(name: String) throws {
        let image = try ImageDecoder().decode(Fixtures.bytes("imaging/codecs/\(name)"))
        let reference = try expected(name)
        #expect(image.pixels.count == reference.count)
        let worst = zip(image.pixels, reference).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(worst <= 2, "max difference \(worst) levels from Pillow's decode")
    }

    @Test("an encoded PNG decodes back to the same pixels")
    func pngRoundTrip() throws {
        var image = try RGBImage(width: 17, height: 9)
        for y in 0..<9 { for x in 0..<17 { image[x, y] = (UInt8(x * 15), UInt8(y * 28), UInt8((x * y) % 256)) } }
        for filter in [PNGEncoder.Filter.none, .sub, .adaptive] {
            let bytes = try PNGEncoder(compressionLevel: 6, filter: filter).encode(image)
            #expect(try ImageDecoder().decode(bytes) == image)
        }
    }

    @Test("gray PNG encoding round-trips")
    func grayRoundTrip() throws {
        let pixels = (0..<(5 * 4)).map { UInt8($0 * 12) }
        let bytes = try PNGEncoder().encodeGray(pixels: pixels, width: 5, height: 4)
        let decoded = try ImageDecoder().decode(bytes)
        #expect(decoded.pixels == pixels.flatMap { [$0, $0, $0] })
    }

    @Test(
        "corrupt, truncated and non-image files give a typed error",
        arguments: [
            "truncated.png", "bad_crc.png", "signature_only.png", "truncated.jpg", "header_only.jpg", "garbled.jpg",
            "soi_only.jpg",
        ]
    )
    func corruptFilesAreRefused(name: String) throws {
        let bytes = try Fixtures.bytes("imaging/codecs/bad/\(name)")
        #expect {
            _ = try ImageDecoder().decode(bytes)
        } throws: { error in
            guard case .corrupt(_, let detail) = error as? ImageError else { return false }
            return !detail.isEmpty
        }
    }

    @Test("files that are not images at all are refused as unknown", arguments: ["not_an_image.png", "empty.jpg"])
    func nonImagesAreRefused(name: String) throws {
        let bytes = try Fixtures.bytes("imaging/codecs/bad/\(name)")
        #expect(throws: ImageError.unknownFormat) { _ = try ImageDecoder().decode(bytes) }
    }

    @Test("a 400-megapixel PNG header is refused before any pixel is allocated")
    func decompressionBombIsRefused() throws {
        let bytes = try Fixtures.bytes("imaging/codecs/bad/bomb_400mp.png")
        #expect {
            _ = try ImageDecoder().decode(bytes)
        } throws: { error in
            guard case .tooLarge(let detail) = error as? ImageError else { return false }
            return detail.contains("20000x20000")
        }
    }

    @Test("the pixel budget is configurable for both formats", arguments: ["rgb8.png", "baseline.jpg"])
    func pixelBudgetApplies(name: String) throws {
        let bytes = try Fixtures.bytes("imaging/codecs/\(name)")
        #expect(throws: ImageError.self) { _ = try ImageDecoder(maxPixels: 31 * 23 - 1).decode(bytes) }
        #expect(try ImageDecoder(maxPixels: 31 * 23).decode(bytes).width == 31)
    }

    @Test("random byte strings never crash the decoders")
    func fuzzedInputsFailCleanly() throws {
        var generator = SplitMix64(seed: 42)
        let seeds = [
            try Fixtures.bytes("imaging/codecs/rgb8.png"), try Fixtures.bytes("imaging/codecs/progressive.jpg"),
        ]
        for round in 0..<300 {
            var bytes = seeds[round % 2]
            let flips = 1 + Int(generator.next() % 12)
            for _ in 0..<flips {
                let position = 2 + Int(generator.next() % UInt64(bytes.count - 2))
                bytes[position] = UInt8(truncatingIfNeeded: generator.next())
            }
            if round % 3 == 0 { bytes = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count)))) }
            _ = try? ImageDecoder().decode(bytes)
        }
    }
}

/// A small deterministic generator for fuzz-style tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
