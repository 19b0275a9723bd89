import LumenImaging

/// Turns signed projections into the final heatmap at image resolution, in the order the common
/// Python CAM tools use: per layer ReLU, min-max normalise, bilinear resize; then across layers
/// ReLU, mean, and min-max normalise once more (also with a single layer).
public enum CAMHeatmap {
    /// The heatmap in [0, 1] of `width × height` pixels from one projection per layer.
    public static func combine(_ maps: [FloatMap], width: Int, height: Int) throws(CAMError) -> FloatMap {
        guard !maps.isEmpty else { throw .noLayers }
        do {
            var sum = [Float](repeating: 0, count: width * height)
            for map in maps {
                let scaled = try map.rectified().minMaxNormalized().resized(width: width, height: height)
                for i in sum.indices { sum[i] += max(scaled.values[i], 0) }
            }
            let count = Float(maps.count)
            let mean = sum.map { $0 / count }
            return try FloatMap(width: width, height: height, values: mean).minMaxNormalized()
        } catch {
            throw .imaging(error)
        }
    }
}
