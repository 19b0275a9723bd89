import LumenImaging
import LumenNumerics

/// Why an EigenCAM request was refused.
public enum CAMError: Error, Equatable, CustomStringConvertible {
    /// The activations are not (C,H,W), (1,C,H,W) or (N,C,H,W), or have an empty axis.
    case badActivationShape([Int])
    /// More components were asked for than the layer has.
    case tooManyComponents(requested: Int, available: Int)
    /// Layers to be averaged disagree on batch size.
    case batchMismatch([Int])
    /// No layers were given.
    case noLayers
    /// The linear algebra failed.
    case numerics(NumericsError)
    /// A map or resize step refused its input.
    case imaging(ImagingError)

    public var description: String {
        switch self {
        case .badActivationShape(let shape):
            "activations must have shape (C,H,W), (1,C,H,W) or (N,C,H,W) with no empty axis, got \(shape)"
        case .tooManyComponents(let requested, let available):
            "asked for \(requested) components but the layer has at most \(available) (min of channels and pixels)"
        case .batchMismatch(let sizes): "layers have different batch sizes \(sizes)"
        case .noLayers: "no activation layers given"
        case .numerics(let detail): "numerical failure: \(detail)"
        case .imaging(let error): error.description
        }
    }
}
