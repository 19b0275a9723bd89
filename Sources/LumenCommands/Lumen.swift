import ArgumentParser

/// The `lumen` command: explanations for image models, recommenders and drift.
public struct Lumen: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lumen",
        abstract: "Explain what your models do: EigenCAM heatmaps, recommendation rationales, drift.",
        version: LumenVersion.string,
        subcommands: [CAMCommand.self, RecsCommand.self, DriftCommand.self, ModelCommand.self]
    )

    public init() {}
}

/// The version reported by the CLI and stored in files Lumen writes.
public enum LumenVersion {
    public static let string = "0.1.0"
}
