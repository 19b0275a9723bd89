import LumenKernels
import LumenTestSupport
import Testing

@testable import LumenONNX

/// The AVX-512 matrix–vector kernel (a one-row Gemm times Bᵀ) against sums in Double.
@Suite("AVX-512 matrix–vector product")
struct MatrixVectorTests {
    @Test(
        "rows and columns off the 4-row and 16-column steps, a strided matrix, accumulating or not",
        .enabled(if: FastKernel.supported, "this CPU has no AVX-512"),
        arguments: [(rows: 1, cols: 1, lda: 1), (7, 15, 15), (131, 520, 520), (1000, 1280, 1280), (9, 33, 40)],
        [false, true]
    )
    func matchesDoubleSums(shape: (rows: Int, cols: Int, lda: Int), accumulate: Bool) throws {
        let a = seededValues(shape.rows * shape.lda, seed: 21)
        let x = seededValues(shape.cols, seed: 22)
        let start = seededValues(shape.rows, seed: 23)
        var y = start
        a.withUnsafeBufferPointer { A in
            x.withUnsafeBufferPointer { X in
                y.withUnsafeMutableBufferPointer { Y in
                    MatrixVector.run(
                        A.baseAddress!,
                        rows: shape.rows,
                        cols: shape.cols,
                        lda: shape.lda,
                        x: X.baseAddress!,
                        y: Y.baseAddress!,
                        accumulate: accumulate,
                        workers: 2
                    )
                }
            }
        }
        for i in 0..<shape.rows {
            var sum = accumulate ? Double(start[i]) : 0
            for j in 0..<shape.cols { sum += Double(a[i * shape.lda + j]) * Double(x[j]) }
            #expect(abs(Double(y[i]) - sum) <= 1e-5 * max(1, abs(sum)), "row \(i)")
        }
    }
}
