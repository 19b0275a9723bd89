import ArgumentParser
import LumenCommands

// Exit status: 0 success; 1 an error (`lumen drift`: 1 means drift and 2 an error); 64 a usage error (an unknown
// command or option, a missing or invalid option), each reported as one `Error:` line.
let arguments = Array(CommandLine.arguments.dropFirst())
if let problem = CommandLinePreflight.problem(in: arguments) {
    FileHandleOutput.standardError("Error: " + problem)
    Lumen.exit(withError: ExitCode(64))
}
do {
    var command = try Lumen.parseAsRoot(arguments)
    if try await !Lumen.runAsync(command) { try command.run() }
} catch {
    let code = Lumen.exitCode(for: error)
    if error is ExitCode || code == .success {
        Lumen.exit(withError: error)  // --help, --version, or a chosen status
    }
    let message = Lumen.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    if code == .validationFailure {
        let path = CommandLinePreflight.commandPath(of: arguments)
        FileHandleOutput.standardError("Error: \(message) (see '\(path) --help')")
        Lumen.exit(withError: ExitCode(64))
    }
    FileHandleOutput.standardError("Error: " + message)
    Lumen.exit(withError: ExitCode(arguments.first == "drift" ? 2 : 1))
}
