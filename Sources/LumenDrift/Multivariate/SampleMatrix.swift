/// A sample of `rows` observations with `cols` dimensions, row-major.
public struct SampleMatrix: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    public var values: [Double]

    public init(rows: Int, cols: Int, values: [Double]) throws(DriftError) {
        guard rows > 0 else { throw .emptySample("no rows") }
        guard cols > 0, values.count == rows * cols else {
            throw .dimensionMismatch("\(values.count) values for \(rows)×\(cols)")
        }
        guard values.allSatisfy(\.isFinite) else { throw .nonFinite("matrix contains NaN or infinite values") }
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    /// Column `j` as an array.
    public func column(_ j: Int) -> [Double] { (0..<rows).map { values[$0 * cols + j] } }

    /// Row `i`.
    public func row(_ i: Int) -> ArraySlice<Double> { values[(i * cols)..<((i + 1) * cols)] }

    /// Mean of each column.
    public var columnMeans: [Double] {
        var means = [Double](repeating: 0, count: cols)
        for i in 0..<rows { for j in 0..<cols { means[j] += values[i * cols + j] } }
        return means.map { $0 / Double(rows) }
    }

    /// Checks two samples have the same number of dimensions.
    static func requireSameWidth(_ a: SampleMatrix, _ b: SampleMatrix) throws(DriftError) {
        guard a.cols == b.cols else {
            throw .dimensionMismatch("reference has \(a.cols) dimensions, current \(b.cols)")
        }
    }
}
