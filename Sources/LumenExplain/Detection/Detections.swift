import LumenImaging

/// One detected object, in original-image pixels.
public struct Detection: Sendable, Codable, Equatable {
    public let classIndex: Int
    public let label: String
    public let confidence: Float
    public let x0: Float, y0: Float, x1: Float, y1: Float

    enum CodingKeys: String, CodingKey {
        case label, confidence, x0, y0, x1, y1
        case classIndex = "class_index"
    }

    /// Intersection over union with another box.
    public func iou(_ other: Detection) -> Float {
        let w = max(0, min(x1, other.x1) - max(x0, other.x0))
        let h = max(0, min(y1, other.y1) - max(y0, other.y0))
        let intersection = w * h
        let union = (x1 - x0) * (y1 - y0) + (other.x1 - other.x0) * (other.y1 - other.y0) - intersection
        return union > 0 ? intersection / union : 0
    }
}

/// How an image was fitted into the model input: scaled by `scale`, then offset by the padding.
public struct Letterbox: Sendable, Equatable {
    public let scale: Float
    public let padX: Float
    public let padY: Float
    public let width: Int
    public let height: Int

    /// Fits an image of `imageWidth × imageHeight` into `inputWidth × inputHeight`, centred.
    public init(imageWidth: Int, imageHeight: Int, inputWidth: Int, inputHeight: Int) {
        scale = min(Float(inputWidth) / Float(imageWidth), Float(inputHeight) / Float(imageHeight))
        width = max(1, Int((Float(imageWidth) * scale).rounded()))
        height = max(1, Int((Float(imageHeight) * scale).rounded()))
        padX = Float(inputWidth - width) / 2
        padY = Float(inputHeight - height) / 2
    }
}

/// Decoding of YOLOv8-style detector outputs ([1, 4 + classes, anchors]: cx, cy, w, h in input
/// pixels, then one score per class) with confidence filtering and per-class non-maximum suppression.
public enum DetectionDecoder {
    public static func decode(
        _ output: [Float],
        shape: [Int],
        labels: [String],
        letterbox: Letterbox,
        imageWidth: Int,
        imageHeight: Int,
        confidence threshold: Float,
        iou: Float,
        maxDetections: Int = 300
    ) throws(ExplainError) -> [Detection] {
        guard shape.count == 3, shape[0] == 1, shape[1] > 4 else {
            throw .badDetectorOutput(shape)
        }
        let rows = shape[1]
        let anchors = shape[2]
        let classes = rows - 4
        var candidates: [Detection] = []
        for a in 0..<anchors {
            var best = 0
            var score = -Float.infinity
            for c in 0..<classes where output[(4 + c) * anchors + a] > score {
                score = output[(4 + c) * anchors + a]
                best = c
            }
            guard score >= threshold else { continue }
            let cx = output[a]
            let cy = output[anchors + a]
            let w = output[2 * anchors + a]
            let h = output[3 * anchors + a]
            func mapX(_ x: Float) -> Float { min(max((x - letterbox.padX) / letterbox.scale, 0), Float(imageWidth)) }
            func mapY(_ y: Float) -> Float { min(max((y - letterbox.padY) / letterbox.scale, 0), Float(imageHeight)) }
            candidates.append(
                Detection(
                    classIndex: best,
                    label: best < labels.count ? labels[best] : "class \(best)",
                    confidence: score,
                    x0: mapX(cx - w / 2),
                    y0: mapY(cy - h / 2),
                    x1: mapX(cx + w / 2),
                    y1: mapY(cy + h / 2)
                )
            )
        }
        return nonMaximumSuppression(candidates, iou: iou, maxDetections: maxDetections)
    }

    /// Greedy NMS per class: highest confidence first, dropping boxes of the same class that
    /// overlap a kept box by more than `iou`.
    public static func nonMaximumSuppression(_ boxes: [Detection], iou: Float, maxDetections: Int = 300) -> [Detection]
    {
        let order = boxes.indices.sorted {
            boxes[$0].confidence > boxes[$1].confidence || (boxes[$0].confidence == boxes[$1].confidence && $0 < $1)
        }
        var kept: [Detection] = []
        for i in order {
            let box = boxes[i]
            if kept.contains(where: { $0.classIndex == box.classIndex && $0.iou(box) > iou }) { continue }
            kept.append(box)
            if kept.count == maxDetections { break }
        }
        return kept
    }

    /// The heatmap renormalised inside each box (zero outside; later boxes overwrite earlier
    /// ones), then min-max normalised once more.
    public static func perBox(_ heatmap: FloatMap, boxes: [Detection]) throws -> FloatMap {
        var out = try FloatMap(
            width: heatmap.width,
            height: heatmap.height,
            values: [Float](repeating: 0, count: heatmap.values.count)
        )
        for box in boxes {
            let xa = Int(box.x0)
            let xb = min(heatmap.width - 1, Int(box.x1))
            let ya = Int(box.y0)
            let yb = min(heatmap.height - 1, Int(box.y1))
            guard xa <= xb, ya <= yb else { continue }
            var lo = Float.infinity
            var hi = -Float.infinity
            for y in ya...yb {
                for x in xa...xb {
                    lo = min(lo, heatmap[x, y])
                    hi = max(hi, heatmap[x, y])
                }
            }
            for y in ya...yb { for x in xa...xb { out[x, y] = (heatmap[x, y] - lo) / (1e-7 + hi - lo) } }
        }
        return out.minMaxNormalized()
    }
}
