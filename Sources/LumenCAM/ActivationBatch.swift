import LumenIO

/// One layer's activations for a batch of N inputs, each C×H×W, float32, C order.
public struct ActivationBatch: Sendable {
    /// Inputs in the batch.
    public let count: Int
    /// Channels.
    public let channels: Int
    /// Rows of the feature map.
    public let height: Int
    /// Columns of the feature map.
    public let width: Int
    /// `count * channels * height * width` values.
    public let values: [Float]

    /// Accepts (C,H,W), (1,C,H,W) and (N,C,H,W) tensors.
    public init(_ tensor: Tensor) throws(CAMError) {
        let shape = tensor.shape
        guard shape.count == 3 || shape.count == 4, shape.allSatisfy({ $0 > 0 }) else {
            throw .badActivationShape(shape)
        }
        let dims = shape.count == 3 ? [1] + shape : shape
        count = dims[0]
        channels = dims[1]
        height = dims[2]
        width = dims[3]
        values = tensor.values
    }

    /// Values of input `n`: `channels` rows of `height * width` values.
    public func slice(_ n: Int) -> ArraySlice<Float> {
        let size = channels * height * width
        return values[(n * size)..<((n + 1) * size)]
    }
}
