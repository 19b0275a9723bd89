/// Colour maps from a value in [0, 1] to RGB, as 256-entry lookup tables.
public enum Colormap: String, Sendable, CaseIterable {
    /// OpenCV's `COLORMAP_JET` table (GNU Octave's jet up to rounding), bit-exact with OpenCV.
    case jet
    /// Google's Turbo: a perceptually smoother rainbow.
    case turbo
    /// Perceptually uniform, colour-blind friendly.
    case viridis
    /// Perceptually uniform, black to yellow.
    case inferno

    /// 256 RGB triples, packed (768 bytes).
    public var table: [UInt8] {
        switch self {
        case .jet: ColormapTables.jet
        case .turbo: ColormapTables.turbo
        case .viridis: ColormapTables.viridis
        case .inferno: ColormapTables.inferno
        }
    }

    /// The colour of table entry `index`.
    public func color(at index: UInt8) -> (r: UInt8, g: UInt8, b: UInt8) {
        let t = table
        let i = Int(index) * 3
        return (t[i], t[i + 1], t[i + 2])
    }

    /// The table index the common Python tools use for a value: `uint8(255 * v)`, truncating,
    /// with v clamped to [0, 1] and NaN treated as 0.
    @inline(__always)
    public static func index(of value: Float) -> Int {
        guard value > 0 else { return 0 }
        return value >= 1 ? 255 : Int(255 * value)
    }
}
