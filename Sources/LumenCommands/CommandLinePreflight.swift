import ArgumentParser
import LumenIO

/// Checks a command line for the mistakes newcomers make before the parser sees it, so the first error reported
/// is the real one: an unknown subcommand (`lumen camm`) or an unknown option (`--mdel`, `--output`), each with the
/// nearest known name. The parser would otherwise report a missing required option, or a validation message that
/// the typo caused, first.
public enum CommandLinePreflight {
    /// A one-line description of the first unknown command or option, or nil when every name is known.
    public static func problem(in arguments: [String]) -> String? {
        var command: ParsableCommand.Type = Lumen.self
        var path = ["lumen"]
        var i = 0
        while i < arguments.count, !arguments[i].hasPrefix("-") {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty else { break }
            let names = subcommands.map { $0._commandName }
            if let k = names.firstIndex(of: arguments[i]) {
                command = subcommands[k]
                path.append(arguments[i])
                i += 1
                continue
            }
            if command.configuration.defaultSubcommand != nil { break }
            let hint = NameSuggestion.nearest(arguments[i], in: names).map { "did you mean '\($0)'? " } ?? ""
            return "unknown command '\(arguments[i])' for '\(path.joined(separator: " "))'; \(hint)"
                + "commands: \(names.joined(separator: ", "))"
        }
        if let fallback = command.configuration.defaultSubcommand, i < arguments.count { command = fallback }
        let known = longOptions(of: command)
        for token in arguments[i...] {
            if token == "--" { break }
            guard token.hasPrefix("--") else { continue }
            let name = String(token.split(separator: "=", maxSplits: 1)[0])
            guard !known.contains(name) else { continue }
            let hint = NameSuggestion.nearest(name, in: known.sorted()).map { "; did you mean '\($0)'?" } ?? ""
            return
                "unknown option '\(name)' for '\(path.joined(separator: " "))'\(hint) (see '\(path.joined(separator: " ")) --help')"
        }
        return nil
    }

    /// The subcommand path the arguments name (`lumen drift features`), for a pointer to its help.
    public static func commandPath(of arguments: [String]) -> String {
        var command: ParsableCommand.Type = Lumen.self
        var path = ["lumen"]
        for token in arguments {
            guard !token.hasPrefix("-"),
                let next = command.configuration.subcommands.first(where: { $0._commandName == token })
            else { break }
            command = next
            path.append(token)
        }
        return path.joined(separator: " ")
    }

    /// The long options a command accepts, read from its own help text (so custom names and inversions count).
    static func longOptions(of command: ParsableCommand.Type) -> Set<String> {
        let help = Lumen.helpMessage(for: command, columns: 1000)
        var names: Set<String> = ["--help", "--version", "--experimental-dump-help"]
        var current = ""
        for c in help + " " {
            if c.isLetter || c.isNumber || c == "-" {
                current.append(c)
            } else {
                if current.hasPrefix("--"), current.count > 2 { names.insert(current) }
                current = ""
            }
        }
        return names
    }
}
