/// Floating-point element types found in tensor files.
enum FloatDType: Sendable {
    case float16, bfloat16, float32, float64

    var byteWidth: Int {
        switch self {
        case .float16, .bfloat16: 2
        case .float32: 4
        case .float64: 8
        }
    }

    /// Decodes `count` elements starting at `offset` in `bytes` to Float.
    func decode(_ bytes: UnsafeRawBufferPointer, offset: Int, count: Int, bigEndian: Bool) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            let base = bytes.baseAddress! + offset
            switch self {
            case .float16:
                for i in 0..<count {
                    var bits = base.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)
                    bits = bigEndian ? UInt16(bigEndian: bits) : UInt16(littleEndian: bits)
                    out[i] = Float(Float16(bitPattern: bits))
                }
            case .bfloat16:
                for i in 0..<count {
                    var bits = base.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)
                    bits = bigEndian ? UInt16(bigEndian: bits) : UInt16(littleEndian: bits)
                    out[i] = Float(bitPattern: UInt32(bits) << 16)
                }
            case .float32:
                for i in 0..<count {
                    var bits = base.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
                    bits = bigEndian ? UInt32(bigEndian: bits) : UInt32(littleEndian: bits)
                    out[i] = Float(bitPattern: bits)
                }
            case .float64:
                for i in 0..<count {
                    var bits = base.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
                    bits = bigEndian ? UInt64(bigEndian: bits) : UInt64(littleEndian: bits)
                    out[i] = Float(Double(bitPattern: bits))
                }
            }
            initialized = count
        }
    }
}
