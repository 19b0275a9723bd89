import LumenIO
import Testing

@Suite("JSON tensors")
struct JSONTensorReaderTests {
    @Test("shape + flat data and nested arrays give the same tensor")
    func bothLayoutsAgree() throws {
        let flat = try JSONTensorReader.read(Array(#"{"shape": [2, 2, 3], "data": [1,2,3,4,5,6,7,8,9,10,11,12]}"#.utf8))
        let nested = try JSONTensorReader.read(Array("[[[1,2,3],[4,5,6]],[[7,8,9],[10,11,12]]]".utf8))
        #expect(flat == nested)
        #expect(flat.shape == [2, 2, 3])
    }

    @Test("null becomes NaN so it can be counted downstream")
    func nullIsNaN() throws {
        let t = try JSONTensorReader.read(Array("[[1, null]]".utf8))
        #expect(t.values[1].isNaN)
    }

    @Test(
        "ragged, non-numeric, mis-sized and non-JSON inputs are refused",
        arguments: [
            "[[1,2],[3]]", #"[["a"]]"#, #"{"shape": [3], "data": [1, 2]}"#, "{not json", #"{"data": [1]}"#, "[[true]]",
        ]
    )
    func badInputsAreRefused(text: String) {
        #expect(throws: TensorError.self) { _ = try JSONTensorReader.read(Array(text.utf8)) }
    }
}
