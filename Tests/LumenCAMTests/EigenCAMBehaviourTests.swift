import Foundation
import LumenCAM
import LumenIO
import LumenImaging
import Testing

@Suite("EigenCAM behaviour")
struct EigenCAMBehaviourTests {
    /// C channels over an H×W map: every channel responds (with its own gain) to one bright blob,
    /// plus a weak per-channel ripple.
    static func blobActivations(
        channels: Int,
        height: Int,
        width: Int,
        blob: (x: Int, y: Int),
        negate: Bool = false
    ) throws -> Tensor {
        var values = [Float](repeating: 0, count: channels * height * width)
        for c in 0..<channels {
            let gain = Float(1 + c % 5)
            for y in 0..<height {
                for x in 0..<width {
                    let d2 = Float((x - blob.x) * (x - blob.x) + (y - blob.y) * (y - blob.y))
                    let ripple: Float = 0.05 * Float(sin(Double(c * 7 + x * 3 + y)))
                    var v: Float = gain * Float(exp(Double(-d2 / 6))) + ripple
                    if negate { v = -v }
                    values[(c * height + y) * width + x] = v
                }
            }
        }
        return try Tensor(shape: [channels, height, width], values: values)
    }

    @Test("the heatmap peaks on the object whichever way the eigenvector came out", arguments: [false, true])
    func noInvertedMaps(negate: Bool) throws {
        // Negated activations have the same principal axis with the opposite orientation of the
        // summed map, so the rule keeps the map pointing at where activation is concentrated.
        let tensor = try Self.blobActivations(channels: 24, height: 9, width: 11, blob: (x: 7, y: 3), negate: negate)
        let component = try EigenCAM().project(ActivationBatch(tensor))[0].components[0]
        let values = component.map.values
        let peak = values.indices.max { values[$0] < values[$1] }!
        let trough = values.indices.min { values[$0] < values[$1] }!
        if negate {
            #expect(trough == 3 * 11 + 7, "negated activations: the object is where the summed map is lowest")
        } else {
            #expect(peak == 3 * 11 + 7)
        }
        #expect(component.signRule == .covariance)
    }

    @Test("the oriented map always co-varies positively with the channel-summed map")
    func signRuleProperty() throws {
        for seed in 0..<20 {
            var state = UInt64(seed + 1)
            let values = (0..<(6 * 5 * 4)).map { _ -> Float in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(state >> 40) / Float(1 << 24) - 0.3
            }
            let tensor = try Tensor(shape: [6, 5, 4], values: values)
            let component = try EigenCAM().project(ActivationBatch(tensor))[0].components[0]
            // Channel-summed centred map.
            var summed = [Double](repeating: 0, count: 20)
            for c in 0..<6 {
                let row = values[(c * 20)..<((c + 1) * 20)]
                let mean = row.reduce(0.0) { $0 + Double($1) } / 20
                for (j, v) in row.enumerated() { summed[j] += Double(v) - mean }
            }
            let map = component.map.values.map(Double.init)
            let mm = map.reduce(0, +) / 20
            let sm = summed.reduce(0, +) / 20
            let covariance = zip(map, summed).map { ($0 - mm) * ($1 - sm) }.reduce(0, +)
            #expect(covariance >= 0 || component.signRule == .extent)
        }
    }

    @Test("projection is deterministic run to run")
    func deterministic() throws {
        let tensor = try Self.blobActivations(channels: 40, height: 6, width: 6, blob: (x: 1, y: 4))
        let a = try EigenCAM(components: 2).project(ActivationBatch(tensor))[0]
        let b = try EigenCAM(components: 2).project(ActivationBatch(tensor))[0]
        for k in 0..<2 { #expect(a.components[k].map == b.components[k].map) }
    }

    @Test("constant activations give an all-zero heatmap and zero explained variance, not NaN")
    func constantActivations() throws {
        let tensor = try Tensor(shape: [4, 3, 3], values: [Float](repeating: 2, count: 36))
        let maps = try CAMExplainer().explain(
            [NamedActivations(name: "flat", batch: ActivationBatch(tensor))],
            width: 6,
            height: 6
        )
        #expect(maps[0].heatmap.values.allSatisfy { $0 == 0 })
        #expect(maps[0].layers[0].explainedVarianceRatio == 0)
    }

    @Test("explained-variance ratios of all components sum to 1")
    func ratiosSumToOne() throws {
        let tensor = try Self.blobActivations(channels: 5, height: 4, width: 4, blob: (x: 2, y: 2))
        let components = try EigenCAM(components: 5).project(ActivationBatch(tensor))[0].components
        let total = components.map(\.explainedVarianceRatio).reduce(0, +)
        #expect(abs(total - 1) < 1e-4)
        #expect(
            zip(components, components.dropFirst()).allSatisfy {
                $0.explainedVarianceRatio >= $1.explainedVarianceRatio
            }
        )
    }

    @Test("bad shapes, too many components and mismatched batches are refused")
    func refusesBadRequests() throws {
        #expect(throws: CAMError.badActivationShape([3, 4])) {
            _ = try ActivationBatch(Tensor(shape: [3, 4], values: [Float](repeating: 0, count: 12)))
        }
        #expect(throws: CAMError.badActivationShape([2, 0, 3])) {
            _ = try ActivationBatch(Tensor(shape: [2, 0, 3], values: []))
        }
        let tensor = try Tensor(shape: [3, 2, 2], values: [Float](repeating: 1, count: 12))
        #expect(throws: CAMError.tooManyComponents(requested: 4, available: 3)) {
            _ = try EigenCAM(components: 4).project(ActivationBatch(tensor))
        }
        let two = try Tensor(shape: [2, 3, 2, 2], values: [Float](repeating: 1, count: 24))
        let layers = [
            NamedActivations(name: "a", batch: try ActivationBatch(tensor)),
            NamedActivations(name: "b", batch: try ActivationBatch(two)),
        ]
        #expect(throws: CAMError.batchMismatch([1, 2])) { _ = try CAMExplainer().explain(layers, width: 4, height: 4) }
        #expect(throws: CAMError.noLayers) { _ = try CAMExplainer().explain([], width: 4, height: 4) }
    }
}
