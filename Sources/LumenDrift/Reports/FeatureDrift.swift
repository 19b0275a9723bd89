/// The result for one feature, with what a plot needs.
public struct FeatureDrift: Sendable, Codable, Equatable {
    public var name: String
    public var kind: ColumnProfile.Kind
    /// The test that decides (chosen automatically unless overridden).
    public var result: DriftResult
    /// Every statistic computed, for the report.
    public var statistics: [DriftResult]
    /// Bin labels (numeric: bin ranges or, for few-valued features, the values; categorical: categories).
    public var bins: [String]
    public var referenceShare: [Double]
    public var currentShare: [Double]
    /// Rows with a value on each side.
    public var referenceCount: Int
    public var currentCount: Int
    /// Rows the tests used on each side: fewer than the counts only when a side is a profile that keeps a sample.
    public var referenceTested: Int
    public var currentTested: Int
    /// True when a side has fewer rows than the stated minimum: the statistics are shown, but no verdict is drawn
    /// (`result.drifted` is false and the feature does not count towards the data-set share).
    public var insufficientData: Bool
    /// Items most responsible (images outside the reference's 1–99 % range, most extreme first).
    public var responsible: [String]
    /// The files behind `responsible`, in the same order (for thumbnails).
    public var responsibleFiles: [String] = []

    public init(
        name: String,
        kind: ColumnProfile.Kind,
        result: DriftResult,
        statistics: [DriftResult],
        bins: [String],
        referenceShare: [Double],
        currentShare: [Double],
        referenceCount: Int,
        currentCount: Int,
        referenceTested: Int? = nil,
        currentTested: Int? = nil,
        insufficientData: Bool = false,
        responsible: [String]
    ) {
        self.name = name
        self.kind = kind
        self.result = result
        self.statistics = statistics
        self.bins = bins
        self.referenceShare = referenceShare
        self.currentShare = currentShare
        self.referenceCount = referenceCount
        self.currentCount = currentCount
        self.referenceTested = referenceTested ?? referenceCount
        self.currentTested = currentTested ?? currentCount
        self.insufficientData = insufficientData
        self.responsible = responsible
        if insufficientData { self.result.drifted = false }
    }

    /// True when a test ran on a sample of a side rather than on all its rows.
    public var sampled: Bool { referenceTested < referenceCount || currentTested < currentCount }

    enum CodingKeys: String, CodingKey {
        case name, kind, result, statistics, bins, responsible, sampled
        case responsibleFiles = "responsible_files"
        case referenceShare = "reference_share"
        case currentShare = "current_share"
        case referenceCount = "reference_count"
        case currentCount = "current_count"
        case referenceTested = "reference_tested"
        case currentTested = "current_tested"
        case insufficientData = "insufficient_data"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        kind = try c.decode(ColumnProfile.Kind.self, forKey: .kind)
        result = try c.decode(DriftResult.self, forKey: .result)
        statistics = try c.decode([DriftResult].self, forKey: .statistics)
        bins = try c.decode([String].self, forKey: .bins)
        referenceShare = try c.decode([Double].self, forKey: .referenceShare)
        currentShare = try c.decode([Double].self, forKey: .currentShare)
        referenceCount = try c.decode(Int.self, forKey: .referenceCount)
        currentCount = try c.decode(Int.self, forKey: .currentCount)
        referenceTested = try c.decodeIfPresent(Int.self, forKey: .referenceTested) ?? referenceCount
        currentTested = try c.decodeIfPresent(Int.self, forKey: .currentTested) ?? currentCount
        insufficientData = try c.decodeIfPresent(Bool.self, forKey: .insufficientData) ?? false
        responsible = try c.decode([String].self, forKey: .responsible)
        responsibleFiles = try c.decodeIfPresent([String].self, forKey: .responsibleFiles) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        try c.encode(result, forKey: .result)
        try c.encode(statistics, forKey: .statistics)
        try c.encode(bins, forKey: .bins)
        try c.encode(referenceShare, forKey: .referenceShare)
        try c.encode(currentShare, forKey: .currentShare)
        try c.encode(referenceCount, forKey: .referenceCount)
        try c.encode(currentCount, forKey: .currentCount)
        try c.encode(referenceTested, forKey: .referenceTested)
        try c.encode(currentTested, forKey: .currentTested)
        try c.encode(insufficientData, forKey: .insufficientData)
        try c.encode(sampled, forKey: .sampled)
        try c.encode(responsible, forKey: .responsible)
        try c.encode(responsibleFiles, forKey: .responsibleFiles)
    }
}
