/// A pointer handed to parallel workers (`Parallel`, the kernels' fork–join pool). The caller
/// keeps the memory alive for the whole parallel region, and the workers only read it.
public struct SendablePointer<Pointee>: @unchecked Sendable {
    public let pointer: UnsafePointer<Pointee>
    public init(_ pointer: UnsafePointer<Pointee>) { self.pointer = pointer }
}

/// A mutable pointer handed to parallel workers. The caller keeps the memory alive for the whole
/// parallel region, and each worker writes a part no other worker reads or writes.
public struct SendableMutablePointer<Pointee>: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Pointee>
    public init(_ pointer: UnsafeMutablePointer<Pointee>) { self.pointer = pointer }
}

/// A buffer handed to parallel workers that only read it, alive for the whole parallel region.
public struct SendableBuffer<Element>: @unchecked Sendable {
    public let buffer: UnsafeBufferPointer<Element>
    public init(_ buffer: UnsafeBufferPointer<Element>) { self.buffer = buffer }
}
