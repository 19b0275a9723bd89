/// Reads NumPy `.npy` files (format versions 1, 2 and 3) holding float16, float32 or float64
/// data in either byte order and either C or Fortran order.
public enum NPYReader {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
    static let maxHeaderLength = 1 << 20

    /// True when `bytes` start with the `.npy` magic string.
    public static func isNPY(_ bytes: some Collection<UInt8>) -> Bool {
        Array(bytes.prefix(6)) == magic
    }

    /// Parses a whole `.npy` file.
    public static func read(_ bytes: [UInt8]) throws(TensorError) -> Tensor {
        func fail(_ detail: String) -> TensorError { .malformedHeader(format: "npy", detail: detail) }
        guard bytes.count >= 10, isNPY(bytes) else { throw fail("missing \\x93NUMPY magic") }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("file ends inside the header length") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw fail("unsupported format version \(major).\(bytes[7])")
        }
        guard headerLength <= maxHeaderLength else { throw fail("header length \(headerLength) is implausible") }
        guard bytes.count >= headerStart + headerLength else { throw fail("file ends inside the header") }
        let headerBytes = bytes[headerStart..<(headerStart + headerLength)]
        guard let text = String(validating: headerBytes, as: UTF8.self) else { throw fail("header is not text") }
        let header = try NPYHeader(parsing: text)

        let count = try Tensor.elementCount(of: header.shape)
        let dataStart = headerStart + headerLength
        let available = bytes.count - dataStart
        let needed = count * header.dtype.byteWidth
        guard available == needed else {
            throw .sizeMismatch(shape: header.shape, expected: count, actual: available / header.dtype.byteWidth)
        }
        let values = bytes.withUnsafeBytes { raw in
            header.dtype.decode(raw, offset: dataStart, count: count, bigEndian: header.bigEndian)
        }
        if header.fortranOrder {
            return try Tensor.fromFortranOrder(shape: header.shape, values: values)
        }
        return try Tensor(shape: header.shape, values: values)
    }
}

/// The Python-literal dictionary at the start of a `.npy` file.
struct NPYHeader {
    var dtype: FloatDType
    var bigEndian: Bool
    var fortranOrder: Bool
    var shape: [Int]

    init(parsing text: String) throws(TensorError) {
        var parser = PythonLiteralParser(text)
        let dict = try parser.parseDictionary()
        func fail(_ detail: String) -> TensorError { .malformedHeader(format: "npy", detail: detail) }
        guard case .string(let descr)? = dict["descr"] else { throw fail("no 'descr' string in header") }
        guard case .bool(let fortran)? = dict["fortran_order"] else { throw fail("no 'fortran_order' flag in header") }
        guard case .tuple(let dims)? = dict["shape"] else { throw fail("no 'shape' tuple in header") }
        guard descr.count >= 3 else { throw .unsupportedDType(format: "npy", dtype: descr) }
        let order = descr.first!
        let kind = descr.dropFirst()
        switch kind {
        case "f2": dtype = .float16
        case "f4": dtype = .float32
        case "f8": dtype = .float64
        default: throw .unsupportedDType(format: "npy", dtype: descr)
        }
        switch order {
        case "<", "|", "=": bigEndian = false
        case ">": bigEndian = true
        default: throw .unsupportedDType(format: "npy", dtype: descr)
        }
        fortranOrder = fortran
        shape = dims
    }
}

/// Just enough of Python's literal syntax for `.npy` headers: a dict of strings, booleans and
/// tuples of integers.
struct PythonLiteralParser {
    enum Value: Equatable {
        case string(String)
        case bool(Bool)
        case tuple([Int])
        case integer(Int)
    }

    private let chars: [Character]
    private var position = 0

    init(_ text: String) { chars = Array(text) }

    private func fail(_ detail: String) -> TensorError {
        .malformedHeader(format: "npy", detail: "\(detail) at header offset \(position)")
    }

    private mutating func skipSpace() {
        while position < chars.count, chars[position].isWhitespace { position += 1 }
    }

    private mutating func expect(_ c: Character) throws(TensorError) {
        skipSpace()
        guard position < chars.count, chars[position] == c else { throw fail("expected '\(c)'") }
        position += 1
    }

    private mutating func peek() -> Character? {
        skipSpace()
        return position < chars.count ? chars[position] : nil
    }

    mutating func parseDictionary() throws(TensorError) -> [String: Value] {
        try expect("{")
        var result: [String: Value] = [:]
        while true {
            if peek() == "}" {
                position += 1
                break
            }
            guard case .string(let key) = try parseValue() else { throw fail("dictionary key is not a string") }
            try expect(":")
            result[key] = try parseValue()
            if peek() == "," {
                position += 1
                continue
            }
            try expect("}")
            break
        }
        return result
    }

    private mutating func parseValue() throws(TensorError) -> Value {
        guard let c = peek() else { throw fail("unexpected end of header") }
        if c == "'" || c == "\"" {
            position += 1
            var s = ""
            while position < chars.count, chars[position] != c {
                s.append(chars[position])
                position += 1
            }
            guard position < chars.count else { throw fail("unterminated string") }
            position += 1
            return .string(s)
        }
        if c == "(" {
            position += 1
            var items: [Int] = []
            while true {
                if peek() == ")" {
                    position += 1
                    break
                }
                guard case .integer(let n) = try parseValue() else { throw fail("shape entry is not an integer") }
                items.append(n)
                if peek() == "," {
                    position += 1
                    continue
                }
                try expect(")")
                break
            }
            return .tuple(items)
        }
        var word = ""
        while position < chars.count, chars[position].isLetter || chars[position].isNumber || chars[position] == "-" {
            word.append(chars[position])
            position += 1
        }
        switch word {
        case "True": return .bool(true)
        case "False": return .bool(false)
        default:
            let digits = word.hasSuffix("L") ? String(word.dropLast()) : word
            guard let n = Int(digits) else { throw fail("unexpected token '\(word)'") }
            return .integer(n)
        }
    }
}
