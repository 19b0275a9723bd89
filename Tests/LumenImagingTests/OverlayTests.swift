import LumenIO
import LumenImaging
import LumenTestSupport
import Testing

@Suite("Colour maps and overlays")
struct OverlayTests {
    @Test("jet is bit-exact with OpenCV COLORMAP_JET for all 256 entries")
    func jetMatchesOpenCV() throws {
        let reference = try Fixtures.tensor("imaging/jet_rgb.npy").values.map { UInt8($0) }
        #expect(Colormap.jet.table == reference)
    }

    @Test("every colour map has 256 entries and runs dark-to-bright or blue-to-red as documented")
    func tableShapes() {
        for map in Colormap.allCases { #expect(map.table.count == 768) }
        #expect(Colormap.viridis.color(at: 0) == (68, 1, 84))
        #expect(Colormap.viridis.color(at: 255) == (253, 231, 37))
        #expect(Colormap.inferno.color(at: 0) == (0, 0, 4))
        #expect(Colormap.jet.color(at: 0) == (0, 0, 128))
        #expect(Colormap.jet.color(at: 255) == (128, 0, 0))
    }

    @Test("the overlay equals the reference blend bit for bit", arguments: [Float(0.5), 0.3])
    func overlayMatchesReference(alpha: Float) throws {
        let image = try ImageDecoder().decode(Fixtures.bytes("imaging/overlay_image.png"))
        let mask = try Fixtures.tensor("imaging/overlay_mask.npy")
        let expected = try Fixtures.tensor("imaging/overlay_expected_\(alpha).npy").values.map { UInt8($0) }
        let heat = try FloatMap(width: 40, height: 30, values: mask.values)
        let blended = try Overlay(colormap: .jet, heatmapWeight: alpha).apply(heat, on: image)
        let worst = zip(blended.pixels, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
        // α = 0.5 is exact; other weights may differ by one level where 1 − (1 − α) ≠ α in float.
        #expect(worst <= (alpha == 0.5 ? 0 : 1))
    }

    @Test("mismatched sizes and weights outside [0, 1] are refused")
    func refusesBadInput() throws {
        let image = try RGBImage(width: 4, height: 4)
        let heat = try FloatMap(width: 3, height: 4, values: [Float](repeating: 0, count: 12))
        #expect(throws: ImagingError.self) { _ = try Overlay().apply(heat, on: image) }
        #expect(throws: ImagingError.self) { _ = try Overlay(heatmapWeight: 1.5) }
    }

    @Test("NaN and out-of-range mask values map to the ends of the colour map")
    func clampsMaskValues() {
        #expect(Colormap.index(of: .nan) == 0)
        #expect(Colormap.index(of: -3) == 0)
        #expect(Colormap.index(of: 7) == 255)
        #expect(Colormap.index(of: 0.999) == 254)
    }

    @Test("boxes are drawn clipped to the image")
    func boxesClip() throws {
        var image = try RGBImage(width: 10, height: 8)
        image.drawBox(PixelBox(x0: -5, y0: 2, x1: 6, y1: 20), color: (255, 0, 0), thickness: 1)
        #expect(image[0, 2] == (255, 0, 0))
        #expect(image[6, 5] == (255, 0, 0))
        #expect(image[3, 5] == (0, 0, 0))
    }
}

@Suite("Jet against its definition")
struct JetDefinitionTests {
    @Test("jet follows Octave's clipped tents of slope 4 to within one level")
    func jetFollowsFormula() {
        for i in 0..<256 {
            let x = Double(i) / 255
            let expected = [
                min(4 * x - 1.5, -4 * x + 4.5), min(4 * x - 0.5, -4 * x + 3.5), min(4 * x + 0.5, -4 * x + 2.5),
            ]
            .map { min(max($0, 0), 1) * 255 }
            let c = Colormap.jet.color(at: UInt8(i))
            for (got, want) in zip([c.r, c.g, c.b], expected) { #expect(abs(Double(got) - want) <= 1, "entry \(i)") }
        }
    }
}
