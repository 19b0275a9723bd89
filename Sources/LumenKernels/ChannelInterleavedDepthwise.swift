import LumenNumerics

/// Depthwise convolution for small images (the late layers of mobile networks: 14×14, 7×7 with
/// hundreds of channels), where one channel at a time leaves most vector lanes idle. Sixteen
/// channels share the lanes instead: they are interleaved into a zero-padded H × W × 16 image,
/// every output pixel is the sum over the taps of (16 weights) × (16 inputs), and the pixels are
/// scattered back to the channels' planes. Input already in that form (`ChannelBlockedLayout`,
/// handed over by a 1×1 convolution) is read in place at any image size, and the output can stay
/// blocked for a 1×1 reader.
enum ChannelInterleavedDepthwise {
    /// Output planes up to this many pixels take this path from ordinary planes.
    static let largestPlane = 256
    static let lanes = 16

    static func run<F: VectorFunction>(
        weights: UnsafePointer<Float>,
        input: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>,
        geometry g: ConvolutionGeometry,
        bias: UnsafePointer<Float>?,
        activation: F,
        workers: Int
    ) {
        convolve(
            weights: weights,
            input: input,
            blocked: false,
            layout: ChannelBlockedLayout(depthwiseInput: g),
            output: output,
            blockedOutput: false,
            geometry: g,
            bias: bias,
            activation: activation,
            workers: workers
        )
    }

    /// The same convolution reading its input already channel-blocked (as `layout`, with a zero
    /// border), in place: no interleaving. With `blockedOutput` the output stays blocked too
    /// (unpadded: block b is OH × OW pixels of 16 floats), so nothing is scattered back.
    static func run<F: VectorFunction>(
        weights: UnsafePointer<Float>,
        blocked input: UnsafePointer<Float>,
        layout: ChannelBlockedLayout,
        output: UnsafeMutablePointer<Float>,
        blockedOutput: Bool,
        geometry g: ConvolutionGeometry,
        bias: UnsafePointer<Float>?,
        activation: F,
        workers: Int
    ) {
        precondition(layout == ChannelBlockedLayout(depthwiseInput: g))
        convolve(
            weights: weights,
            input: input,
            blocked: true,
            layout: layout,
            output: output,
            blockedOutput: blockedOutput,
            geometry: g,
            bias: bias,
            activation: activation,
            workers: workers
        )
    }

