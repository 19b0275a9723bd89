/// Why the server could not start or reload.
public enum ServerError: Error, Equatable, CustomStringConvertible {
    case configuration(String)
    case tokens(String)
    case models(String)
    case audit(String)
    /// The address to listen on is taken (or may not be used).
    case address(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .configuration(let detail): detail
        case .tokens(let detail): "tokens: \(detail)"
        case .models(let detail): "models: \(detail)"
        case .audit(let detail): "audit log: \(detail)"
        case .address(let host, let port, let reason): "cannot listen on \(host):\(port): \(reason)"
        }
    }

    /// A one-line, actionable reading of a JSON decoding failure.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            let p = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.isEmpty ? "the body" : String(p.drop { $0 == "." })
        }
        switch error {
        case .typeMismatch(let type, let context): return "\(path(context.codingPath)) should be \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)) should be \(typeName(type)), not null"
        case .keyNotFound(let key, let context): return "missing field '\(path(context.codingPath + [key]))'"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "not valid JSON" : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "not valid JSON"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "true or false"
        default: String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
