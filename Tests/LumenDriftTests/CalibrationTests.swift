import LumenNumerics
import Testing

@testable import LumenDrift

@Suite("Calibration and power")
struct CalibrationTests {
    static func normal(_ n: Int, shift: Double = 0, _ g: inout SeededGenerator) -> [Double] {
        (0..<n).map { _ in g.nextGaussian() + shift }
    }

    @Test("on 500 seeded no-drift trials at α = 0.05, KS and MMD false-alarm rates are within 0.02–0.08")
    func falseAlarmRates() throws {
        var g = SeededGenerator(seed: 2026)
        var ksAlarms = 0
        var mmdAlarms = 0
        let trials = 500
        for t in 0..<trials {
            let a = Self.normal(100, &g)
            let b = Self.normal(100, &g)
            if try UnivariateTests.kolmogorovSmirnov(a, b).drifted { ksAlarms += 1 }
            let x = try SampleMatrix(rows: 40, cols: 2, values: Self.normal(80, &g))
            let y = try SampleMatrix(rows: 40, cols: 2, values: Self.normal(80, &g))
            if try MMDTest(permutations: 100, seed: UInt64(t)).test(x, y).drifted { mmdAlarms += 1 }
        }
        let ksRate = Double(ksAlarms) / Double(trials)
        let mmdRate = Double(mmdAlarms) / Double(trials)
        print("false-alarm rates at α = 0.05 over \(trials) trials: KS \(ksRate), MMD \(mmdRate)")
        #expect((0.02...0.08).contains(ksRate), "KS false-alarm rate \(ksRate)")
        #expect((0.02...0.08).contains(mmdRate), "MMD false-alarm rate \(mmdRate)")
    }

    @Test("a mean shift of 0.3σ is detected with n = 2000 by KS, MMD and the domain classifier")
    func detectsShift() throws {
        var g = SeededGenerator(seed: 7)
        let a = Self.normal(2000, &g)
        let b = Self.normal(2000, shift: 0.3, &g)
        #expect(try UnivariateTests.kolmogorovSmirnov(a, b).drifted)
        let x = try SampleMatrix(rows: 2000, cols: 1, values: a)
        let y = try SampleMatrix(rows: 2000, cols: 1, values: b)
        #expect(try MMDTest(permutations: 20, seed: 1).test(x, y).drifted)
        let classifier = try DomainClassifier().test(x, y)
        #expect(classifier.result.drifted && classifier.auc > 0.55)
    }

    @Test("the domain classifier scores near zero without drift")
    func classifierNoDrift() throws {
        var g = SeededGenerator(seed: 11)
        let x = try SampleMatrix(rows: 500, cols: 3, values: Self.normal(1500, &g))
        let y = try SampleMatrix(rows: 500, cols: 3, values: Self.normal(1500, &g))
        let result = try DomainClassifier().test(x, y)
        #expect(!result.result.drifted && abs(result.auc - 0.5) < 0.06)
    }
}
