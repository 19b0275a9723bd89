import Foundation
import Testing

@testable import LumenServer

@Suite("HTTP building blocks")
struct HTTPPartsTests {
    @Test("multipart parts keep binary bodies intact") func multipartPartsKeepBinaryBodiesIntact() throws {
        let binary: [UInt8] = [0, 13, 10, 45, 45, 255, 13, 10]
        var body = Array(
            "preamble\r\n--b0\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.npy\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                .utf8
        )
        body +=
            binary + Array("\r\n--b0\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--b0--\r\n".utf8)
        let form = try MultipartForm(body, boundary: "b0")
        #expect(form.part("file")?.body == binary)
        #expect(form.part("file")?.filename == "x.npy")
        #expect(form.part("note")?.text == "hello")
        #expect(throws: Problem.self) { try MultipartForm(Array("no parts here".utf8), boundary: "b0") }
        #expect(throws: Problem.self) { try MultipartForm(Array("--b0\r\nno header end--b0--".utf8), boundary: "b0") }
    }

    @Test("JSON writer escapes what JSON needs escaped") func jsonWriterEscapesWhatJSONNeedsEscaped() throws {
        var w = JSONWriter()
        w.beginObject()
        w.field("text", "quote \" backslash \\ newline \n tab \t bell \u{07} ★")
        w.field("nan", Double.nan)
        w.field("float", Float(0.1))
        w.key("list")
        w.beginArray()
        w.value(1)
        w.value(true)
        w.null()
        w.endArray()
        w.endObject()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(w.bytes)) as? [String: Any])
        #expect(object["text"] as? String == "quote \" backslash \\ newline \n tab \t bell \u{07} ★")
        #expect(object["nan"] is NSNull)
        #expect(abs((object["float"] as? Double ?? 0) - 0.1) < 1e-7)
        #expect((object["list"] as? [Any])?.count == 3)
    }

    @Test("problems follow RFC 9457") func problemsFollowRFC9457() throws {
        let p = Problem.tooLarge("the body is 30 MB")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(p.body(instance: "/v1/cam", requestID: "r1"))) as? [String: Any]
        )
        #expect(json["type"] as? String == "urn:lumen:problem:too-large")
        #expect(json["status"] as? Int == 413 && json["title"] as? String == "Request too large")
        #expect(json["instance"] as? String == "/v1/cam" && json["request_id"] as? String == "r1")
        #expect(Problem.from(NSError(domain: "x", code: 1)) == nil)
    }

    @Test("boundary search finds what a naive scan finds") func boundarySearchFindsWhatANaiveScanFinds() {
        var generator = SystemRandomNumberGenerator()
        func naive(_ needle: [UInt8], _ haystack: [UInt8], _ from: Int) -> Int? {
            guard needle.count <= haystack.count else { return nil }
            return (from...(haystack.count - needle.count)).first {
                Array(haystack[$0..<($0 + needle.count)]) == needle
            }
        }
        for _ in 0..<3000 {
            // A two-letter alphabet makes partial matches and overlaps common.
            let needle = (0..<Int.random(in: 1...6, using: &generator)).map { _ in
                UInt8.random(in: 97...98, using: &generator)
            }
            let haystack = (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                UInt8.random(in: 97...98, using: &generator)
            }
            let from = haystack.isEmpty ? 0 : Int.random(in: 0..<haystack.count, using: &generator)
            let expected =
                haystack.count >= needle.count && from <= haystack.count - needle.count
                ? naive(needle, haystack, from) : nil
            #expect(
                MultipartForm.find(needle, in: haystack, from: from) == expected,
                "\(needle) in \(haystack) from \(from)"
            )
        }
    }
}
