import COpenBLAS
import Foundation

/// Thin, bounds-checked wrappers over the OpenBLAS routines Lumen uses. Matrices are row-major.
public enum BLAS {
    /// The Gram matrix of the rows of `a` (rows × cols): `a · aᵀ`, rows × rows, both triangles filled.
    public static func rowGram(_ a: UnsafeBufferPointer<Float>, rows: Int, cols: Int) -> [Float] {
        precondition(a.count >= rows * cols)
        var g = [Float](repeating: 0, count: rows * rows)
        g.withUnsafeMutableBufferPointer { out in
            cblas_ssyrk(
                CblasRowMajor,
                CblasUpper,
                CblasNoTrans,
                blasint(rows),
                blasint(cols),
                1,
                a.baseAddress,
                blasint(cols),
                0,
                out.baseAddress,
                blasint(rows)
            )
        }
        mirrorUpper(&g, n: rows)
        return g
    }

    /// The Gram matrix of the columns of `a` (rows × cols): `aᵀ · a`, cols × cols, both triangles filled.
    public static func columnGram(_ a: UnsafeBufferPointer<Float>, rows: Int, cols: Int) -> [Float] {
        precondition(a.count >= rows * cols)
        var g = [Float](repeating: 0, count: cols * cols)
        g.withUnsafeMutableBufferPointer { out in
            cblas_ssyrk(
                CblasRowMajor,
                CblasUpper,
                CblasTrans,
                blasint(cols),
                blasint(rows),
                1,
                a.baseAddress,
                blasint(cols),
                0,
                out.baseAddress,
                blasint(cols)
            )
        }
        mirrorUpper(&g, n: cols)
        return g
    }

    /// `y = aᵀ · x` for `a` rows × cols and `x` of length rows.
    public static func transposedTimes(_ a: UnsafeBufferPointer<Float>, rows: Int, cols: Int, _ x: [Float]) -> [Float] {
        precondition(a.count >= rows * cols && x.count == rows)
        var y = [Float](repeating: 0, count: cols)
        y.withUnsafeMutableBufferPointer { out in
            cblas_sgemv(
                CblasRowMajor,
                CblasTrans,
                blasint(rows),
                blasint(cols),
                1,
                a.baseAddress,
                blasint(cols),
                x,
                1,
                0,
                out.baseAddress,
                1
            )
        }
        return y
    }

    /// `c = a · b` for row-major `a` (m × k) and `b` (k × n).
    public static func multiply(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
        precondition(a.count == m * k && b.count == k * n)
        var c = [Float](repeating: 0, count: m * n)
        c.withUnsafeMutableBufferPointer { out in
            cblas_sgemm(
                CblasRowMajor,
                CblasNoTrans,
                CblasNoTrans,
                blasint(m),
                blasint(n),
                blasint(k),
                1,
                a,
                blasint(k),
                b,
                blasint(n),
                0,
                out.baseAddress,
                blasint(n)
            )
        }
        return c
    }

    /// `c = a · bᵀ` for row-major `a` (m × k) and `b` (n × k), written into `c` (m × n).
    public static func multiplyTransposed(
        _ a: UnsafePointer<Float>,
        _ b: UnsafePointer<Float>,
        m: Int,
        n: Int,
        k: Int,
        into c: UnsafeMutablePointer<Float>
    ) {
        cblas_sgemm(
            CblasRowMajor,
            CblasNoTrans,
            CblasTrans,
            blasint(m),
            blasint(n),
            blasint(k),
            1,
            a,
            blasint(k),
            b,
            blasint(k),
            0,
            c,
            blasint(n)
        )
    }

    /// `y = α·op(A)·x + β·y` for row-major `a` (rows × cols, leading dimension `lda`), OpenBLAS sgemv.
    public static func gemv(
        transpose: Bool,
        rows: Int,
        cols: Int,
        alpha: Float = 1,
        _ a: UnsafePointer<Float>,
        lda: Int,
        _ x: UnsafePointer<Float>,
        incx: Int = 1,
        beta: Float = 0,
        _ y: UnsafeMutablePointer<Float>,
        incy: Int = 1
    ) {
        cblas_sgemv(
            CblasRowMajor,
            transpose ? CblasTrans : CblasNoTrans,
            blasint(rows),
            blasint(cols),
            alpha,
            a,
            blasint(lda),
            x,
            blasint(incx),
            beta,
            y,
            blasint(incy)
        )
    }

    /// General `C = α·op(A)·op(B) + β·C` on row-major pointers (OpenBLAS sgemm).
    public static func gemm(
        transposeA: Bool,
        transposeB: Bool,
        m: Int,
        n: Int,
        k: Int,
        alpha: Float = 1,
        _ a: UnsafePointer<Float>,
        lda: Int,
        _ b: UnsafePointer<Float>,
        ldb: Int,
        beta: Float = 0,
        _ c: UnsafeMutablePointer<Float>,
        ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            blasint(m),
            blasint(n),
            blasint(k),
            alpha,
            a,
            blasint(lda),
            b,
            blasint(ldb),
            beta,
            c,
            blasint(ldc)
        )
    }

    /// `C = A·B` (row-major, no transposes) with the columns of B and C split across the cores,
    /// each part a single-threaded sgemm: used inside `singleThreaded` sections, where Lumen
    /// does its own parallelism and OpenBLAS's threads would only compete for the cores.
    public static func parallelGemm(
        m: Int,
        n: Int,
        k: Int,
        _ a: UnsafePointer<Float>,
        lda: Int,
        _ b: UnsafePointer<Float>,
        ldb: Int,
        _ c: UnsafeMutablePointer<Float>,
        ldc: Int
    ) {
        let workers = Parallel.workers
        guard workers > 1, m * n * k >= 1 << 20, n >= 2 * workers else {
            gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, c, ldc: ldc)
            return
        }
        let chunk = (n + workers - 1) / workers
        let pa = SendablePointer(a)
        let pb = SendablePointer(b)
        let pc = SendablePointer(UnsafePointer(c))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let start = w * chunk
            let width = Swift.min(chunk, n - start)
            guard width > 0 else { return }
            gemm(
                transposeA: false,
                transposeB: false,
                m: m,
                n: width,
                k: k,
                pa.pointer,
                lda: lda,
                pb.pointer + start,
                ldb: ldb,
                UnsafeMutablePointer(mutating: pc.pointer) + start,
                ldc: ldc
            )
        }
    }

    /// Limits OpenBLAS to one thread for the rest of the process, once: callers that split
    /// work across the cores themselves (the ONNX runtime) would otherwise fight OpenBLAS's pool
    /// for the same cores. Changing the count is done a single time because OpenBLAS does not
    /// expect it to change while other threads are inside BLAS calls.
    public static func useSingleThreadedBLAS() {
        _ = singleThreadedOnce
    }

    private static let singleThreadedOnce: Void = {
        if openblas_get_num_threads() != 1 { openblas_set_num_threads(1) }
    }()

    /// The OpenBLAS kernel set in use ("Cooperlake", "Haswell", …), and whether the environment
    /// chose it (`OPENBLAS_CORETYPE`) rather than OpenBLAS's own CPU detection.
    public static var kernels: String {
        let name = String(cString: openblas_get_corename())
        let forced = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].map {
            " (set by OPENBLAS_CORETYPE=\($0))"
        }
        return name + (forced ?? " (detected)")
    }

    /// Copies the upper triangle of a square row-major matrix into the lower one.
    static func mirrorUpper(_ g: inout [Float], n: Int) {
        for i in 0..<n {
            for j in 0..<i { g[i * n + j] = g[j * n + i] }
        }
    }
}
