/// A dense float32 tensor in C (row-major) order.
public struct Tensor: Sendable, Equatable {
    /// Extent of each axis, outermost first.
    public let shape: [Int]
    /// `shape.reduce(1, *)` values, last axis fastest.
    public var values: [Float]

    /// Wraps values; their count must equal the product of the shape.
    public init(shape: [Int], values: [Float]) throws(TensorError) {
        let count = try Tensor.elementCount(of: shape)
        guard count == values.count else { throw .sizeMismatch(shape: shape, expected: count, actual: values.count) }
        self.shape = shape
        self.values = values
    }

    /// Number of elements, checked for negative extents and overflow.
    public static func elementCount(of shape: [Int]) throws(TensorError) -> Int {
        var count = 1
        for extent in shape {
            guard extent >= 0 else { throw .invalidShape(shape: shape, reason: "negative extent") }
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= Int(Int32.max) * 16 else {
                throw .invalidShape(shape: shape, reason: "too many elements")
            }
            count = product
        }
        return count
    }

    /// Rank: number of axes.
    public var rank: Int { shape.count }

    /// Number of values.
    public var count: Int { values.count }

    /// The same values seen through another shape with as many elements.
    public func reshaped(_ newShape: [Int]) throws(TensorError) -> Tensor {
        try Tensor(shape: newShape, values: values)
    }
}

extension Tensor {
    /// Reorders values stored with the first axis fastest (Fortran order) into C order.
    static func fromFortranOrder(shape: [Int], values: [Float]) throws(TensorError) -> Tensor {
        guard shape.count > 1 else { return try Tensor(shape: shape, values: values) }
        var result = [Float](repeating: 0, count: values.count)
        // Fortran strides: axis 0 has stride 1.
        var fortranStride = [Int](repeating: 1, count: shape.count)
        for axis in 1..<shape.count { fortranStride[axis] = fortranStride[axis - 1] * shape[axis - 1] }
        // Walk the C-order positions (last axis fastest), tracking the Fortran offset.
        var walk = StridedWalk(shape: shape, steps: fortranStride)
        for target in 0..<values.count {
            result[target] = values[walk.offset]
            walk.advance()
        }
        return try Tensor(shape: shape, values: result)
    }
}
