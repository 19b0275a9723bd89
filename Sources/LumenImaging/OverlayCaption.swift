import LumenIO

/// A footer strip that makes an overlay describe itself: lines of text (method, layer, explained
/// variance, top labels) above a colour bar of the map's colours from low to high heat, drawn
/// below the picture so nothing covers the subject.
///
/// The picture keeps its pixels; the result is the picture's width and `height + stripHeight`.
/// Lines wider than the picture wrap at spaces (a word longer than a line is broken).
public struct OverlayCaption: Sendable, Equatable {
    /// Text lines, top to bottom, before wrapping.
    public var lines: [String]
    /// The colour map the overlay used; the bar shows it from 0 to 1.
    public var colormap: Colormap
    /// Words under the two ends of the bar.
    public var low: String
    public var high: String

    public init(lines: [String], colormap: Colormap, low: String = "low heat 0", high: String = "1 high heat") {
        self.lines = lines
        self.colormap = colormap
        self.low = low
        self.high = high
    }

    /// The layout for a picture `width` pixels wide.
    public struct Layout: Sendable, Equatable {
        /// Glyph scale: one font pixel is `scale × scale` image pixels.
        public let scale: Int
        /// Margin around the strip's content.
        public let padding: Int
        /// The wrapped lines as drawn.
        public let lines: [String]
        /// Rows of the bar itself (inclusive), and its columns.
        public let barRows: ClosedRange<Int>
        public let barColumns: ClosedRange<Int>
        /// Height of the whole strip.
        public let height: Int
    }

    /// Glyph scale for a picture of this width: about 50 characters across, at least 1.
    public static func scale(forWidth width: Int) -> Int { max(1, width / 320) }

    /// Where everything goes on a picture `width` pixels wide (rows counted from the strip's top).
    public func layout(width: Int) -> Layout {
        let s = Self.scale(forWidth: width)
        let padding = 4 * s
        let perLine = max(1, (width - 2 * padding) / (6 * s))
        let wrapped = lines.flatMap { Self.wrap($0, columns: perLine) }
        let lineHeight = 10 * s
        let barTop = padding + wrapped.count * lineHeight
        let barRows = barTop...(barTop + 6 * s - 1)
        let barColumns = padding...max(padding, width - padding - 1)
        let height = barRows.upperBound + 1 + 3 * s + 8 * s + padding
        return Layout(
            scale: s,
            padding: padding,
            lines: wrapped,
            barRows: barRows,
            barColumns: barColumns,
            height: height
        )
    }

    /// `picture` with the strip below it.
    public func render(below picture: RGBImage) throws(ImagingError) -> RGBImage {
        let layout = layout(width: picture.width)
        let s = layout.scale
        let background: (UInt8, UInt8, UInt8) = (24, 24, 24)
        var canvas: RGBImage
        do {
            canvas = try RGBImage(width: picture.width, height: picture.height + layout.height, fill: background)
        } catch {
            throw .invalidSize(width: picture.width, height: picture.height + layout.height)
        }
        canvas.pixels.replaceSubrange(0..<picture.pixels.count, with: picture.pixels)
        let top = picture.height
        for (k, line) in layout.lines.enumerated() {
            canvas.drawText(line, x: layout.padding, y: top + layout.padding + k * 10 * s, scale: s, background: nil)
        }
        let table = colormap.table
        let first = layout.barColumns.lowerBound
        let span = max(1, layout.barColumns.count - 1)
        for x in layout.barColumns {
            let t = Colormap.index(of: Float(x - first) / Float(span)) * 3
            canvas.fillRect(
                x0: x,
                y0: top + layout.barRows.lowerBound,
                x1: x,
                y1: top + layout.barRows.upperBound,
                color: (table[t], table[t + 1], table[t + 2])
            )
        }
        let labelRow = top + layout.barRows.upperBound + 1 + 3 * s
        canvas.drawText(low, x: layout.padding, y: labelRow, scale: s, background: nil)
        let highX = picture.width - layout.padding - BitmapFont.width(high, scale: s) + s
        if highX > layout.padding + BitmapFont.width(low, scale: s) {
            canvas.drawText(high, x: highX, y: labelRow, scale: s, background: nil)
        }
        return canvas
    }

    /// `text` cut into lines of at most `columns` characters, at spaces where it can be.
    static func wrap(_ text: String, columns: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = Substring(word)
            if !current.isEmpty, current.count + 1 + word.count <= columns {
                current += " " + word
                continue
            }
            if !current.isEmpty { lines.append(current) }
            while word.count > columns {
                lines.append(String(word.prefix(columns)))
                word = word.dropFirst(columns)
            }
            current = String(word)
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }
}
