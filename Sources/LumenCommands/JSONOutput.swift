import Foundation
import LumenIO

/// Pretty, key-sorted JSON for everything the CLI prints or writes.
enum JSONOutput {
    static func text<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// `--json PATH`: writes `value` to PATH (atomically) and returns false, so the text answer
    /// is printed too; with PATH `-` prints the JSON instead and returns true. No PATH: false.
    static func emit<T: Encodable>(_ value: T, to path: String?) throws -> Bool {
        guard let path else { return false }
        let text = try text(value)
        if path == "-" {
            print(text)
            return true
        }
        try AtomicFile.write(text: text + "\n", to: URL(fileURLWithPath: path))
        return false
    }

    static let help = "Also write the answer as JSON to this file ('-': print the JSON instead of the text)."
}
