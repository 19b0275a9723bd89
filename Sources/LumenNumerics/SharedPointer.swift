/// A mutable pointer handed to parallel workers. The caller guarantees the memory outlives the
/// workers and that their writes are either disjoint or, as in Hogwild SGD, knowingly racy on
/// plain floats.
public struct SharedPointer<T>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<T>
    public init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}
