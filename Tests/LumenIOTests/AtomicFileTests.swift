import Foundation
import LumenIO
import LumenTestSupport
import Testing

@Suite("Atomic file writes")
struct AtomicFileTests {
    @Test("a write replaces the file whole and leaves no temporary files")
    func replacesWhole() throws {
        let dir = try Fixtures.temporaryDirectory()
        let url = dir.appendingPathComponent("out.bin")
        try AtomicFile.write([1, 2, 3], to: url)
        try AtomicFile.write([9, 8], to: url)
        #expect([UInt8](try Data(contentsOf: url)) == [9, 8])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.bin"])
    }

    @Test("a write into a missing folder fails with a typed error and creates nothing")
    func failsCleanly() throws {
        let dir = try Fixtures.temporaryDirectory()
        let url = dir.appendingPathComponent("missing/out.bin")
        #expect(throws: FileError.self) { try AtomicFile.write([1], to: url) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
