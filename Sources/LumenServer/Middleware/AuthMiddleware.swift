import Foundation
import HTTPTypes
import Hummingbird

/// Requires a bearer token of at least `role` (when tokens are configured). 401 without a valid
/// token, 403 with a token of too low a role. Tokens never reach a log.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = LumenRequestContext

    let tokens: TokenStore
    let role: Role

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard !tokens.isEmpty else { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw Problem.unauthorized(
                "send 'Authorization: Bearer <token>'; this route needs the \(role) role or higher"
            )
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem.unauthorized("the Authorization header must be 'Bearer <token>'")
        }
        guard let caller = tokens.caller(for: String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            throw Problem.unauthorized("the bearer token is not valid")
        }
        guard caller.role >= role else {
            throw Problem.forbidden("'\(caller.name)' has the \(caller.role) role; this route needs \(role) or higher")
        }
        var context = context
        context.caller = caller
        return try await next(request, context)
    }
}
