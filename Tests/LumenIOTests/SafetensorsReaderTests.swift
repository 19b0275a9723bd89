import Foundation
import LumenIO
import LumenTestSupport
import Testing

@Suite("safetensors files")
struct SafetensorsReaderTests {
    @Test("lists tensors in data order with dtype and shape, and reads metadata")
    func listsEntries() throws {
        let reader = try SafetensorsReader(Fixtures.bytes("cam/layers.safetensors"))
        #expect(Set(reader.names) == ["layer_a", "layer_b", "layer_a_f16", "step"])
        let a = try #require(reader.entries.first { $0.name == "layer_a" })
        #expect(a.dtype == "F32" && a.shape == [48, 8, 8])
        #expect(reader.metadata["producer"] == "scripts/make-cam-fixtures.py")
    }

    @Test("tensors picked by name equal the .npy copies written by numpy")
    func tensorsMatchNPY() throws {
        let reader = try SafetensorsReader(Fixtures.bytes("cam/layers.safetensors"))
        #expect(try reader.tensor(named: "layer_a") == (try Fixtures.tensor("cam/multi_a.npy")))
        #expect(try reader.tensor(named: "layer_b") == (try Fixtures.tensor("cam/multi_b.npy")))
        let half = try reader.tensor(named: "layer_a_f16")
        let full = try Fixtures.tensor("cam/multi_a.npy")
        #expect(maxAbsDifference(half.values, full.values) < 4e-3)
        #expect(try reader.integers(named: "step").values == [3, 1, 4])
    }

    @Test("unknown names and integer tensors read as floats are refused with the names on offer")
    func refusesUnknownAndIntegerTensors() throws {
        let reader = try SafetensorsReader(Fixtures.bytes("cam/layers.safetensors"))
        #expect {
            _ = try reader.tensor(named: "layer_z")
        } throws: { error in
            guard case .tensorNotFound(_, let available) = error as? TensorError else { return false }
            return available.contains("layer_a")
        }
        #expect(throws: TensorError.unsupportedDType(format: "safetensors", dtype: "I64")) {
            _ = try reader.tensor(named: "step")
        }
    }

    @Test("a file with several tensors and no name asks for --tensor")
    func ambiguousWithoutName() throws {
        #expect {
            _ = try TensorFile.load(Fixtures.url("cam/layers.safetensors"))
        } throws: { error in
            if case .ambiguousTensor = error as? TensorError { return true }
            return false
        }
    }

    static func file(json: String, data: [UInt8] = []) -> [UInt8] {
        let header = Array(json.utf8)
        var bytes = (0..<8).map { UInt8((UInt64(header.count) >> (8 * UInt64($0))) & 0xFF) }
        bytes += header + data
        return bytes
    }

    static let badFiles: [(String, [UInt8])] = [
        ("shorter than the length field", [1, 2, 3]),
        ("absurd header length", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0]),
        ("header not JSON", file(json: "not json at all")),
        ("entry without offsets", file(json: #"{"x": {"dtype": "F32", "shape": [1]}}"#, data: [0, 0, 0, 0])),
        (
            "offsets past the end",
            file(json: #"{"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 400]}}"#, data: [0, 0, 0, 0])
        ),
        (
            "shape disagrees with byte count",
            file(json: #"{"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0])
        ),
    ]

    @Test("malformed files give typed errors", arguments: 0..<badFiles.count)
    func malformedFilesAreRefused(index: Int) {
        let (label, bytes) = Self.badFiles[index]
        #expect(throws: TensorError.self, "\(label)") { _ = try SafetensorsReader(bytes) }
    }
}
