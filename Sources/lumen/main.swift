import ArgumentParser
import LumenCommands

// `lumen drift` promises exit status 2 for errors (1 means drift), so errors there are mapped.
let arguments = Array(CommandLine.arguments.dropFirst())
do {
    var command = try Lumen.parseAsRoot(arguments)
    if try await !Lumen.runAsync(command) { try command.run() }
} catch {
    if arguments.first == "drift", !(error is ExitCode), Lumen.exitCode(for: error) != .success {
        FileHandleOutput.standardError("Error: " + Lumen.message(for: error))
        Lumen.exit(withError: ExitCode(2))
    }
    Lumen.exit(withError: error)
}
