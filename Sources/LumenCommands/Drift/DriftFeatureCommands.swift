import ArgumentParser
import Foundation
import LumenDrift
import LumenRecs

/// `lumen drift features`.
struct DriftFeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Per-feature drift between two CSV files (or profiles), with a data-set verdict."
    )

    @Option(help: "Reference CSV or profile.") var reference: String
    @Option(help: "Current CSV or profile.") var current: String
    @Option(help: "Comma-separated columns to compare (default: all).") var columns: String?
    @Option(
        help: """
            Force a test: ks, wasserstein, psi, jensen_shannon, chi_squared, z_test (numeric); chi_squared, z_test, \
            cramers_v, psi, jensen_shannon (categorical); one name, or a numeric and a categorical one as ks,chi_squared. \
            Features of a kind not named keep the default (Evidently's choice).
            """
    ) var test: DriftTestChoice?
    @Option(help: "Fewer rows than this on a side give 'insufficient data', not a verdict.") var minRows: Int =
        ColumnComparison.minimumRows
    @Option(help: "Multiple-testing correction for p-value tests (bh: Benjamini–Hochberg).") var correction:
        MultipleTesting =
            .none
    @Option(help: "Share of drifted features that makes the data set drifted.") var shareThreshold: Double = 0.5
    @OptionGroup var reading: CSVReadOptions
    @OptionGroup var output: ReportOptions

    func run() throws {
        let wanted = columns?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let csv = try reading.csv
        let (ref, cur) = try ProfileSource.pair(reference, current, columns: wanted, csv: csv)
        guard minRows >= 1 else { throw ValidationError("--min-rows must be at least 1") }
        let features = try DriftAnalysis.features(
            ref,
            cur,
            tests: test ?? .automatic,
            correction: correction,
            minimumRows: minRows
        )
        try output.finish(
            DriftReport(
                kind: .features,
                reference: reference,
                current: current,
                features: features,
                shareThreshold: shareThreshold
            )
        )
    }
}

/// `lumen drift predictions`.
struct DriftPredictionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predictions",
        abstract: "Drift of a model's predictions (one CSV column) between two files or profiles."
    )

    @Option(help: "Reference CSV or profile.") var reference: String
    @Option(help: "Current CSV or profile.") var current: String
    @Option(help: "Prediction column (default: the last column).") var column: String?
    @Option(help: "Force a test (see `lumen drift features --help`).") var test: DriftTestChoice?
    @OptionGroup var reading: CSVReadOptions
    @OptionGroup var output: ReportOptions

    func run() throws {
        let csv = try reading.csv
        var name = column
        if name == nil, !ReferenceProfile.isProfile(URL(fileURLWithPath: reference)) {
            name = try CSVTable.load(URL(fileURLWithPath: reference), options: csv).header.last
        }
        let wanted = name.map { [$0] }
        let (ref, cur) = try ProfileSource.pair(reference, current, columns: wanted, csv: csv)
        let features = try DriftAnalysis.features(ref, cur, tests: test ?? .automatic)
        try output.finish(
            DriftReport(
                kind: .predictions,
                reference: reference,
                current: current,
                features: features,
                shareThreshold: 1
            )
        )
    }
}

/// `lumen drift profile`: `create` (the default) or `merge`.
struct DriftProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Store a reference as statistics in one file, or merge the profiles of partitions.",
        subcommands: [DriftProfileCreateCommand.self, DriftProfileMergeCommand.self],
        defaultSubcommand: DriftProfileCreateCommand.self
    )
}

/// `lumen drift profile merge`.
struct DriftProfileMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge feature profiles of partitions (shards profiled in parallel) into the profile of their union."
    )

    @Argument(help: "Profiles to merge (.json), made with the same columns.") var profiles: [String]
    @Option(help: "Merged profile to write (.json).") var out: String

    func run() throws {
        guard profiles.count >= 2 else { throw ValidationError("give at least two profiles to merge") }
        let parts = try profiles.map { try ReferenceProfile.load(URL(fileURLWithPath: $0)) }
        let merged = try ReferenceProfile.merged(parts, source: profiles.joined(separator: " + "))
        try merged.write(to: URL(fileURLWithPath: out))
        print(
            "merged \(parts.count) profiles: \(merged.columns.count) column(s), \(merged.columns.first?.count ?? 0) rows, to \(out)"
        )
    }
}

/// `lumen drift profile create` (the default of `lumen drift profile`).
struct DriftProfileCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract:
            "Store a reference as statistics (moments, quantiles, buckets, a quantile sketch, category counts) in one file."
    )

    @Option(help: "CSV of features or predictions.") var features: String?
    @Option(help: "Folder of PNG/JPEG images.") var images: String?
    @Option(help: "Latent factors: a .npy matrix (rows × factors) or a Lumen EMF model (its user factors).")
    var factors: String?
    @Option(help: "Pixels sampled per image (0 = all).") var samplePixels: Int = 10_000
    @Option(help: "Comma-separated columns (CSV only).") var columns: String?
    @Option(help: "Profile file to write (.json).") var out: String
    @Option(
        help: """
            CSV only: also keep N values per numeric column (sorted, drawn independently per column, never whole \
            rows). Default: statistics and a quantile sketch only.
            """
    ) var keepSample: Int = 0
    @OptionGroup var reading: CSVReadOptions

    func validate() throws {
        guard keepSample >= 0 else { throw ValidationError("--keep-sample must be 0 or more") }
        guard [features, images, factors].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --features, --images or --factors")
        }
    }

    func run() throws {
        let profile: ReferenceProfile
        if let features {
            let wanted = columns?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            profile = ReferenceProfile(
                kind: .features,
                source: features,
                columns: try CSVTable.load(URL(fileURLWithPath: features), options: try reading.csv).profiles(
                    columns: wanted,
                    sampleCapacity: keepSample
                )
            )
        } else if let factors {
            let matrix: SampleMatrix
            if factors.hasSuffix(".safetensors") {
                let model = try EMFModelFile.load(URL(fileURLWithPath: factors))
                matrix = try SampleMatrix(
                    rows: model.users.count,
                    cols: model.hyperparameters.factors,
                    values: model.userFactors.map(Double.init)
                )
            } else {
                matrix = try FactorFile.load(factors)
            }
            profile = try ReferenceProfile.factors(matrix, source: factors)
        } else {
            let scan = try ImageFolderScan.scan(
                URL(fileURLWithPath: images!),
                samplePixels: samplePixels > 0 ? samplePixels : nil
            )
            profile = try DriftAnalysis.profile(scan, source: images!)
            if !scan.skipped.isEmpty {
                print(
                    "skipped \(scan.skipped.count) unreadable image(s): \(scan.skipped.map(\.file).joined(separator: ", "))"
                )
            }
        }
        try profile.write(to: URL(fileURLWithPath: out))
        print(
            "wrote \(profile.kind) profile of \(profile.columns.count) column(s) from \(profile.columns.first?.count ?? 0) rows to \(out)"
        )
    }
}

extension DriftTestChoice: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}

/// `--correction none|bonferroni|bh`.
extension MultipleTesting: ExpressibleByArgument {}
