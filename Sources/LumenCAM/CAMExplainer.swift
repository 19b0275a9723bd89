import LumenImaging

/// Statistics a reviewer needs to judge one layer's contribution to a heatmap.
public struct LayerStatistics: Sendable, Codable, Equatable {
    /// Layer (tensor or file) name.
    public let layer: String
    /// Channels, rows and columns of the layer's feature map.
    public let channels: Int, height: Int, width: Int
    /// σ_k² / Σσ² of the component drawn.
    public let explainedVarianceRatio: Double
    /// Whether the sign rule negated the raw component.
    public let flipped: Bool
    /// Which branch of the sign rule decided.
    public let signRule: SignRule
    /// Projection extrema before ReLU and normalisation.
    public let rawMin: Float, rawMax: Float
    /// NaN or infinite activations replaced by 0.
    public let nonFiniteCount: Int

    enum CodingKeys: String, CodingKey {
        case layer, channels, height, width, flipped
        case explainedVarianceRatio = "explained_variance_ratio"
        case signRule = "sign_rule"
        case rawMin = "raw_min"
        case rawMax = "raw_max"
        case nonFiniteCount = "non_finite_count"
    }
}

/// One finished heatmap: for one input of the batch and one principal component, averaged over
/// the given layers.
public struct CAMMap: Sendable {
    /// Index of the input in the batch.
    public let batchIndex: Int
    /// 0 for the leading component, 1 for the next, …
    public let component: Int
    /// Heatmap in [0, 1] at the requested resolution.
    public let heatmap: FloatMap
    /// Per-layer statistics, in the order the layers were given.
    public let layers: [LayerStatistics]

    public init(batchIndex: Int, component: Int, heatmap: FloatMap, layers: [LayerStatistics]) {
        self.batchIndex = batchIndex
        self.component = component
        self.heatmap = heatmap
        self.layers = layers
    }
}

/// A named layer of activations, as given by the caller.
public struct NamedActivations: Sendable {
    /// Shown in statistics.
    public let name: String
    /// The activations.
    public let batch: ActivationBatch

    public init(name: String, batch: ActivationBatch) {
        self.name = name
        self.batch = batch
    }
}

/// Runs EigenCAM over one or more layers and produces heatmaps at image resolution.
public struct CAMExplainer: Sendable {
    /// Projection settings.
    public var eigenCAM: EigenCAM

    public init(eigenCAM: EigenCAM = EigenCAM()) {
        self.eigenCAM = eigenCAM
    }

    /// Heatmaps for every (input, component) pair, each `width × height`.
    public func explain(_ layers: [NamedActivations], width: Int, height: Int) throws(CAMError) -> [CAMMap] {
        guard let first = layers.first else { throw .noLayers }
        let sizes = layers.map(\.batch.count)
        guard sizes.allSatisfy({ $0 == first.batch.count }) else { throw .batchMismatch(sizes) }
        let projections = try layers.map { (layer: NamedActivations) throws(CAMError) -> [LayerProjection] in
            try eigenCAM.project(layer.batch)
        }
        var maps: [CAMMap] = []
        for n in 0..<first.batch.count {
            for k in 0..<eigenCAM.components {
                var perLayer: [FloatMap] = []
                var stats: [LayerStatistics] = []
                for (l, layer) in layers.enumerated() {
                    let projection = projections[l][n]
                    let component = projection.components[k]
                    perLayer.append(component.map)
                    stats.append(
                        LayerStatistics(
                            layer: layer.name,
                            channels: layer.batch.channels,
                            height: layer.batch.height,
                            width: layer.batch.width,
                            explainedVarianceRatio: component.explainedVarianceRatio,
                            flipped: component.flipped,
                            signRule: component.signRule,
                            rawMin: component.rawMin,
                            rawMax: component.rawMax,
                            nonFiniteCount: projection.nonFiniteCount
                        )
                    )
                }
                let heatmap = try CAMHeatmap.combine(perLayer, width: width, height: height)
                maps.append(CAMMap(batchIndex: n, component: k, heatmap: heatmap, layers: stats))
            }
        }
        return maps
    }
}
