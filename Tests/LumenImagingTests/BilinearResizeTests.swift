import Foundation
import LumenIO
import LumenImaging
import LumenTestSupport
import Testing

@Suite("Bilinear resize")
struct BilinearResizeTests {
    static let cases: [String] = {
        let data = try! Data(contentsOf: Fixtures.url("imaging/manifest.json"))
        let object = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        return object["resize"] as! [String]
    }()

    @Test("matches OpenCV INTER_LINEAR on float32 maps, up and down, odd ratios and single rows", arguments: cases)
    func matchesOpenCV(name: String) throws {
        let src = try Fixtures.tensor("imaging/\(name).src.npy")
        let dst = try Fixtures.tensor("imaging/\(name).dst.npy")
        let map = try FloatMap(width: src.shape[1], height: src.shape[0], values: src.values)
        let resized = try map.resized(width: dst.shape[1], height: dst.shape[0])
        #expect(maxAbsDifference(resized.values, dst.values) <= 2.5e-7)
    }

    @Test("a constant map stays constant and the same size is a no-op")
    func invariants() throws {
        let map = try FloatMap(width: 3, height: 2, values: [Float](repeating: 0.25, count: 6))
        #expect(try map.resized(width: 11, height: 7).values.allSatisfy { abs($0 - 0.25) < 1e-7 })
        #expect(try map.resized(width: 3, height: 2) == map)
        #expect(throws: ImagingError.self) { _ = try map.resized(width: 0, height: 4) }
    }
}
