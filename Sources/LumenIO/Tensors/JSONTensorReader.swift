import Foundation

/// Reads tensors written as JSON: either `{"shape": [C, H, W], "data": [flat values]}` or a
/// nested array whose depth gives the rank. `null` stands for NaN.
public enum JSONTensorReader {
    /// Parses JSON bytes.
    public static func read(_ bytes: [UInt8]) throws(TensorError) -> Tensor {
        func fail(_ detail: String) -> TensorError { .malformedHeader(format: "JSON tensor", detail: detail) }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw fail("not valid JSON")
        }
        if let dict = object as? [String: Any] {
            guard let shapeAny = dict["shape"] as? [Any], let data = dict["data"] as? [Any] else {
                throw fail("expected an object with 'shape' and 'data' arrays")
            }
            let shape = try shapeAny.map { (v: Any) throws(TensorError) -> Int in
                guard let n = v as? Int else { throw fail("shape entries must be integers") }
                return n
            }
            return try Tensor(shape: shape, values: try data.map(number))
        }
        guard let array = object as? [Any] else { throw fail("expected an array or an object") }
        var shape: [Int] = []
        var level: [Any] = array
        while true {
            shape.append(level.count)
            guard let first = level.first as? [Any] else { break }
            level = first
        }
        var values: [Float] = []
        try flatten(array, depth: 0, shape: shape, into: &values)
        return try Tensor(shape: shape, values: values)
    }

    private static func number(_ v: Any) throws(TensorError) -> Float {
        if v is NSNull { return .nan }
        if let n = v as? NSNumber, String(cString: n.objCType) != "c" { return n.floatValue }
        throw .malformedHeader(format: "JSON tensor", detail: "non-numeric value in data")
    }

    private static func flatten(
        _ array: [Any],
        depth: Int,
        shape: [Int],
        into values: inout [Float]
    ) throws(TensorError) {
        guard array.count == shape[depth] else {
            throw .malformedHeader(format: "JSON tensor", detail: "ragged nested arrays at depth \(depth)")
        }
        if depth == shape.count - 1 {
            for v in array { values.append(try number(v)) }
            return
        }
        for element in array {
            guard let inner = element as? [Any] else {
                throw .malformedHeader(format: "JSON tensor", detail: "ragged nested arrays at depth \(depth + 1)")
            }
            try flatten(inner, depth: depth + 1, shape: shape, into: &values)
        }
    }
}
