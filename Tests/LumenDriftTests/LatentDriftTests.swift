import LumenNumerics
import LumenRecs
import LumenTestSupport
import Testing

@testable import LumenDrift

@Suite("Latent-factor drift")
struct LatentDriftTests {
    /// 400 users in 8 taste segments; each user's ratings alternate between the training half and
    /// the "production" half, so both halves have the same number of ratings per user.
    static let halves: (train: RatingsData, current: RatingsData, model: EMFModel) = {
        let data = try! SyntheticRatings(users: 400, items: 200, ratingsPerUser: 60, segments: 8, seed: 5).generate()
        var train: [Rating] = []
        var current: [Rating] = []
        for (k, r) in data.ratings.enumerated() { if k % 2 == 0 { train.append(r) } else { current.append(r) } }
        var h = EMFHyperparameters()
        h.factors = 8
        h.epochs = 15
        let model = try! EMFTrainer(hyperparameters: h).train(data.with(ratings: train))
        return (data.with(ratings: train), data.with(ratings: current), model)
    }()

    @Test("production users behaving like the training users raise no alarm")
    func noUserDrift() throws {
        let report = try LatentDrift.users(Self.halves.model, current: Self.halves.current)
        #expect(!report.drifted, "MMD p = \(report.multivariate.mmd?.pValue ?? -1)")
        #expect(report.currentCount == 400)
    }

    @Test("a segment of users whose taste turned is flagged, and they are the ones that moved most")
    func shiftedSegmentIsFlagged() throws {
        // Users of segment 0 now rate the same items the other way round (r → 6 − r).
        let current = Self.halves.current
        let shifted = current.ratings.map { r in
            r.user % 8 == 0 ? Rating(user: r.user, item: r.item, value: 6 - r.value) : r
        }
        let report = try LatentDrift.users(Self.halves.model, current: current.with(ratings: shifted))
        #expect(report.drifted, "MMD p = \(report.multivariate.mmd?.pValue ?? -1)")
        let segmentZero = report.movedMost.prefix(10).filter { Int($0.id.dropFirst())! % 8 == 0 }.count
        #expect(segmentZero >= 8, "\(report.movedMost.prefix(10).map { "\($0.id) \($0.distance)" })")
    }

    /// The same model expressed in a rotated basis: P R and Q R predict exactly the same ratings.
    static func rotated(_ model: EMFModel, seed: UInt64) throws -> EMFModel {
        let f = model.hyperparameters.factors
        var g = SeededGenerator(seed: seed)
        let random = (0..<(f * f)).map { _ in g.nextGaussian() }
        let rotation = try DenseSVD.procrustesRotation(
            from: random,
            to: [Double](repeating: 0, count: f * f).enumerated().map { $0.offset % (f + 1) == 0 ? 1 : 0 },
            rows: f,
            n: f
        )
        func apply(_ x: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: x.count)
            for r in 0..<(x.count / f) {
                for j in 0..<f {
                    out[r * f + j] = Float((0..<f).reduce(0.0) { $0 + Double(x[r * f + $1]) * rotation[$1 * f + j] })
                }
            }
            return out
        }
        var copy = model
        copy.userFactors = apply(model.userFactors)
        copy.itemFactors = apply(model.itemFactors)
        return copy
    }

    @Test("a rotated retrain with no real change is not flagged, although raw dimensions all differ")
    func rotatedRetrainIsNotFlagged() throws {
        let old = Self.halves.model
        let new = try Self.rotated(old, seed: 3)
        // Predictions are unchanged by the rotation.
        #expect(abs(old.predict(user: 5, item: 9) - new.predict(user: 5, item: 9)) < 1e-4)
        let report = try LatentDrift.items(old: old, new: new)
        #expect(!report.drifted && !report.norms.drifted && !report.pairwiseSimilarity.drifted)
        #expect(report.movedMost.allSatisfy { $0.distance < 1e-4 })
        // Comparing dimension by dimension without alignment would have raised an alarm.
        let f = old.hyperparameters.factors
        let raw = try MultivariateDrift(mmd: nil, classifier: nil).compare(
            SampleMatrix(rows: old.items.count, cols: f, values: old.itemFactors.map(Double.init)),
            SampleMatrix(rows: new.items.count, cols: f, values: new.itemFactors.map(Double.init))
        )
        #expect(raw.driftedShare > 0.2)
    }

    @Test("items whose factors really changed are flagged and named")
    func changedItemsAreFlagged() throws {
        let old = Self.halves.model
        var new = try Self.rotated(old, seed: 4)
        let f = old.hyperparameters.factors
        for i in 0..<60 { for k in 0..<f { new.itemFactors[i * f + k] = -new.itemFactors[i * f + k] * 2 + 0.5 } }
        let report = try LatentDrift.items(old: old, new: new)
        #expect(report.drifted)
        #expect(report.movedMost.prefix(10).allSatisfy { Int($0.id.dropFirst())! < 60 })
    }
}

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
        let small = try ReferenceProfile(kind: "latent", source: "m", columns: columns).jointSample()
        let rows = Set((0..<m.rows).map { Array(m.row($0)) })
        #expect(small.rows == 50)
        #expect((0..<small.rows).allSatisfy { rows.contains(Array(small.row($0))) })
    }
}
