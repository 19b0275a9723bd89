/// Where to write a box's label so it hides as little of the explanation as it can.
public enum LabelPlacement {
    /// The rectangle `RGBImage.drawText` fills for `text` written at (x, y) with `scale`.
    public static func footprint(of text: String, x: Int, y: Int, scale: Int) -> PixelBox {
        let s = max(1, scale)
        return PixelBox(x0: x - s, y0: y - s, x1: x + BitmapFont.width(text, scale: s), y1: y + 8 * s)
    }

    /// The text origin for `text` labelling `box`: of the spots just above the box, inside its top
    /// and bottom edges and just below it, the one wholly on the picture whose footprint covers
    /// the least heat (the earliest on a tie; inside the top edge when none fits).
    public static func origin(
        for text: String,
        labelling box: PixelBox,
        scale: Int,
        heat: FloatMap
    ) -> (x: Int, y: Int) {
        let s = max(1, scale)
        let x = box.x0 + 2 * s
        let spots = [
            (x: x, y: box.y0 - 9 * s - 1),  // above, outside
            (x: x, y: box.y0 + 2 * s),  // inside, top
            (x: x, y: box.y1 - 9 * s),  // inside, bottom
            (x: x, y: box.y1 + 2 * s + 1),  // below, outside
        ]
        var best = spots[1]
        var least = Float.infinity
        for spot in spots {
            let f = footprint(of: text, x: spot.x, y: spot.y, scale: s)
            guard f.x0 >= 0, f.y0 >= 0, f.x1 < heat.width, f.y1 < heat.height else { continue }
            let covered = heat.sum(in: f)
            if covered < least {
                least = covered
                best = spot
            }
        }
        return best
    }
}

extension FloatMap {
    /// The sum of finite values inside the inclusive rectangle, clipped to the map.
    public func sum(in box: PixelBox) -> Float {
        let xa = max(0, box.x0)
        let xb = min(width - 1, box.x1)
        let ya = max(0, box.y0)
        let yb = min(height - 1, box.y1)
        guard xa <= xb, ya <= yb else { return 0 }
        var total: Float = 0
        for y in ya...yb {
            for x in xa...xb where values[y * width + x].isFinite { total += values[y * width + x] }
        }
        return total
    }
}
