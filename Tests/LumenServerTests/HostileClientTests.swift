import Foundation
import LumenTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

#if canImport(Glibc)
import Glibc
#endif

/// A raw TCP client on loopback, for clients that do not behave.
struct RawConnection {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(result == 0, "connect failed: \(errno)")
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer {
            Glibc.send(fd, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL))
        }
    }

    /// Whether the server has closed the connection, waiting up to `seconds` (data is drained).
    func closedByServer(within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { return true }
        }
        return false
    }

    /// Everything the server sends until it closes the connection (or `seconds` pass).
    func receiveAll(within seconds: Double) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var all: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { all.append(contentsOf: buffer[0..<n]) }
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { break }
        }
        return String(decoding: all, as: UTF8.self)
    }

    func close() { _ = Glibc.close(fd) }
}

@Suite("lumen serve against hostile clients", .serialized)
struct HostileClientTests {
    static func start(_ extra: [String]) throws -> LiveServer {
        try LiveServer(
            models: try ServerFixtures.smallModels(),
            audit: try Fixtures.temporaryDirectory().appendingPathComponent("a.jsonl").path,
            extra: extra
        )
    }

    @Test("idle sockets and slowly trickled request heads are closed after the idle timeout", .timeLimit(.minutes(1)))
    func idleAndSlowHeadersAreClosed() async throws {
        let live = try Self.start(["--idle-timeout", "1"])
        defer {
            live.process.terminate()
            live.process.waitUntilExit()
        }
        let idle = try RawConnection(port: live.port)
        defer { idle.close() }
        #expect(!idle.closedByServer(within: 0.5), "closed before the timeout")
        #expect(idle.closedByServer(within: 2), "an idle connection outlived the 1 s idle timeout")
        let slow = try RawConnection(port: live.port)
        defer { slow.close() }
        slow.send("GET /healthz HTTP/1.1\r\nHost: x\r\n")
        var closed = false
        for k in 0..<12 where !closed {
            slow.send("X-Slow-\(k): y\r\n")  // a header line every 0.25 s, never the blank line
            closed = slow.closedByServer(within: 0.25)
        }
        #expect(closed, "a request head trickled for 3 s was not cut off")
        #expect(try await live.get("/healthz").0 == 200)
    }

    @Test(
        "past the connection cap the longest-idle connections make room, so a real client still gets in",
        .timeLimit(.minutes(1))
    )
    func connectionCap() async throws {
        let live = try Self.start(["--max-connections", "4", "--idle-timeout", "30"])
        defer {
            live.process.terminate()
            live.process.waitUntilExit()
        }
        let held = try (0..<10).map { _ in try RawConnection(port: live.port) }
        let closed = held.map { $0.closedByServer(within: 0.3) }
        #expect(closed.filter { $0 }.count >= 6, "\(closed) with a cap of 4")
        // (Which six is not asserted: connections on different event loops are set up in any order.)
        // While silent sockets fill the cap, a client with a request is still answered, well before
        // the 30 s idle timeout would free a place. (3 s, not 1 s: under the parallel suite on a
        // loaded 2-core VM one answer took 1.13 s; a refusing cap fails the 200 check at once.)
        for _ in 0..<3 {
            let started = Date()
            #expect(try await live.get("/healthz").0 == 200)
            #expect(Date().timeIntervalSince(started) < 3)
        }
        for c in held { c.close() }
    }

    @Test(
        "requests the HTTP parser refuses get problem+json, a request id and a metric",
        .timeLimit(.minutes(1)),
        arguments: [
            ("GARBAGE\r\n\r\n", 400),
            ("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 200_000) + "\r\n\r\n", 431),
            ("POST /v1/feedback HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            ("POST /v1/feedback HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
        ]
    )
    func parserRejections(request: String, status: Int) async throws {
        let live = try Self.start([])
        defer {
            live.process.terminate()
            live.process.waitUntilExit()
        }
        let client = try RawConnection(port: live.port)
        defer { client.close() }
        client.send(request)
        let reply = client.receiveAll(within: 3)
        #expect(reply.hasPrefix("HTTP/1.1 \(status) "), "\(reply.prefix(200))")
        #expect(reply.lowercased().contains("content-type: application/problem+json"))
        let body = try #require(reply.range(of: "\r\n\r\n").map { String(reply[$0.upperBound...]) })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(json["status"] as? Int == status)
        #expect((json["request_id"] as? String ?? "").hasPrefix("req-"))
        #expect(!(json["detail"] as? String ?? "").isEmpty)
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(live.port)/metrics")!)
        let metrics = String(decoding: data, as: UTF8.self)
        #expect(metrics.contains("route=\"(unparsed)\"") && metrics.contains("status=\"\(status)\""))
        #expect(try await live.get("/healthz").0 == 200)
    }
}
