import Foundation
import LumenKernels
import LumenNumerics

/// Gemm and MatMul through OpenBLAS (a one-row Gemm times Bᵀ, a classifier head, through
/// the AVX-512 matrix–vector kernel where the CPU has it).
enum LinearOps {
    static let kernels: [String: Kernel] = [
        "Gemm": { n, v, _ in
            let a = try n.floats(v, 0)
            let b = try n.floats(v, 1)
            guard a.shape.count == 2, b.shape.count == 2 else {
                throw n.fail("Gemm needs 2-D inputs, got \(a.shape) and \(b.shape)")
            }
            let ta = n.int("transA", 0) == 1
            let tb = n.int("transB", 0) == 1
            let alpha = n.float("alpha", 1)
            let beta = n.float("beta", 1)
            let m = ta ? a.shape[1] : a.shape[0]
            let k = ta ? a.shape[0] : a.shape[1]
            let nOut = tb ? b.shape[0] : b.shape[1]
            guard (tb ? b.shape[1] : b.shape[0]) == k, m > 0, k > 0, nOut > 0 else {
                throw n.fail("cannot multiply \(a.shape) by \(b.shape)")
            }
            var out = [Float](repeating: 0, count: try n.count([m, nOut]))
            if v.count > 2, let c = v[2] {
                guard try ElementwiseOps.broadcastShape(c.shape, [m, nOut], node: n) == [m, nOut] else {
                    throw n.fail("C \(c.shape) does not broadcast to [\(m), \(nOut)]")
                }
                let index = ElementwiseOps.broadcastIndex(c.shape, to: [m, nOut])
                let cd = c.floats
                out = index.map { beta * cd[$0] }
            }
            let betaForGemm: Float = v.count > 2 && v[2] != nil ? 1 : 0
            a.data.withUnsafeBufferPointer { A in
                b.data.withUnsafeBufferPointer { B in
                    out.withUnsafeMutableBufferPointer { O in
                        if m == 1 && tb && alpha == 1 && FastKernel.supported {
                            // One row times Bᵀ (a classifier head) on the AVX-512 matrix–vector kernel.
                            MatrixVector.run(
                                B.baseAddress!,
                                rows: nOut,
                                cols: k,
                                lda: b.shape[1],
                                x: A.baseAddress!,
                                y: O.baseAddress!,
                                accumulate: betaForGemm == 1,
                                workers: Parallel.workers
                            )
                            return
                        }
                        // Output columns split across the cores (a classifier head is one long
                        // matrix–vector product that a single OpenBLAS thread would run alone).
                        let parts = m * nOut * k >= 1 << 18 ? Swift.min(SpinningPool.shared.width, nOut) : 1
                        let pa = SendablePointer(A.baseAddress!)
                        let pb = SendablePointer(B.baseAddress!)
                        let po = SendableMutablePointer(O.baseAddress!)
                        let ldb = b.shape[1]
                        SpinningPool.shared.run(parts: parts) { part in
                            let start = nOut * part / parts
                            let end = nOut * (part + 1) / parts
                            guard end > start else { return }
                            if m == 1 && tb {
                                // One row times Bᵀ: a matrix–vector product over B's rows, no packing.
                                BLAS.gemv(
                                    transpose: false,
                                    rows: end - start,
                                    cols: k,
                                    alpha: alpha,
                                    pb.pointer + start * ldb,
                                    lda: ldb,
                                    pa.pointer,
                                    incx: ta ? a.shape[1] : 1,
                                    beta: betaForGemm,
                                    po.pointer + start
                                )
                                return
                            }
                            BLAS.gemm(
                                transposeA: ta,
                                transposeB: tb,
                                m: m,
                                n: end - start,
                                k: k,
                                alpha: alpha,
                                pa.pointer,
                                lda: a.shape[1],
                                pb.pointer + (tb ? start * ldb : start),
                                ldb: ldb,
                                beta: betaForGemm,
                                po.pointer + start,
                                ldc: nOut
                            )
                        }
                    }
                }
            }
            return [.float(shape: [m, nOut], data: out)]
        },
        "MatMul": { n, v, _ in
            let a = try n.floats(v, 0)
            let b = try n.floats(v, 1)
            if a.shape.count >= 2 && b.shape.count > 2 { return [try batchedMatMul(n, a, b)] }
            guard a.shape.count >= 2, b.shape.count == 2 else {
                throw ONNXError.unsupported(
                    node: n.name,
                    op: n.op,
                    reason: "MatMul supports (…, M, K) × (…, K, N), got \(a.shape) × \(b.shape)"
                )
            }
            let k = a.shape.last!
            let nOut = b.shape[1]
            guard b.shape[0] == k, k > 0, nOut > 0 else { throw n.fail("cannot multiply \(a.shape) by \(b.shape)") }
            let m = a.data.count / k
            guard m > 0 else { throw n.fail("cannot multiply \(a.shape) by \(b.shape)") }
            var out = [Float](repeating: 0, count: try n.count([m, nOut]))
            a.data.withUnsafeBufferPointer { A in
                b.data.withUnsafeBufferPointer { B in
                    out.withUnsafeMutableBufferPointer { O in
                        if case .matrixProduct? = n.fast {
                            matrixProduct(A, B, O, m: m, k: k, n: nOut)
                            return
                        }
                        // Split by columns over the workers (the runtime keeps OpenBLAS to one thread).
                        BLAS.parallelGemm(
                            m: m,
                            n: nOut,
                            k: k,
                            A.baseAddress!,
                            lda: k,
                            B.baseAddress!,
                            ldb: nOut,
                            O.baseAddress!,
                            ldc: nOut
                        )
                    }
                }
            }
            return [.float(shape: Array(a.shape.dropLast()) + [nOut], data: out)]
        },
    ]

