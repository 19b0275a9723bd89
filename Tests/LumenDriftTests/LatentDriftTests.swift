import LumenNumerics
import LumenTestSupport
import Testing

@testable import LumenDrift

@Suite("Factor matrices and image profiles on both sides")
struct FactorMatrixTests {
    static func matrix(_ rows: Int, _ cols: Int, seed: UInt64, shiftFrom: Int = .max) throws -> SampleMatrix {
        var g = SeededGenerator(seed: seed)
        return try SampleMatrix(
            rows: rows,
            cols: cols,
            values: (0..<(rows * cols)).map { k in g.nextGaussian() + (k / cols >= shiftFrom ? 2 : 0) }
        )
    }

    @Test("aligned factor matrices: a pure rotation is no drift, a moved block is drift and named")
    func alignedFactors() throws {
        let a = try Self.matrix(400, 6, seed: 1)
        let rotation = try DenseSVD.procrustesRotation(
            from: Self.matrix(6, 6, seed: 2).values,
            to: Self.matrix(6, 6, seed: 3).values,
            rows: 6,
            n: 6
        )
        var rotated = a.values
        for r in 0..<400 {
            for j in 0..<6 {
                rotated[r * 6 + j] = (0..<6).reduce(0.0) { $0 + a.values[r * 6 + $1] * rotation[$1 * 6 + j] }
            }
        }
        let b = try SampleMatrix(rows: 400, cols: 6, values: rotated)
        #expect(!(try LatentDrift.factors(a, b, aligned: true)).drifted)
        var moved = a.values
        for k in (350 * 6)..<(400 * 6) { moved[k] += 2 }
        let report = try LatentDrift.factors(a, try SampleMatrix(rows: 400, cols: 6, values: moved), aligned: true)
        #expect(report.drifted)
        #expect(report.movedMost.prefix(10).allSatisfy { Int($0.id.dropFirst(4))! >= 350 })
        #expect(throws: DriftError.self) {
            _ = try LatentDrift.factors(a, try Self.matrix(300, 6, seed: 4), aligned: true)
        }
        #expect(throws: DriftError.self) {
            _ = try LatentDrift.factors(a, try Self.matrix(300, 5, seed: 4), aligned: false)
        }
    }

    @Test("image profiles compare with image profiles")
    func profileAgainstProfile() throws {
        let reference = try DriftAnalysis.profile(
            ImageFolderScan.scan(LumenTestSupport.Fixtures.url("drift/images/reference")),
            source: "r"
        )
        let current = try DriftAnalysis.profile(
            ImageFolderScan.scan(LumenTestSupport.Fixtures.url("drift/images/current")),
            source: "c"
        )
        let report = try DriftAnalysis.images(reference, current)
        #expect(report.drifted && report.features.filter(\.result.drifted).count == 5)
        #expect(!(try DriftAnalysis.images(reference, reference)).drifted)
    }
}

@Suite("Latent profiles")
struct LatentProfileTests {
    @Test("a latent profile keeps whole rows, also when its reservoirs subsample")
    func jointSampleKeepsRows() throws {
        let m = try FactorMatrixTests.matrix(500, 3, seed: 9)
        let profile = try ReferenceProfile.factors(m, source: "m")
        #expect(try profile.jointSample() == m)
        // Small reservoirs drawn with one seed pick the same rows in every column.
        let columns = try (0..<3).map {
            try ColumnProfile.numeric("factor \($0)", m.column($0), seed: 7, capacity: 50, keepRowOrder: true)
        }
        let small = try ReferenceProfile(kind: .latent, source: "m", columns: columns).jointSample()
        let rows = Set((0..<m.rows).map { Array(m.row($0)) })
        #expect(small.rows == 50)
        #expect((0..<small.rows).allSatisfy { rows.contains(Array(small.row($0))) })
    }
}
