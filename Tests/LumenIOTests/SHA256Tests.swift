import Foundation
import LumenIO
import LumenTestSupport
import Testing

@Suite("SHA-256")
struct SHA256Tests {
    /// FIPS 180-2 appendix B test vectors.
    @Test(
        "matches the standard vectors",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
        ]
    )
    func matchesTheStandardVectors(message: String, digest: String) {
        #expect(SHA256.hex(message) == digest)
    }

    @Test("million as in uneven chunks matches the standard vector")
    func millionAsInUnevenChunksMatchesTheStandardVector() {
        var h = SHA256()
        var left = 1_000_000
        var chunk = 1
        while left > 0 {
            let n = min(chunk, left)
            h.update([UInt8](repeating: UInt8(ascii: "a"), count: n))
            left -= n
            chunk = chunk * 3 % 977 + 1
        }
        #expect(
            h.finalize().map { String(format: "%02x", $0) }.joined()
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        )
    }

    @Test("agrees with coreutils on a fixture file") func agreesWithCoreutilsOnAFixtureFile() throws {
        let url = Fixtures.url("cam/layers.safetensors")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(
            separator: " "
        )[0]
        #expect(SHA256.hex(try Fixtures.bytes("cam/layers.safetensors")) == String(expected))
    }
}
