import LumenIO
import LumenImaging
import Testing

@Suite("Annotated overlays: caption strip, heat-weighted blend, label placement")
struct OverlayCaptionTests {
    /// A picture whose every pixel differs from its neighbours, so a moved pixel shows.
    func gradient(width: Int, height: Int) throws -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in pixels.indices { pixels[i] = UInt8((i * 7 + i / 3) % 251) }
        return try RGBImage(width: width, height: height, pixels: pixels)
    }

    func lit(_ image: RGBImage) -> Int { image.pixels.filter { $0 != 0 }.count }

    @Test("every printable ASCII character has its own glyph (only '?' draws as '?')")
    func fontCoversASCII() throws {
        var question = try RGBImage(width: 8, height: 10)
        question.drawText("?", x: 1, y: 1, scale: 1, background: nil)
        for scalar in 32...126 where scalar != 63 {
            let character = Character(Unicode.Scalar(UInt8(scalar)))
            var drawn = try RGBImage(width: 8, height: 10)
            drawn.drawText(String(character), x: 1, y: 1, scale: 1, background: nil)
            #expect(drawn != question, "'\(character)' falls back to '?'")
            #expect(scalar == 32 || lit(drawn) > 0, "'\(character)' draws nothing")
        }
    }

    @Test("the caption goes below the picture, which keeps every pixel")
    func captionKeepsPicture() throws {
        let picture = try gradient(width: 200, height: 120)
        let caption = OverlayCaption(
            lines: ["EigenCAM PC1", "layer /features/Conv_output_0 | 43.2% of variance"],
            colormap: .jet
        )
        let layout = caption.layout(width: picture.width)
        let out = try caption.render(below: picture)
        #expect(out.width == picture.width)
        #expect(out.height == picture.height + layout.height)
        #expect(Array(out.pixels[0..<picture.pixels.count]) == picture.pixels)
        #expect(layout.lines.count >= 2)
    }

    @Test("the colour bar runs the colour map from 0 on the left to 1 on the right", arguments: Colormap.allCases)
    func colorBar(map: Colormap) throws {
        let picture = try RGBImage(width: 640, height: 50)
        let caption = OverlayCaption(lines: ["x"], colormap: map)
        let layout = caption.layout(width: picture.width)
        let out = try caption.render(below: picture)
        let row = picture.height + layout.barRows.lowerBound + 1
        let first = layout.barColumns.lowerBound
        let last = layout.barColumns.upperBound
        #expect(out[first, row] == map.color(at: 0))
        #expect(out[last, row] == map.color(at: 255))
        let middle = (first + last) / 2
        let expected = map.color(at: UInt8(Colormap.index(of: Float(middle - first) / Float(last - first))))
        #expect(out[middle, row] == expected)
        // The bar fills its rows and no more: the rows just outside it are the strip's background.
        #expect(out[middle, picture.height + layout.barRows.upperBound] == expected)
        #expect(out[middle, picture.height + layout.barRows.lowerBound - 1] == (24, 24, 24))
    }

    @Test("long lines wrap at spaces, over-long words break, and no text is lost")
    func wrapping() throws {
        let words =
            "layer /model.22/very_long_layer_name_that_does_not_fit_anywhere_on_a_narrow_picture explains 12.5% of variance"
        let caption = OverlayCaption(lines: [words], colormap: .viridis)
        let width = 120
        let layout = caption.layout(width: width)
        let columns = (width - 2 * layout.padding) / (6 * layout.scale)
        #expect(layout.lines.count > 2)
        #expect(layout.lines.allSatisfy { $0.count <= columns })
        #expect(String(layout.lines.joined().filter { $0 != " " }) == String(words.filter { $0 != " " }))
        // Drawn, no text pixel lands in the right margin.
        let out = try caption.render(below: try RGBImage(width: width, height: 10))
        let textRows = 10..<(10 + layout.barRows.lowerBound)
        for y in textRows {
            for x in (width - layout.padding + layout.scale)..<width { #expect(out[x, y] == (24, 24, 24)) }
        }
    }

    @Test("heat blending leaves cold pixels as the photo and weighs hot ones by alpha times heat")
    func heatBlend() throws {
        let picture = try gradient(width: 4, height: 2)
        let heat: [Float] = [0, 1, 0.5, 0.25, .nan, -1, 2, 0.75]
        let mask = try FloatMap(width: 4, height: 2, values: heat)
        let alpha: Float = 0.6
        let out = try Overlay(colormap: .turbo, heatmapWeight: alpha, blend: .heat).apply(mask, on: picture)
        for p in 0..<8 {
            let m = heat[p].isNaN ? 0 : min(max(heat[p], 0), 1)
            let color = Colormap.turbo.color(at: UInt8(Colormap.index(of: heat[p])))
            let rgb = [color.r, color.g, color.b]
            for c in 0..<3 {
                let photo = Float(picture.pixels[3 * p + c])
                let want = (alpha * m * Float(rgb[c]) + (1 - alpha * m) * photo).rounded()
                #expect(Float(out.pixels[3 * p + c]) == want, "pixel \(p) channel \(c)")
            }
        }
        #expect(Array(out.pixels[0..<3]) == Array(picture.pixels[0..<3]))
    }

    @Test("a box label goes where it hides the least heat, and stays on the picture")
    func labelPlacement() throws {
        let width = 100
        let height = 100
        let box = PixelBox(x0: 20, y0: 30, x1: 80, y1: 90)
        // Heat everywhere but a cold band just inside the box's bottom edge.
        var values = [Float](repeating: 1, count: width * height)
        for y in 75...89 { for x in 0..<width { values[y * width + x] = 0 } }
        let heat = try FloatMap(width: width, height: height, values: values)
        let origin = LabelPlacement.origin(for: "cat 0.91", labelling: box, scale: 1, heat: heat)
        let spot = LabelPlacement.footprint(of: "cat 0.91", x: origin.x, y: origin.y, scale: 1)
        #expect(heat.sum(in: spot) == 0)
        #expect(spot.y0 > box.y0 && spot.y1 <= box.y1)

        // A box touching the top edge cannot take the label above it, however cold that is.
        var top = [Float](repeating: 1, count: width * height)
        for i in 0..<(width * 2) { top[i] = 0 }
        let edge = PixelBox(x0: 10, y0: 0, x1: 60, y1: 50)
        let o = LabelPlacement.origin(
            for: "dog",
            labelling: edge,
            scale: 2,
            heat: try FloatMap(width: width, height: height, values: top)
        )
        let f = LabelPlacement.footprint(of: "dog", x: o.x, y: o.y, scale: 2)
        #expect(f.y0 >= 0 && f.y1 < height && f.x1 < width)
    }
}
