import Foundation
import LumenImaging

/// Rendering options shared by both CAM routes (JSON fields, multipart fields or query).
struct CAMOptions: Sendable {
    var colormap: Colormap = .jet
    var alpha: Float = 0.5
    var centered = true

    /// Reads options from string values (multipart fields or query parameters).
    mutating func apply(_ get: (String) -> String?) throws {
        if let v = get("colormap") { try setColormap(v) }
        if let v = get("alpha") {
            guard let a = Float(v) else {
                throw Problem.badRequest("'alpha' must be a number between 0 and 1, got '\(v)'")
            }
            try setAlpha(a)
        }
        if let v = get("centered") {
            switch v.lowercased() {
            case "true", "1": centered = true
            case "false", "0": centered = false
            default: throw Problem.badRequest("'centered' must be true or false, got '\(v)'")
            }
        }
    }

    mutating func setColormap(_ name: String) throws {
        guard let c = Colormap(rawValue: name.lowercased()) else {
            throw Problem.badRequest(
                "unknown colormap '\(name)'; choose \(Colormap.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        colormap = c
    }

    mutating func setAlpha(_ a: Float) throws {
        guard a.isFinite, (0...1).contains(a) else {
            throw Problem.badRequest("'alpha' must be between 0 and 1, got \(a)")
        }
        alpha = a
    }

    var parameters: [String: String] {
        ["colormap": colormap.rawValue, "alpha": String(alpha), "centered": String(centered)]
    }
}
