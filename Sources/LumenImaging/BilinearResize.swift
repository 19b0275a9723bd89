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

extension FloatMap {
    /// Bilinear resampling with the corners aligned (the first and last pixels of the source sit
    /// on those of the result: source x = x·(w − 1)/(W − 1)), as PyTorch's
    /// `UpsamplingBilinear2d` / `interpolate(..., align_corners=True)` computes it.
    public func resizedAligningCorners(width newWidth: Int, height newHeight: Int) throws(ImagingError) -> FloatMap {
        guard newWidth > 0, newHeight > 0 else { throw .invalidSize(width: newWidth, height: newHeight) }
        func taps(_ source: Int, _ destination: Int) -> [(Int, Int, Float)] {
            let scale = destination > 1 ? Float(source - 1) / Float(destination - 1) : 0
            return (0..<destination).map { d in
                let position = Float(d) * scale
                let i0 = Swift.min(Int(position), source - 1)
                let i1 = Swift.min(i0 + 1, source - 1)
                return (i0, i1, position - Float(i0))
            }
        }
        let xs = taps(width, newWidth)
        let ys = taps(height, newHeight)
        var out = [Float](repeating: 0, count: newWidth * newHeight)
        for (y, (y0, y1, fy)) in ys.enumerated() {
            for (x, (x0, x1, fx)) in xs.enumerated() {
                let top = values[y0 * width + x0] * (1 - fx) + values[y0 * width + x1] * fx
                let bottom = values[y1 * width + x0] * (1 - fx) + values[y1 * width + x1] * fx
                out[y * newWidth + x] = top * (1 - fy) + bottom * fy
            }
        }
        return try FloatMap(width: newWidth, height: newHeight, values: out)
    }
}
