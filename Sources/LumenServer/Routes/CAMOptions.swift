import Foundation
import LumenImaging

/// Rendering options shared by both CAM routes (JSON fields, multipart fields or query).
struct CAMOptions: Sendable {
    var colormap: Colormap = .jet
    var alpha: Float = 0.5
    var centered = true
    var blend: OverlayBlend = .uniform
    /// A caption strip below the overlay; nil: the route's default (on for models).
    var annotate: Bool?

    /// Reads options from string values (multipart fields or query parameters).
    mutating func apply(_ get: (String) -> String?) throws {
        if let v = get("colormap") { try setColormap(v) }
        if let v = get("alpha") {
            guard let a = Float(v) else {
                throw Problem.badRequest("'alpha' must be a number between 0 and 1, got '\(v)'")
            }
            try setAlpha(a)
        }
        if let v = get("centered") { centered = try Self.bool(v, name: "centered") }
        if let v = get("blend") { try setBlend(v) }
        if let v = get("annotate") { annotate = try Self.bool(v, name: "annotate") }
    }

    static func bool(_ v: String, name: String) throws -> Bool {
        switch v.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw Problem.badRequest("'\(name)' must be true or false, got '\(v)'")
        }
    }

    mutating func setBlend(_ name: String) throws {
        guard let b = OverlayBlend(rawValue: name.lowercased()) else {
            throw Problem.badRequest(
                "unknown blend '\(name)'; choose \(OverlayBlend.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        blend = b
    }

    /// The overlay recipe these options describe.
    func overlay() throws -> Overlay { try Overlay(colormap: colormap, heatmapWeight: alpha, blend: blend) }

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
        var p = [
            "colormap": colormap.rawValue, "alpha": String(alpha), "centered": String(centered),
            "blend": blend.rawValue,
        ]
        if let annotate { p["annotate"] = String(annotate) }
        return p
    }
}
