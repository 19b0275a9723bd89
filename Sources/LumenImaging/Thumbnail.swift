import LumenIO

extension RGBImage {
    /// The image shrunk to fit `maxWidth × maxHeight` keeping its aspect ratio, each output pixel
    /// the mean of the source pixels it covers (a box filter, so fine detail averages out instead
    /// of aliasing). An image that already fits is returned as it is.
    public func thumbnail(maxWidth: Int, maxHeight: Int) -> RGBImage {
        guard maxWidth > 0, maxHeight > 0, width > maxWidth || height > maxHeight else { return self }
        let scale = min(Double(maxWidth) / Double(width), Double(maxHeight) / Double(height))
        let w = max(1, Int((Double(width) * scale).rounded()))
        let h = max(1, Int((Double(height) * scale).rounded()))
        var out = [UInt8](repeating: 0, count: w * h * 3)
        pixels.withUnsafeBufferPointer { src in
            for ty in 0..<h {
                let y0 = ty * height / h
                let y1 = max(y0 + 1, (ty + 1) * height / h)
                for tx in 0..<w {
                    let x0 = tx * width / w
                    let x1 = max(x0 + 1, (tx + 1) * width / w)
                    var sum = (0, 0, 0)
                    for y in y0..<y1 {
                        var i = (y * width + x0) * 3
                        for _ in x0..<x1 {
                            sum.0 += Int(src[i])
                            sum.1 += Int(src[i + 1])
                            sum.2 += Int(src[i + 2])
                            i += 3
                        }
                    }
                    let n = (y1 - y0) * (x1 - x0)
                    let o = (ty * w + tx) * 3
                    out[o] = UInt8((sum.0 + n / 2) / n)
                    out[o + 1] = UInt8((sum.1 + n / 2) / n)
                    out[o + 2] = UInt8((sum.2 + n / 2) / n)
                }
            }
        }
        // w, h ≥ 1 and the buffer is w·h·3 bytes: the initialiser cannot fail.
        return (try? RGBImage(width: w, height: h, pixels: out)) ?? self
    }

    /// Rows `0..<rows` of the image (all of it when `rows` is not smaller than the height).
    public func topRows(_ rows: Int) -> RGBImage {
        guard rows > 0, rows < height else { return self }
        return (try? RGBImage(width: width, height: rows, pixels: Array(pixels[0..<(rows * width * 3)]))) ?? self
    }
}
