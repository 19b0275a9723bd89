import LumenKernels
import Testing

@Suite("ROAD's linear imputation")
struct NoisyLinearImputerTests {
    @Test("holes in a linear ramp are filled with the ramp itself (the neighbour mean of a plane is the plane)")
    func fillsPlanesExactly() {
        let (w, h) = (40, 30)
        var image = [Float](repeating: 0, count: 2 * w * h)
        for y in 0..<h {
            for x in 0..<w {
                image[y * w + x] = 0.5 * Float(x) - 0.25 * Float(y) + 3
                image[w * h + y * w + x] = Float(y) * 0.1
            }
        }
        // A blob in the middle and scattered pixels away from the border removed (at the border the
        // mean of the neighbours inside the image is one-sided, so a plane is not kept there).
        var keep = [Bool](repeating: true, count: w * h)
        for y in 8..<22 { for x in 10..<30 { keep[y * w + x] = false } }
        for k in stride(from: 3, to: w * h, by: 17) where k % w > 0 && k % w < w - 1 && k / w > 0 && k / w < h - 1 {
            keep[k] = false
        }
        let filled = NoisyLinearImputer.impute(image, width: w, height: h, keep: keep, noise: 0)
        let worst = zip(filled, image).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-4)
        // Kept pixels are untouched; with noise the holes differ by about the noise.
        let noisy = NoisyLinearImputer.impute(image, width: w, height: h, keep: keep, noise: 0.01, seed: 3)
        for k in 0..<(w * h) where keep[k] { #expect(noisy[k] == image[k]) }
        let holes = (0..<(w * h)).filter { !keep[$0] }
        let squares = holes.map { Double(noisy[$0] - image[$0]) * Double(noisy[$0] - image[$0]) }
        let spread = (squares.reduce(0, +) / Double(holes.count)).squareRoot()
        #expect(spread > 0.005 && spread < 0.02)
    }
}
