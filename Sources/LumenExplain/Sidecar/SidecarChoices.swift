/// What a model does with an image.
public enum ModelTask: String, Sendable, Codable, CaseIterable {
    /// Class scores for the whole image.
    case classify
    /// YOLOv8-style boxes: [1, 4 + classes, anchors].
    case detect
}

/// How an image is fitted to the model's input size.
public enum ResizeMode: String, Sendable, Codable, CaseIterable {
    /// Resized to width × height, whatever the aspect ratio.
    case stretch
    /// Fitted inside, centred, and padded with `pad_value`.
    case letterbox
}

/// The order of the colour channels the model expects.
public enum ChannelOrder: String, Sendable, Codable, CaseIterable {
    case rgb = "RGB"
    case bgr = "BGR"
}

/// What a classifier's output holds.
public enum OutputKind: String, Sendable, Codable, CaseIterable {
    /// Unnormalised scores (softmax applied by Lumen).
    case logits
    /// Probabilities already.
    case probabilities
}

extension ModelSidecar {
    /// The closed sets of choices a sidecar's text fields must come from, by key path: checked on
    /// the raw JSON before decoding, so a wrong value is named with what is allowed.
    static let choices: [(path: [String], allowed: [String])] = [
        (["task"], ModelTask.allCases.map(\.rawValue)),
        (["input", "resize"], ResizeMode.allCases.map(\.rawValue)),
        (["input", "channel_order"], ChannelOrder.allCases.map(\.rawValue)),
        (["output_kind"], OutputKind.allCases.map(\.rawValue)),
    ]

    /// Refuses a choice field whose value is not one of its allowed values.
    static func checkChoices(_ object: [String: Any], path: String) throws(ExplainError) {
        for (keys, allowed) in choices {
            var node: Any? = object
            for key in keys { node = (node as? [String: Any])?[key] }
            guard let node else { continue }
            let field = keys.joined(separator: ".")
            guard let value = node as? String, allowed.contains(value) else {
                throw .badSidecar(
                    path: path,
                    reason: "\(field) '\(node)' is not supported (\(allowed.joined(separator: " or ")))"
                )
            }
        }
    }
}
