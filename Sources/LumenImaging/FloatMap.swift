/// A single-channel float image (height rows of width values), used for activation maps and
/// heatmaps.
public struct FloatMap: Sendable, Equatable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// `width * height` values, row-major.
    public var values: [Float]

    /// Wraps values; their count must be `width * height`.
    public init(width: Int, height: Int, values: [Float]) throws(ImagingError) {
        guard width > 0, height > 0 else { throw .invalidSize(width: width, height: height) }
        guard values.count == width * height else {
            throw .valueCountMismatch(expected: width * height, actual: values.count)
        }
        self.width = width
        self.height = height
        self.values = values
    }

    /// The value at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> Float {
        get { values[y * width + x] }
        set { values[y * width + x] = newValue }
    }

    /// Smallest and largest value (NaNs ignored); `(0, 0)` when every value is NaN.
    public var extrema: (min: Float, max: Float) {
        var lo = Float.infinity
        var hi = -Float.infinity
        for v in values where !v.isNaN {
            lo = Swift.min(lo, v)
            hi = Swift.max(hi, v)
        }
        return lo <= hi ? (lo, hi) : (0, 0)
    }

    /// Shifts to a minimum of 0 and divides by `1e-7 + max`, the normalisation the common
    /// Python CAM tools apply (so a constant map becomes all zeros, not NaN).
    public func minMaxNormalized() -> FloatMap {
        var copy = self
        let lo = extrema.min
        var hi = -Float.infinity
        for i in copy.values.indices {
            copy.values[i] -= lo
            hi = Swift.max(hi, copy.values[i])
        }
        let scale = 1e-7 + hi
        for i in copy.values.indices { copy.values[i] /= scale }
        return copy
    }

    /// Replaces negative values by 0.
    public func rectified() -> FloatMap {
        var copy = self
        for i in copy.values.indices where copy.values[i] < 0 { copy.values[i] = 0 }
        return copy
    }
}
