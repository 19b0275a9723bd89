import Foundation
import LumenIO
import LumenTestSupport
import Testing

@Suite("NumPy .npy files")
struct NPYReaderTests {
    @Test(
        "float32 big-endian, float64 and Fortran-order files read as the C-order float32 original",
        arguments: ["layout_f32_be.npy", "layout_f64.npy", "layout_fortran.npy"]
    )
    func layoutsMatchReference(name: String) throws {
        let reference = try Fixtures.tensor("cam/layout_reference_f32.npy")
        let tensor = try Fixtures.tensor("cam/\(name)")
        #expect(tensor.shape == [32, 9, 9])
        #expect(tensor.values == reference.values)
    }

    @Test("float16 files widen exactly")
    func float16Widens() throws {
        let reference = try Fixtures.tensor("cam/layout_reference_from_f16.npy")
        #expect(try Fixtures.tensor("cam/layout_f16.npy").values == reference.values)
    }

    @Test("a batch (N,C,H,W) keeps its shape")
    func batchShape() throws {
        #expect(try Fixtures.tensor("cam/batch3_32_9x9.npy").shape == [3, 32, 9, 9])
    }

    @Test("written files read back, including 1-D shapes")
    func writerRoundTrip() throws {
        for shape in [[5], [2, 3], [2, 1, 4]] {
            let count = shape.reduce(1, *)
            let tensor = try Tensor(shape: shape, values: (0..<count).map { Float($0) * 0.5 - 1 })
            let bytes = NPYWriter.encode(tensor)
            #expect(try NPYReader.read(bytes) == tensor)
            let headerEnd = bytes.firstIndex(of: 0x0A)! + 1
            #expect(headerEnd % 64 == 0, "data must start 64-byte aligned")
        }
    }

    static func file(header: String, version: UInt8 = 1, payload: [UInt8] = []) -> [UInt8] {
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0]
        let h = Array(header.utf8)
        bytes += [UInt8(h.count & 0xFF), UInt8(h.count >> 8)]
        return bytes + h + payload
    }

    static let badFiles: [(String, [UInt8])] = [
        ("bad magic", Array("NUMPY not really".utf8)),
        ("unknown version", file(header: "{}", version: 9)),
        (
            "header runs past the end",
            Array(file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }").prefix(20))
        ),
        (
            "integer dtype",
            file(header: "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", payload: [0, 0, 0, 0])
        ),
        ("object dtype", file(header: "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }")),
        ("missing shape", file(header: "{'descr': '<f4', 'fortran_order': False, }")),
        ("shape not a tuple", file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': 'big', }")),
        ("negative extent", file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (-3,), }")),
        (
            "data too short",
            file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", payload: [0, 0, 0, 0])
        ),
        (
            "data too long",
            file(
                header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
                payload: [UInt8](repeating: 0, count: 8)
            )
        ),
        ("unterminated string", file(header: "{'descr: '<f4'")),
        (
            "overflowing shape",
            file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }")
        ),
    ]

    @Test("malformed headers, wrong sizes and unsupported dtypes give typed errors", arguments: 0..<badFiles.count)
    func malformedFilesAreRefused(index: Int) throws {
        let (label, bytes) = Self.badFiles[index]
        #expect(throws: TensorError.self, "\(label)") { _ = try NPYReader.read(bytes) }
    }
}
