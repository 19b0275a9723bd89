import Hummingbird
import Logging
import NIOCore

/// Per-request state carried through Lumen's middleware and handlers.
public struct LumenRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Echoed as `X-Request-Id` and in every log line and problem document.
    public var requestID: String = ""
    /// Set by the authentication middleware.
    public var caller: Caller = .anonymous
    /// Peer address, for the access log.
    public let remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Lumen reads bodies itself against the configured limit.
    public var maxUploadSize: Int { Int.max }
}
