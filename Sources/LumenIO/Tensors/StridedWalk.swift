/// Walks the positions of `shape` in row-major order, keeping the matching offset into another
/// tensor whose elements are `steps[axis]` apart along each axis (a transposed or sliced view).
public struct StridedWalk {
    public let shape: [Int], steps: [Int]
    /// The offset of the current position.
    public private(set) var offset: Int
    private var counter: [Int]

    public init(shape: [Int], steps: [Int], offset: Int = 0) {
        (self.shape, self.steps, self.offset) = (shape, steps, offset)
        counter = [Int](repeating: 0, count: shape.count)
    }

    /// Moves to the next position.
    public mutating func advance() {
        var axis = shape.count - 1
        while axis >= 0 {
            counter[axis] += 1
            offset += steps[axis]
            if counter[axis] < shape[axis] { return }
            offset -= steps[axis] * shape[axis]
            counter[axis] = 0
            axis -= 1
        }
    }
}
