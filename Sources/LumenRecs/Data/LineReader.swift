import Foundation

/// Iterates over the lines of a byte buffer with 1-based line numbers.
struct LineReader {
    let bytes: [UInt8]
    var position = 0
    var number = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func next() -> (Int, ArraySlice<UInt8>)? {
        guard position < bytes.count else { return nil }
        let start = position
        while position < bytes.count, bytes[position] != 0x0A { position += 1 }
        let line = bytes[start..<position]
        position += 1
        number += 1
        return (number, line)
    }

    func peekFirstNonEmpty() -> (Int, ArraySlice<UInt8>)? {
        var copy = self
        while let (n, line) = copy.next() {
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { return (n, line) }
        }
        return nil
    }
}

/// Fast decimal parsing from ASCII bytes.
enum Number {
    static func parseDouble(_ field: ArraySlice<UInt8>) -> Double? {
        var s = field
        while let f = s.first, f == 0x20 || f == 0x22 { s.removeFirst() }
        while let l = s.last, l == 0x20 || l == 0x22 || l == 0x0D { s.removeLast() }
        guard !s.isEmpty else { return nil }
        var negative = false
        if s.first == 0x2D {
            negative = true
            s.removeFirst()
        } else if s.first == 0x2B {
            s.removeFirst()
        }
        var value = 0.0
        var scale = 1.0
        var seenDot = false
        var digits = 0
        for b in s {
            if b >= 0x30 && b <= 0x39 {
                digits += 1
                if seenDot {
                    scale /= 10
                    value += Double(b - 0x30) * scale
                } else {
                    value = value * 10 + Double(b - 0x30)
                }
            } else if b == 0x2E && !seenDot {
                seenDot = true
            } else {
                // Exponents and anything unusual: defer to the standard parser.
                return Double(String(decoding: field, as: UTF8.self).trimmingCharacters(in: .whitespaces))
            }
        }
        guard digits > 0 else { return nil }
        return negative ? -value : value
    }
}
