/// A tensor flowing through the graph: float32 data for compute, int64 for shape arithmetic.
public enum Value: Sendable, Equatable {
    case float(shape: [Int], data: [Float])
    case int64(shape: [Int], data: [Int64])

    public var shape: [Int] {
        switch self {
        case .float(let s, _), .int64(let s, _): s
        }
    }

    public var count: Int { shape.reduce(1, *) }

    /// The values as float32 (int64 converted).
    public var floats: [Float] {
        switch self {
        case .float(_, let d): d
        case .int64(_, let d): d.map(Float.init)
        }
    }

    /// The values as int64: floats truncated toward zero, saturated beyond Int64's range, NaN as
    /// 0 (a file's float shape tensor may hold anything; the size checks then refuse it).
    public var ints: [Int64] {
        switch self {
        case .int64(_, let d): d
        case .float(_, let d): d.map(Self.saturatingInt64)
        }
    }

    static func saturatingInt64(_ x: Float) -> Int64 {
        if x.isNaN { return 0 }
        if x >= 0x1p63 { return .max }
        if x < -0x1p63 { return .min }
        return Int64(x)
    }

    /// `x` rounded to bfloat16 (8 significant bits, round to nearest even), as a Float.
    static func bfloat16Rounded(_ x: Float) -> Float {
        guard x.isFinite else { return x }
        let bits = x.bitPattern
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return Float(bitPattern: rounded & 0xFFFF_0000)
    }

    public var isInteger: Bool {
        if case .int64 = self { return true }
        return false
    }

    /// The same data under another shape with as many elements.
    func reshaped(_ newShape: [Int]) -> Value {
        switch self {
        case .float(_, let d): .float(shape: newShape, data: d)
        case .int64(_, let d): .int64(shape: newShape, data: d)
        }
    }
}

/// Row-major strides of a shape.
func strides(_ shape: [Int]) -> [Int] {
    var s = [Int](repeating: 1, count: shape.count)
    if shape.count >= 2 {
        for i in stride(from: shape.count - 2, through: 0, by: -1) { s[i] = s[i + 1] * shape[i + 1] }
    }
    return s
}
