import LumenNumerics

/// Where the convolution's input lives once padded and split into stride phases: phase
/// (ry, rx) of channel c is the `phaseHeight × rowLength` image of padded rows ry, ry + s, …
/// and columns rx, rx + s, …, stored `[ry][rx][c][Y][X]`, followed by a zeroed margin that the
/// last panel may read past the end. A 1×1 stride-1 unpadded convolution uses its input as is.
struct PhaseLayout {
    let pointwise: Bool
    let phaseHeight: Int
    /// Positions per output row as the kernel walks them (≥ OW; the extra ones are dropped).
    let rowLength: Int
    let count: Int

    /// `direct: false` always copies (the depthwise kernel reads 64 positions past a plane's end).
    init(_ g: ConvolutionGeometry, direct: Bool = true) {
        pointwise = direct && g.isPointwise
        if pointwise {
            (phaseHeight, rowLength, count) = (g.height, g.width, g.channels * g.height * g.width)
        } else {
            let reachY = (g.kernelHeight - 1) * g.dilationY / g.strideY
            let reachX = (g.kernelWidth - 1) * g.dilationX / g.strideX
            phaseHeight = g.outputHeight + reachY
            rowLength = g.outputWidth + reachX
            count = g.strideY * g.strideX * g.channels * phaseHeight * rowLength + reachX + 2 * MicroKernel.columns
        }
    }

    var plane: Int { phaseHeight * rowLength }

    /// For each k = (c, ky, kx) of the filter, where tap k of output position 0 reads.
    func offsets(geometry g: ConvolutionGeometry) -> [Int] {
        if pointwise { return (0..<g.channels).map { $0 * plane } }
        var offsets: [Int] = []
        offsets.reserveCapacity(g.channels * g.kernelHeight * g.kernelWidth)
        for c in 0..<g.channels {
            for ky in 0..<g.kernelHeight {
                let (y0, ry) = (ky * g.dilationY).quotientAndRemainder(dividingBy: g.strideY)
                for kx in 0..<g.kernelWidth {
                    let (x0, rx) = (kx * g.dilationX).quotientAndRemainder(dividingBy: g.strideX)
                    offsets.append(((ry * g.strideX + rx) * g.channels + c) * plane + y0 * rowLength + x0)
                }
            }
        }
        return offsets
    }

    /// Writes the padded phase images of `input` (C × H × W) into `buffer` (`count` floats).
    /// With `interiorOnly`, only the places that hold input values are written: the padding of
    /// a buffer filled before (or zeroed once) for the same geometry is already zero.
    func fill(
        _ buffer: UnsafeMutablePointer<Float>,
        from input: UnsafePointer<Float>,
        geometry g: ConvolutionGeometry,
        workers: Int,
        interiorOnly: Bool = false
    ) {
        let planes = g.strideY * g.strideX * g.channels
        let target = SendableMutablePointer(buffer)
        let source = SendableBuffer(UnsafeBufferPointer(start: input, count: g.channels * g.height * g.width))
        let (rowLength, phaseHeight, plane) = (rowLength, phaseHeight, plane)
        parallel(workers: Swift.min(workers, planes)) { worker, count in
            for index in (planes * worker / count)..<(planes * (worker + 1) / count) {
                let (phase, c) = index.quotientAndRemainder(dividingBy: g.channels)
                let (ry, rx) = phase.quotientAndRemainder(dividingBy: g.strideX)
                let src = source.buffer.baseAddress! + c * g.height * g.width
                // Phase columns X whose source column X·s + rx − padLeft lies inside the image.
                let lo = Swift.max(0, (g.padLeft - rx + g.strideX - 1) / g.strideX)
                let hi = Swift.min(rowLength, Swift.max(lo, (g.width - 1 + g.padLeft - rx) / g.strideX + 1))
                for y in 0..<phaseHeight {
                    let row = target.pointer + index * plane + y * rowLength
                    let iy = y * g.strideY + ry - g.padTop
                    guard iy >= 0 && iy < g.height && hi > lo else {
                        if !interiorOnly { row.initialize(repeating: 0, count: rowLength) }
                        continue
                    }
                    if lo > 0 && !interiorOnly { row.initialize(repeating: 0, count: lo) }
                    let line = src + iy * g.width + rx - g.padLeft
                    if g.strideX == 1 {
                        copy(line + lo, to: row + lo, count: hi - lo)
                    } else if g.strideX == 2 {
                        // Every other float: 32 loaded, the even 16 kept, while the 32 lie in the row.
                        var x = lo
                        while x + 16 <= hi && 2 * x + 31 + rx - g.padLeft < g.width {
                            let pair = UnsafeRawPointer(line + 2 * x).loadUnaligned(as: SIMD32<Float>.self)
                            UnsafeMutableRawPointer(row + x).storeBytes(of: pair.evenHalf, as: SIMD16<Float>.self)
                            x += 16
                        }
                        while x < hi {
                            row[x] = line[2 * x]
                            x += 1
                        }
                    } else {
                        for x in lo..<hi { row[x] = line[x * g.strideX] }
                    }
                    if hi < rowLength && !interiorOnly { (row + hi).initialize(repeating: 0, count: rowLength - hi) }
                }
            }
        }
        if !interiorOnly { (buffer + planes * plane).initialize(repeating: 0, count: count - planes * plane) }
    }
}

/// Which output positions a 32-column panel covers: panel column j is position q0 + j of the
/// kernel's walk, output (q / rowLength, q % rowLength) when that column is below OW.
struct Segments {
    let first: Int, rowLength: Int, outputWidth: Int, outputHeight: Int
    let columns = MicroKernel.columns

    init(first: Int, layout: PhaseLayout, geometry g: ConvolutionGeometry) {
        self.first = first
        (rowLength, outputWidth, outputHeight) = (layout.rowLength, g.outputWidth, g.outputHeight)
    }

    /// The output index of column 0 when all the columns are consecutive outputs.
    var contiguous: Int? {
        let (y, x) = first.quotientAndRemainder(dividingBy: rowLength)
        if y < outputHeight && x + columns <= outputWidth { return y * outputWidth + x }
        if rowLength == outputWidth && first + columns <= outputWidth * outputHeight { return first }
        return nil
    }

    /// Copies the tile's valid columns (rows `0..<rows`, `columns` floats apart) to their outputs.
    func copy(from tile: UnsafePointer<Float>, rows: Int, to output: UnsafeMutablePointer<Float>, plane: Int) {
        var j = 0
        while j < columns {
            let (y, x) = (first + j).quotientAndRemainder(dividingBy: rowLength)
            if y >= outputHeight { return }
            if x >= outputWidth {
                j += rowLength - x
                continue
            }
            let length = Swift.min(outputWidth - x, columns - j)
            for r in 0..<rows {
                (output + r * plane + y * outputWidth + x).update(from: tile + r * columns + j, count: length)
            }
            j += length
        }
    }
}

/// Copies `count` floats: 16 at a time in registers (short rows cost no library call), then the rest.
@inline(__always)
func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 16 <= count {
        UnsafeMutableRawPointer(target + i).storeBytes(
            of: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD16<Float>.self),
            as: SIMD16<Float>.self
        )
        i += 16
    }
    while i < count {
        target[i] = source[i]
        i += 1
    }
}
