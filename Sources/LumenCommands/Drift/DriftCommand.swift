import ArgumentParser
import Foundation
import LumenDrift
import LumenIO
import LumenNumerics

/// `lumen drift`: did the data move, what moved, and how much.
struct DriftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Detect drift in features, predictions, images and recommender latent factors.",
        discussion: """
            Exit status: 0 no drift, 1 drift, 2 error — so it fits cron jobs and CI.
            Keep the reference as statistics with `lumen drift profile`; every comparison accepts a profile \
            or raw data on either side.
            """,
        subcommands: [
            DriftProfileCommand.self, DriftFeaturesCommand.self, DriftPredictionsCommand.self, DriftImagesCommand.self,
            DriftLatentCommand.self,
        ]
    )
}

/// Where reports go.
struct ReportOptions: ParsableArguments {
    @Option(help: "Write the JSON report here.") var json: String?
    @Option(help: "Write the HTML report here.") var html: String?

    /// Writes the reports, prints the summary, and signals drift through the exit status.
    func finish(_ report: DriftReport, thumbnails: () -> [String: String] = { [:] }) throws {
        if let json { try AtomicFile.write(text: try report.jsonText(), to: URL(fileURLWithPath: json)) }
        if let html {
            try AtomicFile.write(
                text: HTMLReport.render(report, thumbnails: thumbnails()),
                to: URL(fileURLWithPath: html)
            )
        }
        print(report.summary)
        if report.drifted { throw ExitCode(1) }
    }
}

/// How the CSV files of a drift command are read.
struct CSVReadOptions: ParsableArguments {
    @Option(help: "CSV field delimiter: one character, or 'tab'.") var delimiter: String = ","
    @Option(
        help: "Comma-separated cells that mean a missing value (give an empty string to have none but the empty cell)."
    ) var naValues: String = CSVOptions.defaultMissingValues.joined(separator: ",")

    var csv: CSVOptions {
        get throws {
            let d = delimiter == "tab" ? "\t" : delimiter
            guard d.utf8.count == 1, let byte = d.utf8.first, byte != UInt8(ascii: "\""), byte != 10, byte != 13 else {
                throw ValidationError("--delimiter must be one ASCII character other than a quote or a line break")
            }
            let missing = naValues.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            return CSVOptions(delimiter: byte, missingValues: missing + [""])
        }
    }
}

/// Loads either a saved profile or raw data (CSV) as a profile.
enum ProfileSource {
    /// The reference and the current side, read side by side (each is independent of the other).
    static func pair(
        _ reference: String,
        _ current: String,
        columns: [String]?,
        csv: CSVOptions
    ) throws -> (ReferenceProfile, ReferenceProfile) {
        let sides = Parallel.map(2) { k in
            Result { try features(k == 0 ? reference : current, columns: columns, csv: csv) }
        }
        return (try sides[0].get(), try sides[1].get())
    }

    /// Raw data keeps every value (tests on it use all rows); a saved profile is what it holds.
    static func features(_ path: String, columns: [String]?, csv: CSVOptions = CSVOptions()) throws -> ReferenceProfile
    {
        let url = URL(fileURLWithPath: path)
        if ReferenceProfile.isProfile(url) {
            var profile = try ReferenceProfile.load(url)
            if let columns { profile.columns = profile.columns.filter { columns.contains($0.name) } }
            return profile
        }
        return ReferenceProfile(
            kind: .features,
            source: path,
            columns: try CSVTable.load(url, options: csv).profiles(
                columns: columns,
                sampleCapacity: .max,
                sketch: false
            )
        )
    }
}
