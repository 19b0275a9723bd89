/// `y = A·x (+ y)` for a row-major matrix A (a classifier's fully connected layer as ONNX
/// exports it: one input row times Bᵀ). Memory-bound: the matrix streams through once, four
/// rows at a time against the same vectors of x, with the rows split between the cores.
public enum MatrixVector {
    /// `y[i] = Σ_j a[i·lda + j]·x[j] + (accumulate ? y[i] : 0)` for i in 0..<rows, j in 0..<cols.
    public static func run(
        _ a: UnsafePointer<Float>,
        rows: Int,
        cols: Int,
        lda: Int,
        x: UnsafePointer<Float>,
        y: UnsafeMutablePointer<Float>,
        accumulate: Bool,
        workers: Int
    ) {
        // Under ~64 K multiply–adds a second core costs more than it saves.
        let parts = rows * cols >= 1 << 16 ? Swift.min(workers, rows) : 1
        let shared = Convolution.Shared(source: a, output: y, bias: x)  // (`bias` carries x here)
        parallel(workers: parts) { worker, count in
            let first = rows * worker / count
            let end = rows * (worker + 1) / count
            rowsProduct(
                shared.source,
                from: first,
                to: end,
                cols: cols,
                lda: lda,
                x: shared.bias!,
                y: shared.output,
                accumulate: accumulate
            )
        }
    }

    /// Rows first..<end; kept out of line (one tight loop).
    @inline(never)
    static func rowsProduct(
        _ a: UnsafePointer<Float>,
        from first: Int,
        to end: Int,
        cols: Int,
        lda: Int,
        x: UnsafePointer<Float>,
        y: UnsafeMutablePointer<Float>,
        accumulate: Bool
    ) {
        let vectors = cols / 16
        let tail = cols - vectors * 16
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
            UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
        }
        var i = first
        while i < end {
            let n = Swift.min(4, end - i)
            // Rows past the last repeat it (their sums are not stored).
            let r0 = a + i * lda
            let r1 = a + (i + Swift.min(1, n - 1)) * lda
            let r2 = a + (i + Swift.min(2, n - 1)) * lda
            let r3 = a + (i + Swift.min(3, n - 1)) * lda
            var s0 = SIMD16<Float>()
            var s1 = SIMD16<Float>()
            var s2 = SIMD16<Float>()
            var s3 = SIMD16<Float>()
            var j = 0
            for _ in 0..<vectors {
                let v = load(x + j)
                s0.addProduct(load(r0 + j), v)
                s1.addProduct(load(r1 + j), v)
                s2.addProduct(load(r2 + j), v)
                s3.addProduct(load(r3 + j), v)
                j += 16
            }
            var sums = (s0.sum(), s1.sum(), s2.sum(), s3.sum())
            for t in 0..<tail {
                let v = x[j + t]
                sums.0 += r0[j + t] * v
                sums.1 += r1[j + t] * v
                sums.2 += r2[j + t] * v
                sums.3 += r3[j + t] * v
            }
            @inline(__always) func put(_ r: Int, _ value: Float) { y[i + r] = accumulate ? y[i + r] + value : value }
            put(0, sums.0)
            if n > 1 { put(1, sums.1) }
            if n > 2 { put(2, sums.2) }
            if n > 3 { put(3, sums.3) }
            i += 4
        }
    }
}
