import Foundation

/// Writes float32 little-endian C-order `.npy` files (format 1.0).
public enum NPYWriter {
    /// Serialises a tensor.
    public static func encode(_ tensor: Tensor) -> [UInt8] {
        let dims = tensor.shape.map(String.init).joined(separator: ", ")
        let shapeText = tensor.shape.count == 1 ? "(\(dims),)" : "(\(dims))"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        // Magic (6) + version (2) + length (2) + header + '\n' is padded to a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes: [UInt8] = NPYReader.magic + [1, 0]
        let length = header.utf8.count
        bytes.append(UInt8(length & 0xFF))
        bytes.append(UInt8(length >> 8))
        bytes.append(contentsOf: header.utf8)
        bytes.reserveCapacity(bytes.count + tensor.count * 4)
        for value in tensor.values {
            let bits = value.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// Writes a tensor to a file atomically.
    public static func write(_ tensor: Tensor, to url: URL) throws(FileError) {
        try AtomicFile.write(encode(tensor), to: url)
    }
}
