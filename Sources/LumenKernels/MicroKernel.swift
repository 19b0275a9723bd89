/// The inner kernel of every convolution: an 8 × 32 block of outputs (8 output channels ×
/// 32 positions) summed over the whole depth K in 16 vector registers, then bias and activation
/// and one store. Column k of the input matrix is read at `base + offsets[k]`, 32 consecutive
/// floats, so the same kernel reads packed panels (offsets 32·k), a 1×1 convolution's input
/// planes (offsets k·H·W) and a padded image's shifted windows (offsets c·Hp·Wp + ky·Wp + kx).
enum MicroKernel {
    static let rows = 8
    static let columns = 32

    /// Computes the block and stores rows `0..<validRows` at `destination + r·stride`, 32 floats each.
    @inline(__always)
    static func run<F: VectorFunction>(
        weights: UnsafePointer<Float>,
        base: UnsafePointer<Float>,
        offsets: UnsafePointer<Int>,
        depth: Int,
        bias: UnsafePointer<Float>?,
        activation: F,
        destination: UnsafeMutablePointer<Float>,
        stride: Int,
        validRows: Int
    ) {
        var c00 = SIMD16<Float>()
        var c01 = SIMD16<Float>()
        var c10 = SIMD16<Float>()
        var c11 = SIMD16<Float>()
        var c20 = SIMD16<Float>()
        var c21 = SIMD16<Float>()
        var c30 = SIMD16<Float>()
        var c31 = SIMD16<Float>()
        var c40 = SIMD16<Float>()
        var c41 = SIMD16<Float>()
        var c50 = SIMD16<Float>()
        var c51 = SIMD16<Float>()
        var c60 = SIMD16<Float>()
        var c61 = SIMD16<Float>()
        var c70 = SIMD16<Float>()
        var c71 = SIMD16<Float>()
        var w = weights
        for k in 0..<depth {
            let b = UnsafeRawPointer(base + offsets[k])
            let b0 = b.loadUnaligned(as: SIMD16<Float>.self)
            let b1 = b.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
            var a = SIMD16<Float>(repeating: w[0])
            c00.addProduct(a, b0)
            c01.addProduct(a, b1)
            a = SIMD16<Float>(repeating: w[1])
            c10.addProduct(a, b0)
            c11.addProduct(a, b1)
            a = SIMD16<Float>(repeating: w[2])
            c20.addProduct(a, b0)
            c21.addProduct(a, b1)
            a = SIMD16<Float>(repeating: w[3])
            c30.addProduct(a, b0)
            c31.addProduct(a, b1)
            a = SIMD16<Float>(repeating: w[4])
            c40.addProduct(a, b0)
            c41.addProduct(a, b1)
            a = SIMD16<Float>(repeating: w[5])
            c50.addProduct(a, b0)
            c51.addProduct(a, b1)
            a = SIMD16<Float>(repeating: w[6])
            c60.addProduct(a, b0)
            c61.addProduct(a, b1)
            a = SIMD16<Float>(repeating: w[7])
            c70.addProduct(a, b0)
            c71.addProduct(a, b1)
            w += rows
        }
        @inline(__always) func store(_ r: Int, _ x: SIMD16<Float>, _ y: SIMD16<Float>) {
            guard r < validRows else { return }
            let add = bias.map { SIMD16<Float>(repeating: $0[r]) } ?? SIMD16<Float>()
            let row = UnsafeMutableRawPointer(destination + r * stride)
            row.storeBytes(of: activation(x + add), as: SIMD16<Float>.self)
            row.storeBytes(of: activation(y + add), toByteOffset: 64, as: SIMD16<Float>.self)
        }
        store(0, c00, c01)
        store(1, c10, c11)
        store(2, c20, c21)
        store(3, c30, c31)
        store(4, c40, c41)
        store(5, c50, c51)
        store(6, c60, c61)
        store(7, c70, c71)
    }
}
