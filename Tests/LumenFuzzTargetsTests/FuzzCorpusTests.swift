import Foundation
import LumenFuzzTargets
import LumenTestSupport
import Testing

/// Every saved fuzz input — the seeds and every crash reproducer `make fuzz` found — through its
/// parser: each must return or throw. A trap here kills the test process, which fails the run.
@Suite("Fuzz corpus replay")
struct FuzzCorpusTests {
    static let corpus = Fixtures.root.deletingLastPathComponent().appendingPathComponent("Fuzz/corpus")

    static func files(_ target: FuzzTarget) -> [URL] {
        let folder = corpus.appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().map { folder.appendingPathComponent($0) }
    }

    @Test("every saved input runs through its parser without a crash", arguments: FuzzTarget.allCases)
    func replay(target: FuzzTarget) throws {
        let files = Self.files(target)
        #expect(!files.isEmpty, "no seeds for \(target.rawValue)")
        for file in files { target.run([UInt8](try Data(contentsOf: file))) }
    }
}