    /// Splits the channel groups between the workers; each group's padded interleaved image is
    /// the input's block (`blocked`) or built from its planes, then the taps are summed and the
    /// pixels scattered back to the output planes.
    static func convolve<F: VectorFunction>(
        weights: UnsafePointer<Float>,
        input: UnsafePointer<Float>,
        blocked: Bool,
        layout: ChannelBlockedLayout,
        output: UnsafeMutablePointer<Float>,
        blockedOutput: Bool,
        geometry g: ConvolutionGeometry,
        bias: UnsafePointer<Float>?,
        activation: F,
        workers: Int
    ) {
        let lanes = Self.lanes
        let (kh, kw) = (g.kernelHeight, g.kernelWidth)
        let taps = kh * kw
        let plane = g.outputHeight * g.outputWidth
        let groups = layout.blocks
        let paddedWidth = layout.paddedWidth
        let tapOffsets = (0..<taps).map { t in ((t / kw) * g.dilationY * paddedWidth + (t % kw) * g.dilationX) * lanes }
        let shared = Convolution.Shared(source: input, output: output, bias: bias)
        let filter = SendableBuffer(UnsafeBufferPointer(start: weights, count: g.channels * taps))
        tapOffsets.withUnsafeBufferPointer { tapOffsets in
            let tapOffsets = SendableBuffer(tapOffsets)
            // Blocked input needs no per-group copy, so a group's rows can be split too: every
            // worker then gets an equal share even when the groups do not divide evenly.
            let parts = blocked ? Swift.max(1, Swift.min(g.outputHeight, (8 * workers + groups - 1) / groups)) : 1
            let items = groups * parts
            parallel(workers: Swift.min(workers, items)) { worker, count in
                let scratch = blocked ? 0 : layout.blockStride
                let image = UnsafeMutablePointer<Float>.allocate(capacity: scratch)
                image.initialize(repeating: 0, count: scratch)  // padding stays zero
                let sums = UnsafeMutablePointer<Float>.allocate(capacity: blockedOutput ? 0 : plane * lanes)
                let packed = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: taps + 1)
                let block = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: lanes)
                let spare = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: lanes)
                defer {
                    image.deallocate()
                    sums.deallocate()
                    packed.deallocate()
                    block.deallocate()
                    spare.deallocate()
                }
                for item in (items * worker / count)..<(items * (worker + 1) / count) {
                    let (group, part) = item.quotientAndRemainder(dividingBy: parts)
                    let rows = (g.outputHeight * part / parts)..<(g.outputHeight * (part + 1) / parts)
                    let first = rows.lowerBound * g.outputWidth
                    let end = rows.upperBound * g.outputWidth
                    let c0 = group * lanes
                    let width = Swift.min(lanes, g.channels - c0)
                    if !blocked {
                        interleave(
                            shared.source + c0 * g.height * g.width,
                            channels: width,
                            layout: layout,
                            into: image,
                            block: block,
                            spare: spare
                        )
                    }
                    let source = blocked ? shared.source + group * layout.blockStride : UnsafePointer(image)
                    // The group's weights, tap by tap, and its biases, 16 lanes each (lanes past C zero);
                    // written as floats (setting SIMD lanes one by one compiles to masked blends).
                    let lanesOut = UnsafeMutableRawPointer(packed).assumingMemoryBound(to: Float.self)
                    lanesOut.initialize(repeating: 0, count: (taps + 1) * lanes)
                    for c in 0..<width {
                        for t in 0..<taps { lanesOut[t * lanes + c] = filter.buffer[(c0 + c) * taps + t] }
                        lanesOut[taps * lanes + c] = shared.bias?[c0 + c] ?? 0
                    }
                    let add = packed[taps]
                    if blockedOutput {
                        let target = shared.output + (group * plane + first) * lanes
                        sum(
                            source,
                            paddedWidth: paddedWidth,
                            taps: tapOffsets.buffer,
                            weights: packed,
                            bias: add,
                            geometry: g,
                            activation: activation,
                            rows: rows,
                            into: target
                        )
                        continue
                    }
                    sum(
                        source,
                        paddedWidth: paddedWidth,
                        taps: tapOffsets.buffer,
                        weights: packed,
                        bias: add,
                        geometry: g,
                        activation: activation,
                        rows: rows,
                        into: sums
                    )
                    // Scatter the pixels' lanes back to the channel planes, sixteen pixels at a time.
                    var q0 = first
                    if width == lanes {
                        while q0 + lanes <= end {
                            for j in 0..<lanes {
                                block[j] = UnsafeRawPointer(sums + (q0 - first + j) * lanes).loadUnaligned(
                                    as: SIMD16<Float>.self
                                )
                            }
                            transpose(block, using: spare)
                            for c in 0..<lanes {
                                UnsafeMutableRawPointer(shared.output + (c0 + c) * plane + q0).storeBytes(
                                    of: block[c],
                                    as: SIMD16<Float>.self
                                )
                            }
                            q0 += lanes
                        }
                    }
                    for c in 0..<width {
                        let target = shared.output + (c0 + c) * plane
                        for p in q0..<end { target[p] = sums[(p - first) * lanes + c] }
                    }
                }
            }
        }
    }

    /// Interleaves `channels` (≤ 16) planes into `image`'s interior: channel c of pixel (y, x)
    /// at lane c; lanes past `channels` keep zeros. Sixteen pixels of sixteen channels at a time
    /// through a register transpose.
    static func interleave(
        _ source: UnsafePointer<Float>,
        channels: Int,
        layout: ChannelBlockedLayout,
        into image: UnsafeMutablePointer<Float>,
        block: UnsafeMutablePointer<SIMD16<Float>>,
        spare: UnsafeMutablePointer<SIMD16<Float>>
    ) {
        let lanes = Self.lanes
        let inPlane = layout.height * layout.width
        var p0 = 0
        if channels == lanes {
            while p0 + lanes <= inPlane {  // 16 pixels inside each of the 16 planes
                for c in 0..<lanes {
                    block[c] = UnsafeRawPointer(source + c * inPlane + p0).loadUnaligned(as: SIMD16<Float>.self)
                }
                transpose(block, using: spare)
                var (y, x) = p0.quotientAndRemainder(dividingBy: layout.width)
                for j in 0..<lanes {
                    UnsafeMutableRawPointer(image + layout.pixel(y, x)).storeBytes(of: block[j], as: SIMD16<Float>.self)
                    x += 1
                    if x == layout.width { (y, x) = (y + 1, 0) }
                }
                p0 += lanes
            }
        }
        for c in 0..<channels {
            let plane = source + c * inPlane
            var (y, x) = p0.quotientAndRemainder(dividingBy: layout.width)
            for p in p0..<inPlane {
                image[layout.pixel(y, x) + c] = plane[p]
                x += 1
                if x == layout.width { (y, x) = (y + 1, 0) }
            }
        }
    }

    /// The 16 channels of every output pixel in `rows`: bias + Σ taps weight × input, activated,
    /// stored from `sums` on (the range's first pixel first); four pixels of a row at a time so
    /// four sums are in flight.
    @inline(__always)
    static func sum<F: VectorFunction>(
        _ image: UnsafePointer<Float>,
        paddedWidth: Int,
        taps: UnsafeBufferPointer<Int>,
        weights: UnsafePointer<SIMD16<Float>>,
        bias: SIMD16<Float>,
        geometry g: ConvolutionGeometry,
        activation: F,
        rows: Range<Int>,
        into sums: UnsafeMutablePointer<Float>
    ) {
        let lanes = Self.lanes
        let step = g.strideX * lanes
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
            UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
        }
        @inline(__always) func store(_ v: SIMD16<Float>, _ pixel: Int) {
            UnsafeMutableRawPointer(sums + pixel * lanes).storeBytes(of: activation(v), as: SIMD16<Float>.self)
        }
        let first = rows.lowerBound * g.outputWidth
        for y in rows {
            let row = image + y * g.strideY * paddedWidth * lanes
            var x = 0
            while x + 4 <= g.outputWidth {
                let base = row + x * step
                var a0 = bias
                var a1 = bias
                var a2 = bias
                var a3 = bias
                for t in taps.indices {
                    let w = weights[t]
                    let p = base + taps[t]
                    a0.addProduct(w, load(p))
                    a1.addProduct(w, load(p + step))
                    a2.addProduct(w, load(p + 2 * step))
                    a3.addProduct(w, load(p + 3 * step))
                }
                let pixel = y * g.outputWidth + x - first
                store(a0, pixel)
                store(a1, pixel + 1)
                store(a2, pixel + 2)
                store(a3, pixel + 3)
                x += 4
            }
            while x < g.outputWidth {
                var a = bias
                let base = row + x * step
                for t in taps.indices { a.addProduct(weights[t], load(base + taps[t])) }
                store(a, y * g.outputWidth + x - first)
                x += 1
            }
        }
    }

    /// Transposes 16 vectors of 16 floats in place (`spare` is scratch for as many): four
    /// rounds of "the even lanes of each pair, then the odd lanes", each of which rotates the
    /// bits of an element's (vector, lane) index by one, so four rotate rows into columns.
    @inline(__always)
    static func transpose(_ v: UnsafeMutablePointer<SIMD16<Float>>, using spare: UnsafeMutablePointer<SIMD16<Float>>) {
        var (from, to) = (v, spare)
        for _ in 0..<4 {
            for k in 0..<8 {
                let pair = SIMD32<Float>(lowHalf: from[2 * k], highHalf: from[2 * k + 1])
                to[k] = pair.evenHalf
                to[k + 8] = pair.oddHalf
            }
            swap(&from, &to)
        }
    }
}
