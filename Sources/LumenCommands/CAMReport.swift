import Foundation
import LumenCAM

/// What `lumen cam` reports about its run, as JSON and as a one-line summary.
struct CAMReport: Encodable {
    struct Map: Encodable {
        let batchIndex: Int
        let component: Int
        let output: String
        let layers: [LayerStatistics]

        init(map: CAMMap, output: String) {
            batchIndex = map.batchIndex
            component = map.component
            self.output = output
            layers = map.layers
        }

        enum CodingKeys: String, CodingKey {
            case batchIndex = "batch_index"
            case component, output, layers
        }
    }

    let image: String
    let width: Int
    let height: Int
    let centered: Bool
    let colormap: String
    let alpha: Float
    let maps: [Map]
    let elapsedMilliseconds: Double

    enum CodingKeys: String, CodingKey {
        case image, width, height, centered, colormap, alpha, maps
        case elapsedMilliseconds = "elapsed_ms"
        case lumenVersion = "lumen_version"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(image, forKey: .image)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(centered, forKey: .centered)
        try c.encode(colormap, forKey: .colormap)
        try c.encode(alpha, forKey: .alpha)
        try c.encode(maps, forKey: .maps)
        try c.encode((elapsedMilliseconds * 10).rounded() / 10, forKey: .elapsedMilliseconds)
        try c.encode(LumenVersion.string, forKey: .lumenVersion)
    }

    func jsonText() throws -> String { try JSONOutput.text(self) + "\n" }

    /// One line: what was written and how much of the layer the heatmap explains.
    var summary: String {
        let first = maps[0]
        let layerText = first.layers.map { l in
            let evr = String(format: "%.1f%%", l.explainedVarianceRatio * 100)
            let nan = l.nonFiniteCount > 0 ? ", \(l.nonFiniteCount) non-finite set to 0" : ""
            return
                "\(l.layer) \(l.channels)x\(l.height)x\(l.width) explains \(evr)\(l.flipped ? ", sign flipped" : "")\(nan)"
        }.joined(separator: "; ")
        let more = maps.count > 1 ? " (+\(maps.count - 1) more maps)" : ""
        return
            "wrote \(first.output)\(more) \(width)x\(height): \(layerText) [\(String(format: "%.1f", elapsedMilliseconds)) ms]"
    }
}
