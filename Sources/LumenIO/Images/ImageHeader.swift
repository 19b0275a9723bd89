/// The size an encoded image declares, read from its header without decoding anything, so a
/// caller can check what decoding would cost before any pixel memory is allocated.
public struct ImageHeader: Sendable, Equatable {
    public var format: ImageFormat
    public var width: Int
    public var height: Int

    /// Pixels the decoded image holds.
    public var pixels: Int { width * height }

    /// Reads a PNG's IHDR or a JPEG's first frame header (SOF0…SOF15 but DHT, JPG and DAC);
    /// nil when neither is found in well-formed form.
    public init?(_ data: [UInt8]) {
        guard let format = ImageFormat.sniff(data) else { return nil }
        self.format = format
        switch format {
        case .png:
            // Signature (8), IHDR length (4) and type (4), then width and height big-endian.
            guard data.count >= 24, Array(data[12..<16]) == Array("IHDR".utf8) else { return nil }
            func u32(_ at: Int) -> Int {
                Int(data[at]) << 24 | Int(data[at + 1]) << 16 | Int(data[at + 2]) << 8 | Int(data[at + 3])
            }
            (width, height) = (u32(16), u32(20))
        case .jpeg:
            var at = 2
            var found: (Int, Int)?
            while at + 4 <= data.count, found == nil {
                guard data[at] == 0xFF else { return nil }
                let marker = data[at + 1]
                if marker == 0xFF {  // fill byte
                    at += 1
                    continue
                }
                if marker == 0x01 || (0xD0...0xD7).contains(marker) {  // no length
                    at += 2
                    continue
                }
                let length = Int(data[at + 2]) << 8 | Int(data[at + 3])
                guard length >= 2 else { return nil }
                if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                    guard at + 9 <= data.count else { return nil }
                    let h = Int(data[at + 5]) << 8 | Int(data[at + 6])
                    let w = Int(data[at + 7]) << 8 | Int(data[at + 8])
                    found = (w, h)
                } else if marker == 0xDA {
                    return nil  // scan data before any frame header
                }
                at += 2 + length
            }
            guard let (w, h) = found else { return nil }
            (width, height) = (w, h)
        }
        guard width > 0, height > 0 else { return nil }
    }
}
