/// Limits on what a model file can make the runtime allocate. A graph's sizes come from the
/// file (initializer dims, Reshape targets, pads, Resize scales, Range bounds), so every size is
/// checked for overflow and against this budget before anything is allocated.
public enum ONNXLimits {
    /// Most elements one tensor may hold: by default 2³⁰ (4 GiB of float32), a sixth of a
    /// 24 GB machine; `withElementBudget` lowers it for the code it runs.
    public static var elementsPerTensor: Int { budget ?? 1 << 30 }
    @TaskLocal static var budget: Int?

    /// Runs `body` with at most `elements` elements per tensor (loading and running models).
    public static func withElementBudget<R>(_ elements: Int, _ body: () throws -> R) rethrows -> R {
        try $budget.withValue(max(1, elements), operation: body)
    }
    /// Largest extent of one dimension.
    public static let dimension = 1 << 24
}

extension Node {
    /// `axis` (negative counts from the end) as an index into a tensor of `rank` axes.
    func axis(_ axis: Int, rank: Int) throws -> Int {
        let resolved = axis < 0 ? axis &+ rank : axis
        guard resolved >= 0, resolved < rank else {
            throw fail("axis \(axis) is out of range for a tensor of rank \(rank)")
        }
        return resolved
    }

    /// Several axes, each checked, none repeated.
    func axes(_ axes: [Int], rank: Int) throws -> [Int] {
        let resolved = try axes.map { try axis($0, rank: rank) }
        guard Set(resolved).count == resolved.count else { throw fail("axes \(axes) repeat an axis") }
        return resolved
    }

    /// The element count of `shape`, after checking that no dimension is negative, the product
    /// does not overflow and the tensor fits `ONNXLimits.elementsPerTensor`.
    func count(_ shape: [Int]) throws -> Int {
        guard let count = checkedCount(shape) else {
            throw fail(
                "a tensor of shape \(shape) is beyond the runtime's budget of \(ONNXLimits.elementsPerTensor) elements"
            )
        }
        return count
    }

    /// The `name` ints attribute with `count` values, each at least `minimum` (default when absent).
    func ints(_ name: String, count: Int, minimum: Int, default fallback: Int) throws -> [Int] {
        guard let values = ints(name) else { return [Int](repeating: fallback, count: count) }
        guard values.count == count else { throw fail("\(name) has \(values.count) values, expected \(count)") }
        guard values.allSatisfy({ $0 >= minimum && $0 <= ONNXLimits.dimension }) else {
            throw fail("\(name) \(values) must lie in \(minimum)…\(ONNXLimits.dimension)")
        }
        return values
    }
}

/// The element count of `shape`, or nil when a dimension is negative or too large, the product
/// overflows, or it exceeds `ONNXLimits.elementsPerTensor`.
func checkedCount(_ shape: [Int]) -> Int? {
    var count = 1
    for d in shape {
        guard d >= 0 else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: d)
        guard !overflow, product <= ONNXLimits.elementsPerTensor else { return nil }
        count = product
    }
    return count
}

/// A Double from a file as an Int, when it is finite and within ±2⁶²; nil otherwise.
func checkedInt(_ value: Double) -> Int? {
    guard value.isFinite, abs(value) < 0x1p62 else { return nil }
    return Int(value)
}
