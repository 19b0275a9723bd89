#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks, before any model is loaded, that the server will be able to listen where it is told to: binds a socket
/// to the address (with SO_REUSEADDR, as the server does) and closes it again.
public enum PortProbe {
    public static func ensureAvailable(host: String, port: Int) throws(ServerError) {
        guard port != 0 else { return }  // the system picks a free port
        guard (1...65_535).contains(port) else {
            throw .address(host: host, port: port, reason: "a port is 1…65535 (or 0 for any free one)")
        }
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw .address(host: host, port: port, reason: "'\(host)' is not an address of this machine")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { return }  // cannot probe: let the server report what happens
        defer { close(fd) }
        var yes: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 else { return }
        switch errno {
        case EADDRINUSE:
            throw .address(
                host: host,
                port: port,
                reason: "the address is already in use (another lumen serve?); choose another with --port"
            )
        case EACCES: throw .address(host: host, port: port, reason: "ports below 1024 need privileges")
        case EADDRNOTAVAIL:
            throw .address(host: host, port: port, reason: "'\(host)' is not an address of this machine")
        default: throw .address(host: host, port: port, reason: String(cString: strerror(errno)))
        }
    }
}
