import LumenNumerics

/// All multivariate views of drift between two samples of vectors.
public struct MultivariateReport: Sendable, Codable, Equatable {
    /// One result per dimension (normed Wasserstein, or KS with p-values corrected as configured).
    public var perDimension: [DriftResult]
    /// Share of dimensions that drifted; drift when > 0.2 (Evidently's "ratio").
    public var driftedShare: Double
    /// Euclidean distance between the mean vectors.
    public var meanDistance: Double
    public var mmd: DriftResult?
    public var domainClassifier: DriftResult?
    public var domainClassifierAUC: Double?
    /// The overall verdict: MMD when run, else the share rule.
    public var drifted: Bool

    enum CodingKeys: String, CodingKey {
        case mmd, drifted
        case perDimension = "per_dimension"
        case driftedShare = "drifted_share"
        case meanDistance = "mean_distance"
        case domainClassifier = "domain_classifier"
        case domainClassifierAUC = "domain_classifier_auc"
    }
}

/// Runs the per-dimension and multivariate tests.
public struct MultivariateDrift: Sendable {
    public var mmd: MMDTest?
    public var classifier: DomainClassifier?
    /// Per-dimension test: "wasserstein" (normed, threshold 0.1) or "ks" (p-values).
    public var perDimensionTest: String
    public var correction: MultipleTesting
    public var alpha: Double
    /// Largest sample passed to MMD / the classifier; larger samples are subsampled (seeded).
    public var maxRows: Int

    public init(
        mmd: MMDTest? = MMDTest(),
        classifier: DomainClassifier? = DomainClassifier(),
        perDimensionTest: String = "wasserstein",
        correction: MultipleTesting = .bonferroni,
        alpha: Double = 0.05,
        maxRows: Int = 2000
    ) {
        self.mmd = mmd
        self.classifier = classifier
        self.perDimensionTest = perDimensionTest
        self.correction = correction
        self.alpha = alpha
        self.maxRows = maxRows
    }

    public func compare(_ reference: SampleMatrix, _ current: SampleMatrix) throws(DriftError) -> MultivariateReport {
        try SampleMatrix.requireSameWidth(reference, current)
        var perDimension: [DriftResult] = []
        for j in 0..<reference.cols {
            let r = reference.column(j)
            let c = current.column(j)
            perDimension.append(
                perDimensionTest == "ks"
                    ? try UnivariateTests.kolmogorovSmirnov(r, c, alpha: alpha)
                    : try UnivariateTests.normedWasserstein(r, c)
            )
        }
        if perDimensionTest == "ks" {
            let flags = correction.significant(perDimension.map { $0.pValue ?? 1 }, alpha: alpha)
            for j in perDimension.indices { perDimension[j].drifted = flags[j] }
        }
        let share = Double(perDimension.filter(\.drifted).count) / Double(perDimension.count)
        let ma = reference.columnMeans
        let mb = current.columnMeans
        let meanDistance = zip(ma, mb).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let a = try subsample(reference, seed: 1)
        let b = try subsample(current, seed: 2)
        let mmdResult = try mmd?.test(a, b)
        let classified = try classifier?.test(a, b)
        return MultivariateReport(
            perDimension: perDimension,
            driftedShare: share,
            meanDistance: meanDistance,
            mmd: mmdResult,
            domainClassifier: classified?.result,
            domainClassifierAUC: classified?.auc,
            drifted: mmdResult?.drifted ?? (share > 0.2)
        )
    }

    func subsample(_ s: SampleMatrix, seed: UInt64) throws(DriftError) -> SampleMatrix {
        guard s.rows > maxRows else { return s }
        var generator = SeededGenerator(seed: seed)
        var rows = Array(0..<s.rows)
        rows.shuffle(using: &generator)
        var values: [Double] = []
        values.reserveCapacity(maxRows * s.cols)
        for r in rows.prefix(maxRows).sorted() { values += s.row(r) }
        return try SampleMatrix(rows: maxRows, cols: s.cols, values: values)
    }
}
