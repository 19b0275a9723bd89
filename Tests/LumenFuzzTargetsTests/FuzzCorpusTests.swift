import Foundation
import LumenFuzzTargets
import LumenNumerics
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

    /// A few seconds of seeded mutation per target inside `make test` (libFuzzer's long runs are
    /// `make fuzz`): byte flips, interesting values, inserts, deletes and splices of the seeds.
    /// The same seed gives the same inputs, so a failure here reproduces.
    @Test("seeded mutants of the seeds run through each parser without a crash", arguments: FuzzTarget.allCases)
    func mutants(target: FuzzTarget) throws {
        let seeds = try Self.files(target).map { [UInt8](try Data(contentsOf: $0)) }.filter { $0.count <= 65_536 }
        try #require(!seeds.isEmpty)
        var rng = SeededGenerator(seed: UInt64(target.rawValue.utf8.reduce(7) { $0 &* 31 &+ Int($1) }.magnitude))
        let deadline = ContinuousClock.now + .milliseconds(1500)
        var runs = 0
        while ContinuousClock.now < deadline || runs < 50 {
            var bytes = seeds[Int(rng.next() % UInt64(seeds.count))]
            for _ in 0..<(1 + Int(rng.next() % 4)) { Self.mutate(&bytes, with: &rng, seeds: seeds) }
            target.run(bytes)
            runs += 1
        }
        #expect(runs >= 50)
    }

    static func mutate(_ bytes: inout [UInt8], with rng: inout SeededGenerator, seeds: [[UInt8]]) {
        let interesting: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, 0x2D, 0x30, 0x39, 0x0A, 0x22, 0x2C]
        let at = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
        switch rng.next() % 6 {
        case 0 where !bytes.isEmpty: bytes[at] ^= UInt8(1 << (rng.next() % 8))
        case 1 where !bytes.isEmpty: bytes[at] = interesting[Int(rng.next() % UInt64(interesting.count))]
        case 2: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
        case 3 where !bytes.isEmpty:
            bytes.removeSubrange(at..<min(bytes.count, at + 1 + Int(rng.next() % 16)))
        case 4:
            let other = seeds[Int(rng.next() % UInt64(seeds.count))]
            guard !other.isEmpty else { return }
            let from = Int(rng.next() % UInt64(other.count))
            bytes.insert(contentsOf: other[from..<min(other.count, from + 1 + Int(rng.next() % 64))], at: at)
        case 5 where bytes.count >= 4:
            // A 32-bit field set to a boundary value (sizes, counts, offsets).
            let value: UInt32 = [0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF][Int(rng.next() % 5)]
            let start = min(at, bytes.count - 4)
            withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(start..<(start + 4), with: $0) }
        default: bytes.append(UInt8(truncatingIfNeeded: rng.next()))
        }
    }
}
