import Foundation
import HTTPTypes
import LumenCAM
import LumenIO
import LumenImaging
import LumenMonitoring
import LumenTestSupport
import NIOCore
import Testing

@testable import LumenServer

@Suite("CAM routes")
struct CAMRoutesTests {
    let server = ServerFixtures.shared

    /// A 96×72 test picture (the size the numpy heatmap fixtures were made for).
    static let picture: [UInt8] = {
        var pixels = [UInt8](repeating: 0, count: 96 * 72 * 3)
        for y in 0..<72 {
            for x in 0..<96 {
                pixels[(y * 96 + x) * 3] = UInt8(x * 2)
                pixels[(y * 96 + x) * 3 + 1] = UInt8(y * 3)
                pixels[(y * 96 + x) * 3 + 2] = 90
            }
        }
        return try! PNGEncoder().encode(try! RGBImage(width: 96, height: 72, pixels: pixels))
    }()

    @Test("JSON with .npy activations matches the numpy reference")
    func jsonWithNpyActivationsMatchesTheNumpyReference()
        async throws
    {
        let activations = try Fixtures.bytes("cam/c512_7x7.npy")
        let reply = try await server.post(
            "/v1/cam",
            json: [
                "image": Data(Self.picture).base64EncodedString(),
                "activations": Data(activations).base64EncodedString(),
            ]
        )
        #expect(reply.status == 200, "\(reply.text)")
        let json = try reply.json()
        let layer = try #require((json["layers"] as? [[String: Any]])?.first)
        // numpy's explained-variance ratio for this fixture (scripts/make-cam-fixtures.py).
        #expect(abs((layer["explained_variance_ratio"] as? Double ?? 0) - 0.9149032581793645) < 1e-5)
        // The overlay equals the overlay of numpy's heatmap: a 1e-4 heatmap difference can cross a
        // colour-table step (adjacent JET entries differ by up to 4 levels, halved by the blend).
        let png = try #require(Data(base64Encoded: json["image_png_base64"] as? String ?? ""))
        let got = try ImageDecoder().decode([UInt8](png))
        let heat = try Fixtures.tensor("cam/c512_7x7.c0.heatmap.npy")
        let expected = try Overlay().apply(
            try FloatMap(width: 96, height: 72, values: heat.values),
            on: try ImageDecoder().decode(Self.picture)
        )
        let differences = zip(got.pixels, expected.pixels).map { abs(Int($0) - Int($1)) }
        #expect(differences.max()! <= 2)
        #expect(differences.filter { $0 > 0 }.count < differences.count / 100)
    }

    @Test("multipart and inline tensor give the same answer as JSON")
    func multipartAndInlineTensorGiveTheSameAnswerAsJSON() async throws {
        let activations = try Fixtures.bytes("cam/c256_20x20.npy")
        let json = try await server.post(
            "/v1/cam",
            json: [
                "image": Data(Self.picture).base64EncodedString(),
                "activations": Data(activations).base64EncodedString(), "colormap": "turbo", "alpha": 0.3,
            ]
        )
        let boundary = "lumen-test-boundary"
        var body: [UInt8] = []
        func part(_ name: String, _ filename: String?, _ bytes: [UInt8]) {
            body += Array(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\(filename.map { "; filename=\"\($0)\"" } ?? "")\r\n\r\n"
                    .utf8
            )
            body += bytes + Array("\r\n".utf8)
        }
        part("image", "picture.png", Self.picture)
        part("activations", "layer.npy", activations)
        part("colormap", nil, Array("turbo".utf8))
        part("alpha", nil, Array("0.3".utf8))
        body += Array("--\(boundary)--\r\n".utf8)
        let multipart = try await server.send(
            .post,
            "/v1/cam",
            headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"],
            body: body
        )
        #expect(multipart.status == 200, "\(multipart.text)")
        let tensor = try Fixtures.tensor("cam/c256_20x20.npy")
        let inline = try await server.post(
            "/v1/cam",
            json: [
                "image": Data(Self.picture).base64EncodedString(),
                "activations": ["shape": tensor.shape, "data": tensor.values.map(Double.init)],
                "colormap": "turbo", "alpha": 0.3,
            ]
        )
        let a = try json.json()
        let b = try multipart.json()
        let c = try inline.json()
        #expect(a["image_png_base64"] as? String == b["image_png_base64"] as? String)
        #expect(a["image_png_base64"] as? String == c["image_png_base64"] as? String)
        #expect(a["colormap"] as? String == "turbo")
    }

    @Test("accept image PNG returns the picture itself") func acceptImagePNGReturnsThePictureItself() async throws {
        let activations = try Fixtures.bytes("cam/c512_7x7.npy")
        let reply = try await server.post(
            "/v1/cam",
            json: [
                "image": Data(Self.picture).base64EncodedString(),
                "activations": Data(activations).base64EncodedString(),
            ],
            headers: ["Accept": "image/png"]
        )
        #expect(reply.header("Content-Type") == "image/png")
        let image = try ImageDecoder().decode(reply.body)
        #expect(image.width == 96 && image.height == 72)
        #expect(abs((Double(reply.header("Lumen-Explained-Variance") ?? "") ?? 0) - 0.9149032581793645) < 1e-5)
    }

