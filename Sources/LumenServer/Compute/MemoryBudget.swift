import Foundation
import LumenIO
import Synchronization

/// Bytes that in-flight heavy work may hold at once. A request states its estimated peak before
/// it decodes anything; one that alone exceeds the budget is refused (413), one that would
/// overfill it now waits for no one and gets 503 with Retry-After, so a burst of huge images
/// cannot take the process past the machine's memory.
public final class MemoryBudget: Sendable {
    /// The budget in bytes.
    public let capacity: Int
    private let used = Atomic<Int>(0)

    public init(bytes: Int) { capacity = max(1, bytes) }

    /// Half the machine's physical memory (12 GB on a 24 GB machine).
    public static var defaultBytes: Int { Int(ProcessInfo.processInfo.physicalMemory / 2) }

    /// Bytes reserved now.
    public var inUse: Int { used.load(ordering: .relaxed) }

    /// Runs `work` with `bytes` reserved.
    public func withReservation<T>(_ bytes: Int, for what: String, _ work: () async throws -> T) async throws -> T {
        guard bytes <= capacity else {
            throw Problem.tooLarge(
                "\(what) would need about \(Self.format(bytes)) of memory; the server's budget is \(Self.format(capacity))"
            )
        }
        let now = used.add(bytes, ordering: .acquiringAndReleasing).newValue
        defer { used.subtract(bytes, ordering: .acquiringAndReleasing) }
        guard now <= capacity else {
            throw Problem.overloaded(
                "the memory budget for requests in flight (\(Self.format(capacity))) is taken; retry shortly"
            )
        }
        return try await work()
    }

    /// Peak bytes of explaining one image of `pixels` pixels: the encoded bytes aside, the
    /// decoded RGB (3) and its copy (3), the float heatmap resized to the image (4), the blended
    /// overlay (3) and the PNG encoder's rows and output (≈ 8) — 21 bytes per pixel, rounded up
    /// to 24 (measured: 2.1 GB RSS for a 90 MP image before this budget).
    public static func imagePeak(pixels: Int) -> Int { pixels.multipliedReportingOverflow(by: 24).partialValue }

    /// The header-declared size of an upload, checked against the pixel budget before decoding.
    public static func checkedHeader(_ data: [UInt8], maxPixels: Int, name: String = "the image") throws -> ImageHeader?
    {
        guard let header = ImageHeader(data) else { return nil }  // the decoder reports what is wrong
        let (pixels, overflow) = header.width.multipliedReportingOverflow(by: header.height)
        guard !overflow, pixels <= maxPixels else {
            throw Problem.tooLarge(
                "\(name) is \(header.width)×\(header.height) (\(pixels / 1_000_000) MP); the server takes at most \(maxPixels / 1_000_000) MP (max_pixels \(maxPixels))"
            )
        }
        return header
    }

    static func format(_ bytes: Int) -> String {
        bytes >= 1 << 30
            ? String(format: "%.1f GiB", Double(bytes) / Double(1 << 30))
            : String(format: "%.0f MiB", Double(bytes) / Double(1 << 20))
    }
}
