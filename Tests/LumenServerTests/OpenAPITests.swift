import Foundation
import HTTPTypes
import Hummingbird
import LumenTestSupport
import Testing

@testable import LumenServer

@Suite("openapi.yaml")
struct OpenAPITests {
    /// "METHOD /path" for every operation under `paths:` (the spec keeps a plain two-space layout).
    static func specOperations() throws -> Set<String> {
        let text = try String(
            contentsOf: ServerFixtures.repository.appendingPathComponent("openapi.yaml"),
            encoding: .utf8
        )
        var operations = Set<String>()
        var inPaths = false
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" {
                inPaths = true
                continue
            }
            guard inPaths else { continue }
            if !line.hasPrefix(" "), !line.isEmpty { break }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                current = String(line.dropFirst(2).dropLast())
                continue
            }
            let methods = ["get", "post", "put", "delete", "patch"]
            if let current, line.hasPrefix("    "), !line.hasPrefix("     "),
                let m = methods.first(where: { line == "    \($0):" })
            {
                operations.insert("\(m.uppercased()) \(current)")
            }
        }
        return operations
    }

    @Test("every route is in the spec and back") func everyRouteIsInTheSpecAndBack() throws {
        let router = LumenServer(services: ServerFixtures.shared.services).makeRouter()
        let routes = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
        let spec = try Self.specOperations()
        #expect(routes.count >= 13)
        #expect(
            routes.subtracting(spec).isEmpty,
            "routes missing from openapi.yaml: \(routes.subtracting(spec).sorted())"
        )
        #expect(spec.subtracting(routes).isEmpty, "spec operations with no route: \(spec.subtracting(routes).sorted())")
    }
}
