import Foundation
import LumenKernels
import Testing

@testable import LumenONNX

/// The vector Erf (GELU's, on AVX-512 CPUs) against the C library's double-precision erf.
@Suite("Vector Erf")
struct VectorErfTests {
    @Test(
        "within 4e-7 relative of erf over ±6, tiny arguments, infinities and NaN, for 1, 3 and 8 workers",
        .enabled(if: FastKernel.supported, "this CPU has no AVX-512"),
        arguments: [1, 3, 8]
    )
    func matchesDoubleErf(workers: Int) {
        var x = (0..<240_001).map { Float(-6 + Double($0) * 12 / 240_000) }
        x += [1e-30, -1e-20, 1e-8, 3e-4, .infinity, -.infinity, .nan, 0, -0.0, 4, -4, 4.0001]
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { source in
            y.withUnsafeMutableBufferPointer { target in
                VectorActivations.erf(source.baseAddress!, target.baseAddress!, count: x.count, workers: workers)
            }
        }
        var worst = 0.0
        for (a, b) in zip(x, y) where !a.isNaN {
            let exact = Foundation.erf(Double(a))
            worst = max(worst, exact == 0 ? abs(Double(b)) : abs(Double(b) - exact) / abs(exact))
        }
        #expect(worst < 4e-7, "worst relative error \(worst)")
        #expect(y[x.count - 6].isNaN)
    }
}
