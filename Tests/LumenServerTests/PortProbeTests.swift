import Glibc
import LumenServer
import Testing

@Suite("Port probe")
struct PortProbeTests {
    /// A socket listening on a free loopback port, and that port.
    static func listener() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(bound == 0 && listen(fd, 4) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test("a port another process listens on is refused by address before anything loads; a free one passes")
    func takenPortIsReported() throws {
        let (fd, port) = try Self.listener()
        #expect(
            throws: ServerError.address(
                host: "127.0.0.1",
                port: port,
                reason: "the address is already in use (another lumen serve?); choose another with --port"
            )
        ) {
            try PortProbe.ensureAvailable(host: "127.0.0.1", port: port)
        }
        close(fd)
        try PortProbe.ensureAvailable(host: "127.0.0.1", port: port)
        try PortProbe.ensureAvailable(host: "127.0.0.1", port: 0)
        #expect(throws: ServerError.self) { try PortProbe.ensureAvailable(host: "127.0.0.1", port: 70_000) }
        #expect(throws: ServerError.self) { try PortProbe.ensureAvailable(host: "not-an-address.invalid", port: 8080) }
    }
}
