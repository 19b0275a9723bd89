/// Why a recommender request was refused.
public enum RecsError: Error, Equatable, CustomStringConvertible {
    /// A ratings or metadata line that does not parse; `line` is 1-based.
    case malformedLine(path: String, line: Int, reason: String)
    /// No ratings at all (after parsing or after a split).
    case emptyData(String)
    /// The user is not in the model.
    case unknownUser(String)
    /// The item is not in the model.
    case unknownItem(String)
    /// An option out of its range.
    case invalidOption(String)
    /// A model file that is not a Lumen EMF model, or is damaged.
    case badModelFile(String)
    /// Training blew up (factors grew without bound).
    case diverged(epoch: Int, rmse: Double)
    /// Factors, biases or id lists from another system that do not fit together.
    case importMismatch(source: String, reason: String)
    /// The ratings file format could not be recognised.
    case unknownFormat(path: String)
    /// An item metadata file that does not describe these items, and why.
    case badMetadata(path: String, reason: String)

    public var description: String {
        switch self {
        case .malformedLine(let path, let line, let reason): "\(path):\(line): \(reason)"
        case .emptyData(let detail): "no ratings: \(detail)"
        case .unknownUser(let id): "unknown user '\(id)' (not in the model's training data)"
        case .unknownItem(let id): "unknown item '\(id)' (not in the model's training data)"
        case .invalidOption(let detail): detail
        case .badModelFile(let detail): "not a usable Lumen EMF model: \(detail)"
        case .diverged(let epoch, let rmse):
            "training diverged at epoch \(epoch) (train RMSE \(rmse)); lower λ or the learning rate, or raise the regularisation"
        case .importMismatch(let source, let reason): "\(source): \(reason)"
        case .badMetadata(let path, let reason): "\(path): not item metadata for these ratings: \(reason)"
        case .unknownFormat(let path):
            "\(path): unrecognised ratings format (expected MovieLens u.data, ML-1M '::', ratings.csv with a header, or RecBole .inter)"
        }
    }
}
