import LumenIO
import LumenImaging

extension CAMExplainer {
    /// The one pipeline behind `lumen cam --activations` and `POST /v1/cam`: explain `layers` at
    /// the picture's resolution and blend each map on it, PNG-encoded, in the maps' order.
    /// With `annotate`, each overlay gets a caption strip below it (``CAMMap/captionLines`` and
    /// the colour bar).
    public func render(
        _ layers: [NamedActivations],
        on picture: RGBImage,
        overlay: Overlay,
        annotate: Bool = false
    ) throws -> [(map: CAMMap, png: [UInt8])] {
        let maps = try explain(layers, width: picture.width, height: picture.height)
        let encoder = PNGEncoder()
        return try maps.map { map in
            var image = try overlay.apply(map.heatmap, on: picture)
            if annotate {
                image = try OverlayCaption(lines: map.captionLines, colormap: overlay.colormap).render(below: image)
            }
            return (map, try encoder.encode(image))
        }
    }
}

extension CAMMap {
    /// What an annotated overlay says about this map: the method and component (and that
    /// EigenCAM does not depend on the class), then each layer with its explained-variance share.
    public var captionLines: [String] {
        var lines = ["EigenCAM PC\(component + 1), class-agnostic (the same map for every class)"]
        for l in layers {
            let share = (l.explainedVarianceRatio * 1000).rounded() / 10
            lines.append("layer \(l.layer) \(l.channels)x\(l.height)x\(l.width) | \(share)% of variance")
        }
        if layers.count > 1 { lines.append("map: mean of \(layers.count) layers") }
        return lines
    }
}
