import LumenIO
import LumenImaging

extension CAMExplainer {
    /// The one pipeline behind `lumen cam --activations` and `POST /v1/cam`: explain `layers` at
    /// the picture's resolution and blend each map on it, PNG-encoded, in the maps' order.
    public func render(
        _ layers: [NamedActivations],
        on picture: RGBImage,
        overlay: Overlay
    ) throws -> [(map: CAMMap, png: [UInt8])] {
        let maps = try explain(layers, width: picture.width, height: picture.height)
        let encoder = PNGEncoder()
        return try maps.map { map in (map, try encoder.encode(try overlay.apply(map.heatmap, on: picture))) }
    }
}
