import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The resource figures of the server process that Prometheus' process collectors report, read
/// from /proc (Linux): CPU seconds, virtual memory, open and allowed file descriptors. Zero where
/// /proc is unavailable.
struct ProcessStats: Equatable {
    /// User + system CPU time.
    var cpuSeconds: Double = 0
    var virtualBytes: Double = 0
    var openFileDescriptors: Double = 0
    var maxFileDescriptors: Double = 0

    static func read() -> ProcessStats {
        var stats = ProcessStats()
        if let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        {
            // Fields after "(comm)": state is field 3, utime 14, stime 15, vsize 23.
            let fields = text[text.index(after: close)...].split(separator: " ")
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            if fields.count > 20, ticks > 0, let user = Double(fields[11]), let system = Double(fields[12]) {
                stats.cpuSeconds = (user + system) / ticks
                stats.virtualBytes = Double(fields[20]) ?? 0
            }
        }
        stats.openFileDescriptors = Double(
            (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count ?? 0
        )
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { stats.maxFileDescriptors = Double(limit.rlim_cur) }
        return stats
    }
}