    /// C (M × N) = A (M × K) · B (K × N) on the AVX-512 convolution kernel: A is packed as the
    /// filter of a 1×1 convolution over K input planes of N positions (B's rows), so each 8 × 32
    /// block of C is summed in registers over all of K. Packing A costs M·K copies against the
    /// M·K·N multiply–adds.
    static func matrixProduct(
        _ a: UnsafeBufferPointer<Float>,
        _ b: UnsafeBufferPointer<Float>,
        _ c: UnsafeMutableBufferPointer<Float>,
        m: Int,
        k: Int,
        n: Int
    ) {
        let filter = PackedFilter(weights: a, outputs: m, depth: k)
        let geometry = ConvolutionGeometry(
            channels: k,
            height: 1,
            width: n,
            outputs: m,
            outputHeight: 1,
            outputWidth: n,
            kernelHeight: 1,
            kernelWidth: 1,
            strideY: 1,
            strideX: 1,
            dilationY: 1,
            dilationX: 1,
            padTop: 0,
            padLeft: 0
        )
        Convolution.run(
            filter,
            input: b.baseAddress!,
            output: c.baseAddress!,
            geometry: geometry,
            bias: nil,
            activation: .none,
            workers: Parallel.workers
        )
    }

    /// (…, M, K) × (…, K, N) with the batch dimensions broadcast (attention blocks: queries ×
    /// keysᵀ, weights × values): one sgemm per batch element.
    static func batchedMatMul(
        _ n: Node,
        _ a: (shape: [Int], data: [Float]),
        _ b: (shape: [Int], data: [Float])
    ) throws -> Value {
        let (m, k) = (a.shape[a.shape.count - 2], a.shape[a.shape.count - 1])
        let (kb, nOut) = (b.shape[b.shape.count - 2], b.shape[b.shape.count - 1])
        guard k == kb, m > 0, k > 0, nOut > 0 else { throw n.fail("cannot multiply \(a.shape) by \(b.shape)") }
        let batchA = Array(a.shape.dropLast(2))
        let batchB = Array(b.shape.dropLast(2))
        let batch = try ElementwiseOps.broadcastShape(batchA, batchB, node: n)
        let count = try n.count(batch + [m, nOut])
        let indexA = ElementwiseOps.broadcastIndex(batchA, to: batch)
        let indexB = ElementwiseOps.broadcastIndex(batchB, to: batch)
        var out = [Float](repeating: 0, count: count)
        a.data.withUnsafeBufferPointer { A in
            b.data.withUnsafeBufferPointer { B in
                out.withUnsafeMutableBufferPointer { O in
                    for (p, (ia, ib)) in zip(indexA, indexB).enumerated() {
                        BLAS.gemm(
                            transposeA: false,
                            transposeB: false,
                            m: m,
                            n: nOut,
                            k: k,
                            A.baseAddress! + ia * m * k,
                            lda: k,
                            B.baseAddress! + ib * k * nOut,
                            ldb: nOut,
                            O.baseAddress! + p * m * nOut,
                            ldc: nOut
                        )
                    }
                }
            }
        }
        return .float(shape: batch + [m, nOut], data: out)
    }
}
