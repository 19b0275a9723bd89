import ArgumentParser

/// The `lumen` command: explanations for image models, recommenders and drift.
public struct Lumen: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lumen",
        abstract: "Explain what your models do: EigenCAM heatmaps, recommendation rationales, drift.",
        version: LumenVersion.string,
        subcommands: [
            CAMCommand.self, RecsCommand.self, DriftCommand.self, ModelCommand.self, MonitorCommand.self,
            ServeCommand.self,
        ]
    )

    public init() {}

    /// Runs the commands that need async (`lumen serve`); false for the others. (Calling `run()`
    /// on an `any AsyncParsableCommand` from top-level code picks the synchronous default.)
    public static func runAsync(_ command: ParsableCommand) async throws -> Bool {
        guard let serve = command as? ServeCommand else { return false }
        try await serve.serve()
        return true
    }
}

/// The version reported by the CLI and stored in files Lumen writes.
public enum LumenVersion {
    public static let string = "0.1.0"
}
