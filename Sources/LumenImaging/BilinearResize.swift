extension FloatMap {
    /// Bilinear resampling with half-pixel centres and edge clamping, computed like OpenCV's
    /// `resize(..., INTER_LINEAR)` on float32 images: horizontal pass, then vertical, with source
    /// positions and fractions in double precision, rounded to float weights (as OpenCV 5 does).
    public func resized(width newWidth: Int, height newHeight: Int) throws(ImagingError) -> FloatMap {
        guard newWidth > 0, newHeight > 0 else { throw .invalidSize(width: newWidth, height: newHeight) }
        if newWidth == width && newHeight == height { return self }
        let xs = Self.linearTaps(source: width, destination: newWidth, clampEdges: true)
        let ys = Self.linearTaps(source: height, destination: newHeight, clampEdges: false)

        // Horizontal pass on every source row.
        var rows = [Float](repeating: 0, count: height * newWidth)
        values.withUnsafeBufferPointer { src in
            rows.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let s = src.baseAddress! + y * width
                    let d = dst.baseAddress! + y * newWidth
                    for x in 0..<newWidth {
                        let tap = xs[x]
                        let right: Float = tap.index + 1 < width ? s[tap.index + 1] * tap.weight1 : 0
                        d[x] = s[tap.index] * tap.weight0 + right
                    }
                }
            }
        }
        // Vertical pass: blend two horizontally resampled rows.
        var out = [Float](repeating: 0, count: newHeight * newWidth)
        rows.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<newHeight {
                    let tap = ys[y]
                    let r0 = src.baseAddress! + Swift.min(Swift.max(tap.index, 0), height - 1) * newWidth
                    let r1 = src.baseAddress! + Swift.min(Swift.max(tap.index + 1, 0), height - 1) * newWidth
                    let d = dst.baseAddress! + y * newWidth
                    let b0 = tap.weight0
                    let b1 = tap.weight1
                    for x in 0..<newWidth { d[x] = r0[x] * b0 + r1[x] * b1 }
                }
            }
        }
        return try FloatMap(width: newWidth, height: newHeight, values: out)
    }

    struct Tap {
        var index: Int
        var weight0: Float
        var weight1: Float
    }

    /// Source index and weights for each destination coordinate. With `clampEdges` (the
    /// horizontal pass) an index outside the image is pulled in with its fraction zeroed, as
    /// OpenCV's horizontal pass does; the vertical pass keeps the fraction and clamps rows instead.
    static func linearTaps(source: Int, destination: Int, clampEdges: Bool) -> [Tap] {
        let scale = 1.0 / (Double(destination) / Double(source))
        return (0..<destination).map { d in
            let position = (Double(d) + 0.5) * scale - 0.5
            var index = Int(position.rounded(.down))
            var f = position - Double(index)
            if clampEdges {
                if index < 0 {
                    index = 0
                    f = 0
                }
                if index >= source - 1 {
                    index = source - 1
                    f = 0
                }
            }
            return Tap(index: index, weight0: Float(1 - f), weight1: Float(f))
        }
    }
}
