import ArgumentParser
import Foundation
import LumenDrift
import LumenIO
import LumenRecs
import LumenRecsDrift

/// `lumen drift images`.
struct DriftImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images",
        abstract:
            "Drift of image properties (brightness, contrast, colour, size) between two folders or a profile and a folder."
    )

    @Option(help: "Reference folder or profile.") var reference: String
    @Option(help: "Current folder or profile.") var current: String
    @Option(help: "Pixels sampled per image (0 = all).") var samplePixels: Int = 10_000
    @OptionGroup var output: ReportOptions

    func run() throws {
        let pixels = samplePixels > 0 ? samplePixels : nil
        let refURL = URL(fileURLWithPath: reference)
        let profile: ReferenceProfile
        var skipped: [SkippedImage] = []
        if ReferenceProfile.isProfile(refURL) {
            profile = try ReferenceProfile.load(refURL)
        } else {
            let scan = try ImageFolderScan.scan(refURL, samplePixels: pixels)
            skipped = scan.skipped.map { SkippedImage(file: "reference/" + $0.file, reason: $0.reason) }
            profile = try DriftAnalysis.profile(scan, source: reference)
        }
        let curURL = URL(fileURLWithPath: current)
        var report: DriftReport
        if ReferenceProfile.isProfile(curURL) {
            report = try DriftAnalysis.images(profile, try ReferenceProfile.load(curURL))
        } else {
            report = try DriftAnalysis.images(
                profile,
                current: ImageFolderScan.scan(curURL, samplePixels: pixels),
                source: current
            )
        }
        report.skipped = skipped + report.skipped
        let shown = report.features.flatMap(\.responsibleFiles)
        try output.finish(report) {
            ReferenceProfile.isProfile(curURL) ? [:] : ImageThumbnail.dataURIs(files: shown, in: curURL)
        }
    }
}

/// `lumen drift latent`.
struct DriftLatentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latent",
        abstract:
            "Drift of recommender latent factors: production users folded into a model, or items across a retrain (Procrustes-aligned)."
    )

    @Option(help: "Reference factor matrix (.npy, rows × factors) or latent profile (.json).") var referenceFactors:
        String?
    @Option(help: "Current factor matrix (.npy).") var currentFactors: String?
    @Flag(help: "Rows correspond on both sides: align the current factors by orthogonal Procrustes first.") var align =
        false
    @Option(help: "Model whose users are the reference (with --current-ratings).") var model: String?
    @Option(help: "Recent ratings of production users (any format `lumen recs` reads).") var currentRatings: String?
    @Option(help: "Model before a retrain (with --new-model).") var oldModel: String?
    @Option(help: "Model after the retrain.") var newModel: String?
    @Option(help: "MMD permutations.") var permutations: Int = 100
    @Option(
        help:
            "Retrains of the old model's data with other seeds that calibrate the retrain check (0: aligned MMD only)."
    ) var calibrationSeeds: Int = 2
    @OptionGroup var output: ReportOptions

    func validate() throws {
        let users = model != nil && currentRatings != nil
        let items = oldModel != nil && newModel != nil
        let matrices = referenceFactors != nil && currentFactors != nil
        guard [users, items, matrices].filter({ $0 }).count == 1 else {
            throw ValidationError(
                "give one of: --model with --current-ratings, --old-model with --new-model, or --reference-factors with --current-factors"
            )
        }
    }

    func run() throws {
        let test = MultivariateDrift(mmd: MMDTest(permutations: permutations))
        let latent: LatentDriftReport
        let reference: String
        let current: String
        if let referenceFactors, let currentFactors {
            latent = try LatentDrift.factors(
                try FactorFile.load(referenceFactors),
                try FactorFile.load(currentFactors),
                aligned: align,
                test: test
            )
            (reference, current) = (referenceFactors, currentFactors)
        } else if let model, let currentRatings {
            let m = try EMFModelFile.load(URL(fileURLWithPath: model))
            let data = try RatingsLoader.load(ratings: URL(fileURLWithPath: currentRatings))
            latent = try RecommenderDrift.users(m, current: data, test: test)
            (reference, current) = (model, currentRatings)
        } else {
            let old = try EMFModelFile.load(URL(fileURLWithPath: oldModel!))
            let new = try EMFModelFile.load(URL(fileURLWithPath: newModel!))
            guard (0...16).contains(calibrationSeeds) else { throw ValidationError("--calibration-seeds must be 0…16") }
            latent = try RecommenderDrift.items(
                old: old,
                new: new,
                test: test,
                calibrationSeeds: (0..<calibrationSeeds).map { 1_001 + UInt64($0) }
            )
            (reference, current) = (oldModel!, newModel!)
        }
        try output.finish(DriftReport.latent(latent, reference: reference, current: current))
    }
}

/// Factor matrices from .npy files.
enum FactorFile {
    /// A factor matrix from .npy, or the joint sample kept in a latent profile (.json).
    static func load(_ path: String) throws -> SampleMatrix {
        let url = URL(fileURLWithPath: path)
        if ReferenceProfile.isProfile(url) { return try ReferenceProfile.load(url).jointSample() }
        let tensor = try LumenIO.TensorFile.load(URL(fileURLWithPath: path))
        guard tensor.shape.count == 2 else {
            throw DriftError.dimensionMismatch("\(path) has shape \(tensor.shape); expected rows × factors")
        }
        return try SampleMatrix(rows: tensor.shape[0], cols: tensor.shape[1], values: tensor.values.map(Double.init))
    }
}
