import Foundation
import LumenCAM
import LumenIO
import LumenImaging
import LumenTestSupport
import Testing

/// Parity with the numpy reference in scripts/make-cam-fixtures.py (full float64 SVD, same sign
/// rule, OpenCV resize).
@Suite("EigenCAM parity with the numpy reference")
struct EigenCAMParityTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let width: Int
        let height: Int
        let centered: Bool
        let ratios: [Double]
        let nonFinite: Int
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        let data = try! Data(contentsOf: Fixtures.url("cam/cases.json"))
        let object = try! JSONSerialization.jsonObject(with: data) as! [String: [String: Any]]
        return object.keys.sorted().compactMap { name in
            let c = object[name]!
            guard let components = c["components"] as? [[String: Any]] else { return nil }
            return Case(
                name: name,
                width: c["width"] as! Int,
                height: c["height"] as! Int,
                centered: c["center"] as! Bool,
                ratios: components.map { $0["explained_variance_ratio"] as! Double },
                nonFinite: c["non_finite"] as! Int
            )
        }
    }()

    @Test("projections, explained variance and heatmaps match to 1e-4", arguments: cases)
    func matchesReference(c: Case) throws {
        let tensor = try Fixtures.tensor("cam/\(c.name).npy")
        let batch = try ActivationBatch(tensor)
        let eigen = EigenCAM(centered: c.centered, components: c.ratios.count)
        let projection = try eigen.project(batch)[0]
        #expect(projection.nonFiniteCount == c.nonFinite)
        for (k, component) in projection.components.enumerated() {
            let reference = try Fixtures.tensor("cam/\(c.name).c\(k).projection.npy").values
            // Compare after normalising by the largest magnitude (projections scale with σ).
            let scale = reference.map(abs).max()!
            let ours = component.map.values.map { $0 / scale }
            #expect(maxAbsDifference(ours, reference.map { $0 / scale }) <= 1e-4, "component \(k)")
            #expect(abs(component.explainedVarianceRatio - c.ratios[k]) <= 1e-5)

            let heat = try CAMHeatmap.combine([component.map], width: c.width, height: c.height)
            let expected = try Fixtures.tensor("cam/\(c.name).c\(k).heatmap.npy").values
            #expect(maxAbsDifference(heat.values, expected) <= 1e-4, "heatmap of component \(k)")
        }
    }

    @Test("two layers at different resolutions are averaged like the reference")
    func multiLayerAverage() throws {
        let layers = try ["multi_a", "multi_b"].map { name in
            NamedActivations(name: name, batch: try ActivationBatch(Fixtures.tensor("cam/\(name).npy")))
        }
        let maps = try CAMExplainer().explain(layers, width: 50, height: 40)
        #expect(maps.count == 1)
        #expect(maps[0].layers.map(\.layer) == ["multi_a", "multi_b"])
        let expected = try Fixtures.tensor("cam/multi.heatmap.npy").values
        #expect(maxAbsDifference(maps[0].heatmap.values, expected) <= 1e-4)
    }

    @Test("each input of an (N,C,H,W) batch gets its own projection")
    func batchOfThree() throws {
        let batch = try ActivationBatch(Fixtures.tensor("cam/batch3_32_9x9.npy"))
        let projections = try EigenCAM().project(batch)
        #expect(projections.count == 3)
        for n in 0..<3 {
            let reference = try Fixtures.tensor("cam/batch3_32_9x9.n\(n).projection.npy").values
            let scale = reference.map(abs).max()!
            #expect(
                maxAbsDifference(
                    projections[n].components[0].map.values.map { $0 / scale },
                    reference.map { $0 / scale }
                ) <= 1e-4
            )
        }
    }
}
