import Foundation
import Testing

@testable import LumenIO

@Suite("JSON text written directly")
struct JSONTextTests {
    /// Every control character, quotes, backslashes, slashes, non-ASCII and astral characters.
    static let hostile: [String] = [
        "", "plain", "quote \" and \\ backslash", "tab\tnew\nline\rcr", "/slash/", "é ü ß 中文 🙂",
        String((0..<32).map { Character(Unicode.Scalar(UInt8($0))) }), "\u{7F}\u{2028}\u{2029}",
    ]

    @Test("strings, arrays and objects parse back to exactly what was written")
    func roundTripsThroughFoundation() throws {
        let array = try JSONSerialization.jsonObject(with: Data(JSONText.array(Self.hostile).utf8)) as? [String]
        #expect(array == Self.hostile)
        let map = Dictionary(
            uniqueKeysWithValues: Self.hostile.enumerated().map { ("k\($0.offset) \($0.element)", $0.element) }
        )
        let object = try JSONSerialization.jsonObject(with: Data(JSONText.object(map).utf8)) as? [String: String]
        #expect(object == map)
        for s in Self.hostile {
            let back = try JSONSerialization.jsonObject(with: Data(JSONText.string(s).utf8), options: .fragmentsAllowed)
            #expect(back as? String == s)
        }
        let raw = JSONText.object(["a": "[1,2]", "b": "{\"c\":true}"], rawValues: true)
        #expect(raw == "{\"a\":[1,2],\"b\":{\"c\":true}}")
    }
}
