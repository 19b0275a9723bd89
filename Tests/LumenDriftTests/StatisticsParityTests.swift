import Foundation
import LumenIO
import LumenTestSupport
import Testing

@testable import LumenDrift

/// Parity with scipy (scripts/make-drift-fixtures.py).
@Suite("Drift statistics against scipy")
struct StatisticsParityTests {
    nonisolated(unsafe) static let reference: [String: Any] = {
        let data = try! Data(contentsOf: Fixtures.url("drift/reference.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    static let numericCases = ["same_small", "shift_small", "ties", "scale_medium", "large_shift", "skewed"]

    static func sample(_ name: String, _ side: String) throws -> [Double] {
        try Fixtures.tensor("drift/\(name).\(side).npy").values.map(Double.init)
    }

    static func close(_ a: Double, _ b: Double, _ relative: Double = 1e-9) -> Bool {
        abs(a - b) <= relative * max(abs(b), 1e-300)
    }

    @Test("KS statistic and p-value, Wasserstein, PSI and Jensen–Shannon match scipy to 1e-9", arguments: numericCases)
    func numericParity(name: String) throws {
        // float64 fixtures read through the float32 tensor path would lose precision: read raw.
        let a = try NPYDoubles.read("drift/\(name).reference.npy")
        let b = try NPYDoubles.read("drift/\(name).current.npy")
        let ref = Self.reference[name] as! [String: Any]
        let ks = try UnivariateTests.kolmogorovSmirnov(a, b)
        #expect(Self.close(ks.statistic, ref["ks_statistic"] as! Double))
        if ref["ks_mode"] as! String == "exact" {
            #expect(Self.close(ks.pValue!, ref["ks_p"] as! Double), "p \(ks.pValue!) vs \(ref["ks_p"]!)")
        } else {
            #expect(
                Self.close(ks.pValue!, ref["ks_kolmogorov_limit_p"] as! Double),
                "p \(ks.pValue!) vs \(ref["ks_kolmogorov_limit_p"]!)"
            )
            #expect(abs(ks.pValue! - (ref["ks_p"] as! Double)) < 0.01, "close to scipy's finite-n asymptotic too")
        }
        #expect(Self.close(try UnivariateTests.wasserstein(a, b), ref["wasserstein"] as! Double))
        #expect(Self.close(try UnivariateTests.psi(a, b).statistic, ref["psi"] as! Double))
        #expect(Self.close(try UnivariateTests.jensenShannon(a, b).statistic, ref["jensen_shannon"] as! Double))
        let normed = try UnivariateTests.normedWasserstein(a, b)
        #expect(Self.close(normed.statistic, (ref["wasserstein"] as! Double) / (ref["std_ref"] as! Double)))
    }

    @Test("χ², its p-value, bias-corrected Cramér's V, PSI and Jensen–Shannon on categories match scipy")
    func categoricalParity() throws {
        for c in Self.reference["categorical"] as! [[String: Any]] {
            let r = c["reference"] as! [Double]
            let cur = c["current"] as! [Double]
            let chi = try CategoricalTests.chiSquared(reference: r, current: cur)
            #expect(Self.close(chi.statistic, c["chi2"] as! Double))
            #expect(Self.close(chi.pValue!, c["chi2_p"] as! Double, 1e-8))
            #expect(
                Self.close(
                    try CategoricalTests.cramersV(reference: r, current: cur).statistic,
                    c["cramers_v"] as! Double
                ) || (c["cramers_v"] as! Double) == 0
            )
            #expect(
                Self.close(CategoricalTests.jensenShannon(reference: r, current: cur).statistic, c["js"] as! Double)
            )
            #expect(Self.close(CategoricalTests.psi(reference: r, current: cur).statistic, c["psi"] as! Double))
        }
    }

    @Test("Benjamini–Hochberg flags the same p-values as scipy's false_discovery_control")
    func benjaminiHochberg() {
        let bh = Self.reference["bh"] as! [String: Any]
        #expect(
            MultipleTesting.benjaminiHochberg.significant(bh["p"] as! [Double], alpha: 0.05) == bh["significant"]
                as! [Bool]
        )
        #expect(MultipleTesting.bonferroni.significant([0.001, 0.02, 0.5], alpha: 0.05) == [true, false, false])
    }

    @Test("empty samples and NaNs are refused")
    func badSamples() {
        #expect(throws: DriftError.self) { _ = try UnivariateTests.kolmogorovSmirnov([], [1]) }
        #expect(throws: DriftError.self) { _ = try UnivariateTests.wasserstein([1, .nan], [1]) }
        #expect(throws: DriftError.self) { _ = try SampleMatrix(rows: 2, cols: 2, values: [1, 2, 3]) }
    }
}

/// Reads float64 .npy fixtures at full precision.
enum NPYDoubles {
    static func read(_ relative: String) throws -> [Double] {
        let bytes = try Fixtures.bytes(relative)
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let start = 10 + headerLength
        return stride(from: start, to: bytes.count, by: 8).map { offset in
            var bits: UInt64 = 0
            for k in 0..<8 { bits |= UInt64(bytes[offset + k]) << (8 * UInt64(k)) }
            return Double(bitPattern: bits)
        }
    }
}
