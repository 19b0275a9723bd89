import Foundation

/// A parsed `multipart/form-data` body (RFC 7578): named parts with optional file names and
/// content types. Malformed bodies are refused with 400. Public for the fuzz harness.
public struct MultipartForm: Sendable {
    struct Part: Sendable {
        let name: String
        let filename: String?
        let contentType: String?
        let body: [UInt8]

        var text: String { String(decoding: body, as: UTF8.self) }
    }

    let parts: [Part]

    /// The first part called `name`.
    func part(_ name: String) -> Part? { parts.first { $0.name == name } }
    /// Every part called `name`, in order.
    func parts(_ name: String) -> [Part] { parts.filter { $0.name == name } }

    /// Parses `body` split at `--boundary`; throws a 400 ``Problem`` when it is malformed.
    public init(_ body: [UInt8], boundary: String) throws {
        guard !boundary.isEmpty, boundary.utf8.count <= 200 else {
            throw Problem.badRequest("multipart boundary is missing or too long")
        }
        let delimiter = Array("--\(boundary)".utf8)
        var positions: [Int] = []
        var i = 0
        while let k = Self.find(delimiter, in: body, from: i) {
            positions.append(k)
            i = k + delimiter.count
        }
        guard positions.count >= 2 else {
            throw Problem.badRequest("multipart body has no parts delimited by its boundary")
        }
        var parts: [Part] = []
        for (a, b) in zip(positions, positions.dropFirst()) {
            var start = a + delimiter.count
            // Line break after the delimiter.
            if start + 1 < body.count, body[start] == 0x0D, body[start + 1] == 0x0A {
                start += 2
            } else if start < body.count, body[start] == 0x0A {
                start += 1
            }
            var end = b
            if end >= 2, body[end - 2] == 0x0D, body[end - 1] == 0x0A {
                end -= 2
            } else if end >= 1, body[end - 1] == 0x0A {
                end -= 1
            }
            guard start <= end else { throw Problem.badRequest("malformed multipart part") }
            let chunk = Array(body[start..<end])
            guard let headerEnd = Self.find(Array("\r\n\r\n".utf8), in: chunk, from: 0) else {
                throw Problem.badRequest("multipart part without a header block")
            }
            let headerText = String(decoding: chunk[0..<headerEnd], as: UTF8.self)
            var name: String?
            var filename: String?
            var contentType: String?
            for line in headerText.split(separator: "\r\n") {
                let kv = line.split(separator: ":", maxSplits: 1)
                guard kv.count == 2 else { continue }
                let key = kv[0].trimmingCharacters(in: .whitespaces).lowercased()
                let value = kv[1].trimmingCharacters(in: .whitespaces)
                if key == "content-type" { contentType = value.lowercased() }
                if key == "content-disposition" {
                    for param in value.split(separator: ";").dropFirst() {
                        let pv = param.split(separator: "=", maxSplits: 1).map {
                            $0.trimmingCharacters(in: .whitespaces)
                        }
                        guard pv.count == 2 else { continue }
                        let unquoted =
                            pv[1].hasPrefix("\"") && pv[1].hasSuffix("\"") && pv[1].count >= 2
                            ? String(pv[1].dropFirst().dropLast()) : pv[1]
                        if pv[0].lowercased() == "name" { name = unquoted }
                        if pv[0].lowercased() == "filename" { filename = unquoted }
                    }
                }
            }
            guard let name else { throw Problem.badRequest("a multipart part has no name in its Content-Disposition") }
            parts.append(
                Part(name: name, filename: filename, contentType: contentType, body: Array(chunk[(headerEnd + 4)...]))
            )
        }
        self.parts = parts
    }

    /// Index of `needle` in `haystack` at or after `from`: Knuth–Morris–Pratt, so the search is
    /// linear in the haystack whatever it holds (a naive scan costs body × boundary on a body
    /// full of near-boundaries, which a hostile client can send).
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, from >= 0 else { return nil }
        // fallback[k]: length of the longest proper prefix of needle[0...k] that is also its suffix.
        var fallback = [Int](repeating: 0, count: needle.count)
        var length = 0
        for k in 1..<max(1, needle.count) {
            while length > 0 && needle[k] != needle[length] { length = fallback[length - 1] }
            if needle[k] == needle[length] { length += 1 }
            fallback[k] = length
        }
        var matched = 0
        var i = from
        while i < haystack.count {
            while matched > 0 && haystack[i] != needle[matched] { matched = fallback[matched - 1] }
            if haystack[i] == needle[matched] { matched += 1 }
            if matched == needle.count { return i - needle.count + 1 }
            i += 1
        }
        return nil
    }
}