    @Test("model route agrees with PyTorch on the shipped photo") func modelRouteAgreesWithPyTorchOnTheShippedPhoto()
        async throws
    {
        let photo = try Fixtures.bytes("photos/chelsea.jpg")
        let reply = try await server.send(
            .post,
            "/v1/cam/model/efficientnet-lite0?top=5",
            headers: ["Content-Type": "image/jpeg"],
            body: photo
        )
        #expect(reply.status == 200, "\(reply.text)")
        let json = try reply.json()
        let predictions = try #require(json["predictions"] as? [[String: Any]])
        // PyTorch's top-5 for this photo (fixtures/photos/photos.json, scripts/make-demo-fixtures.py).
        let reference =
            try JSONSerialization.jsonObject(with: Data(Fixtures.bytes("photos/photos.json"))) as! [String: Any]
        let chelsea = reference["chelsea"] as! [String: Any]
        #expect(predictions.map { $0["index"] as? Int } == (chelsea["top5_class_index"] as! [Int]).map(Optional.init))
        // Pillow's and libjpeg-turbo's decoders and resizers differ slightly, hence 0.01.
        for (p, q) in zip(predictions, chelsea["top5_probability"] as! [Double]) {
            #expect(abs((p["probability"] as? Double ?? 0) - q) < 0.01)
        }
        #expect(try server.services.predictions.answer(json["id"] as! String) != nil)
    }

    @Test("model overlays carry their caption unless asked not to")
    func modelOverlaysCarryTheirCaptionUnlessAskedNotTo() async throws {
        func overlay(_ query: String) async throws -> RGBImage {
            let reply = try await server.send(
                .post,
                "/v1/cam/model/efficientnet-lite0\(query)",
                headers: ["Content-Type": "image/png", "Accept": "image/png"],
                body: Self.picture
            )
            #expect(reply.status == 200, "\(reply.text)")
            return try ImageDecoder().decode(reply.body)
        }
        let captioned = try await overlay("")
        let bare = try await overlay("?annotate=false")
        let heat = try await overlay("?annotate=false&blend=heat")
        #expect(captioned.width == 96 && captioned.height > 72)
        #expect(bare.width == 96 && bare.height == 72)
        #expect(heat.height == 72 && heat != bare)
        let bad = try await server.send(
            .post,
            "/v1/cam/model/efficientnet-lite0?blend=soft",
            headers: ["Content-Type": "image/png"],
            body: Self.picture
        )
        #expect(bad.status == 400 && bad.text.contains("uniform, heat"))
    }

    @Test(
        "bad inputs get the right problem",
        arguments: [
            ("/v1/cam/model/efficientnet-lite0", "image/jpeg", Array("not a jpeg at all".utf8), 422),
            ("/v1/cam/model/no-such-model", "image/jpeg", Array("x".utf8), 404),
            ("/v1/cam/model/efficientnet-lite0?layer=nope", "image/png", CAMRoutesTests.picture, 404),
            ("/v1/cam/model/efficientnet-lite0", "text/plain", Array("hello".utf8), 415),
            ("/v1/cam", "application/json", Array("{\"image\": 3".utf8), 400),
            ("/v1/cam", "application/json", Array("{\"image\": \"@@@\", \"activations\": \"AAAA\"}".utf8), 400),
            ("/v1/cam", "text/csv", Array("a,b".utf8), 415),
        ]
    )
    func badInputsGetTheRightProblem(path: String, type: String, body: [UInt8], status: Int) async throws {
        let reply = try await server.send(.post, path, headers: ["Content-Type": type], body: body)
        #expect(reply.status == status, "\(reply.text)")
        #expect(reply.header("Content-Type") == "application/problem+json")
    }

    @Test("wrong activation shape is 422 and names the shape") func wrongActivationShapeIs422AndNamesTheShape()
        async throws
    {
        let reply = try await server.post(
            "/v1/cam",
            json: [
                "image": Data(Self.picture).base64EncodedString(),
                "activations": ["shape": [2, 3], "data": [1, 2, 3, 4, 5, 6]],
            ]
        )
        #expect(reply.status == 422)
        #expect((try reply.json()["detail"] as? String ?? "").contains("[2, 3]"))
    }

    @Test("bodies over the limit are 413") func bodiesOverTheLimitAre413() async throws {
        let small = try TestServer(models: try ServerFixtures.smallModels()) { $0.maxBodyBytes = 4096 }
        let declared = try await small.send(
            .post,
            "/v1/cam",
            headers: ["Content-Type": "application/json"],
            body: [UInt8](repeating: 32, count: 10_000)
        )
        #expect(declared.status == 413)
        // Without a Content-Length the limit holds while reading.
        let streamed = try await small.send(
            .post,
            "/v1/cam",
            headers: ["Content-Type": "application/json", "Transfer-Encoding": "chunked"],
            body: [UInt8](repeating: 32, count: 10_000)
        )
        #expect(streamed.status == 413)
    }

    @Test("a body that never finishes arriving is 503 at the timeout")
    func aBodyThatNeverFinishesArrivingIs503AtTheTimeout() async throws {
        let small = try TestServer(models: try ServerFixtures.smallModels()) { $0.requestTimeoutSeconds = 0.3 }
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        continuation.yield(ByteBuffer(string: "{\"image\": \""))  // and then nothing more
        let reply = try await small.send(
            .post,
            "/v1/cam",
            headers: ["Content-Type": "application/json", "Transfer-Encoding": "chunked"],
            stream: stream
        )
        #expect(reply.status == 503)
        #expect(try reply.json()["type"] as? String == "urn:lumen:problem:timeout")
        #expect(reply.header("Retry-After") != nil)
        continuation.finish()
    }

    @Test("images over the pixel budget are 413") func imagesOverThePixelBudgetAre413() async throws {
        let small = try TestServer(models: try ServerFixtures.smallModels()) { $0.maxPixels = 1000 }
        let reply = try await small.post(
            "/v1/cam",
            json: [
                "image": Data(Self.picture).base64EncodedString(),
                "activations": Data(try Fixtures.bytes("cam/c512_7x7.npy")).base64EncodedString(),
            ]
        )
        #expect(reply.status == 413)
    }
}
