import LumenImaging
import LumenNumerics

/// EigenCAM: projects a layer's activations (C×H×W, seen as an HW×C matrix, one row per pixel)
/// onto its leading principal components.
///
/// The components come from the Gram matrix of the smaller side (C×C or HW×HW) — never a full
/// SVD. Each component's sign is fixed deterministically: the map is oriented to co-vary
/// positively with the channel-summed activation map (computed on the same, centred or uncentred,
/// data); if that covariance is zero the largest-magnitude value is made positive. For centred
/// data the covariance rule reduces to "the component's channel loadings sum to a positive value".
public struct EigenCAM: Sendable {
    /// Subtract each channel's mean first (what pytorch-grad-cam does); `false` gives the
    /// paper's uncentred variant.
    public var centered: Bool
    /// How many leading components to project (one map each).
    public var components: Int

    /// An EigenCAM configuration.
    public init(centered: Bool = true, components: Int = 1) {
        self.centered = centered
        self.components = components
    }

    /// Projects every input of a batch.
    public func project(_ batch: ActivationBatch) throws(CAMError) -> [LayerProjection] {
        var result: [LayerProjection] = []
        for n in 0..<batch.count {
            result.append(
                try project(batch.slice(n), channels: batch.channels, height: batch.height, width: batch.width)
            )
        }
        return result
    }

    /// Projects one C×H×W activation block (channel-major values).
    public func project(
        _ values: ArraySlice<Float>,
        channels: Int,
        height: Int,
        width: Int
    ) throws(CAMError) -> LayerProjection {
        let pixels = height * width
        guard channels > 0, pixels > 0, values.count == channels * pixels else {
            throw .badActivationShape([channels, height, width])
        }
        let available = min(channels, pixels)
        guard components >= 1, components <= available else {
            throw .tooManyComponents(requested: components, available: available)
        }

        // M is C × HW (channel-major): Mᵀ is the HW × C data matrix of the method.
        var m = Array(values)
        var nonFinite = 0
        for i in m.indices where !m[i].isFinite {
            m[i] = 0
            nonFinite += 1
        }
        if centered { Self.centerRows(&m, rows: channels, cols: pixels) }
        let summed = Self.columnSums(m, rows: channels, cols: pixels)

        let svd: TruncatedSVD
        do {
            svd = try m.withUnsafeBufferPointer { buffer throws(NumericsError) in
                try TruncatedSVD.leading(components, of: buffer, rows: channels, cols: pixels)
            }
        } catch {
            throw .numerics(error)
        }

        var projected: [ComponentProjection] = []
        for k in 0..<components {
            var map = svd.projections[k]
            let (flip, rule) = Self.orientation(of: map, reference: summed)
            if flip { for i in map.indices { map[i] = -map[i] } }
            let floatMap: FloatMap
            do {
                floatMap = try FloatMap(width: width, height: height, values: map)
            } catch {
                throw .imaging(error)
            }
            let (lo, hi) = floatMap.extrema
            projected.append(
                ComponentProjection(
                    map: floatMap,
                    explainedVarianceRatio: svd.explainedVarianceRatio(k),
                    flipped: flip,
                    signRule: rule,
                    rawMin: lo,
                    rawMax: hi
                )
            )
        }
        return LayerProjection(components: projected, nonFiniteCount: nonFinite, channels: channels)
    }

    /// Subtracts each row's mean (accumulated in double precision).
    static func centerRows(_ m: inout [Float], rows: Int, cols: Int) {
        m.withUnsafeMutableBufferPointer { buffer in
            for r in 0..<rows {
                let row = buffer.baseAddress! + r * cols
                var sum = 0.0
                for j in 0..<cols { sum += Double(row[j]) }
                let mean = Float(sum / Double(cols))
                for j in 0..<cols { row[j] -= mean }
            }
        }
    }

    /// Sum over rows for each column: the channel-summed activation map.
    static func columnSums(_ m: [Float], rows: Int, cols: Int) -> [Double] {
        var sums = [Double](repeating: 0, count: cols)
        m.withUnsafeBufferPointer { buffer in
            for r in 0..<rows {
                let row = buffer.baseAddress! + r * cols
                for j in 0..<cols { sums[j] += Double(row[j]) }
            }
        }
        return sums
    }

    /// The sign decision for a projection: flip when it co-varies negatively with the summed map.
    static func orientation(of map: [Float], reference: [Double]) -> (flip: Bool, rule: SignRule) {
        let n = Double(map.count)
        let meanMap = map.reduce(0.0) { $0 + Double($1) } / n
        let meanRef = reference.reduce(0, +) / n
        var covariance = 0.0
        var mapNorm = 0.0
        var refNorm = 0.0
        for j in map.indices {
            let a = Double(map[j]) - meanMap
            let b = reference[j] - meanRef
            covariance += a * b
            mapNorm += a * a
            refNorm += b * b
        }
        let scale = (mapNorm * refNorm).squareRoot()
        if scale > 0, abs(covariance) > 1e-6 * scale {
            return (covariance < 0, .covariance)
        }
        var lo = Float.infinity
        var hi = -Float.infinity
        for v in map {
            lo = min(lo, v)
            hi = max(hi, v)
        }
        return (abs(lo) > abs(hi), .extent)
    }
}
