import ArgumentParser
import Foundation
import LumenCommands
import LumenIO
import Testing

@Suite("Command-line preflight")
struct CommandLinePreflightTests {
    @Test(
        "an unknown command or option is the first thing reported, with the nearest name",
        arguments: [
            (["camm", "--model", "x"], "unknown command 'camm'", "'cam'"),
            (
                ["cam", "--mdel", "m.onnx", "--image", "i.jpg", "--out", "o.png"], "unknown option '--mdel'",
                "'--model'"
            ),
            (["cam", "--model", "m.onnx", "--image", "i.jpg", "--output", "o.png"], "'--output'", "'--out'"),
            (["drift", "featurs", "--reference", "a"], "unknown command 'featurs'", "'features'"),
            (["drift", "features", "--refrence", "a", "--current", "b"], "'--refrence'", "'--reference'"),
            (["recs", "train", "--learning-rat", "0.1"], "'--learning-rat'", "'--learning-rate'"),
        ]
    )
    func reportsTheTypo(arguments: [String], problem: String, suggestion: String) throws {
        let message = try #require(CommandLinePreflight.problem(in: arguments))
        #expect(message.contains(problem) && message.contains("did you mean \(suggestion)"), "\(message)")
        #expect(!message.contains("\n"))
    }

    @Test("known names, values, the default profile subcommand and arguments after -- pass")
    func knownNamesPass() {
        #expect(
            CommandLinePreflight.problem(in: ["cam", "--model", "m.onnx", "--image", "i.jpg", "--out", "o"]) == nil
        )
        #expect(CommandLinePreflight.problem(in: ["drift", "profile", "--features", "f.csv", "--out", "p"]) == nil)
        #expect(CommandLinePreflight.problem(in: ["drift", "profile", "merge", "a", "b", "--out", "m"]) == nil)
        #expect(CommandLinePreflight.problem(in: ["recs", "train", "--no-biases", "--ratings", "r"]) == nil)
        #expect(CommandLinePreflight.problem(in: ["drift", "features", "--test=ks", "--", "--weird"]) == nil)
        #expect(CommandLinePreflight.problem(in: ["--version"]) == nil)
        #expect(CommandLinePreflight.problem(in: []) == nil)
    }

    @Test("suggestions stay near: nothing is offered for an unrelated name")
    func noFarSuggestion() {
        #expect(NameSuggestion.nearest("--zzzzzz", in: ["--model", "--out"]) == nil)
        #expect(NameSuggestion.nearest("--out", in: ["--output", "--model"]) == "--output")
    }

    @Test("every option and argument of every command says what it does in --help")
    func everyOptionHasHelp() {
        var missing: [String] = []
        func visit(_ command: ParsableCommand.Type, path: String) {
            let help = Lumen.helpMessage(for: command, columns: 1000)
            let lines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            // "  --name <value>  description", "  -n <n>, --long", "  --flag/--no-flag", "  <argument>";
            // a long label puts the description on the next, deeper-indented line.
            let label = /^  ((?:-{1,2}[\w-]+(?:\/--[\w-]+)?(?:, )?)+(?: <[^>]+>)?(?: \.\.\.)?|<[^>]+>(?: \.\.\.)?)(.*)$/
            for (k, line) in lines.enumerated() {
                guard let match = line.wholeMatch(of: label) else { continue }
                var description = match.2.trimmingCharacters(in: .whitespaces)
                if description.isEmpty, k + 1 < lines.count, lines[k + 1].hasPrefix("    "),
                    lines[k + 1].wholeMatch(of: label) == nil
                {
                    description = lines[k + 1].trimmingCharacters(in: .whitespaces)
                }
                if description.isEmpty || description.hasPrefix("(default") || description.hasPrefix("(values") {
                    missing.append("\(path) \(match.1)")
                }
            }
            for sub in command.configuration.subcommands { visit(sub, path: path + " " + sub._commandName) }
        }
        visit(Lumen.self, path: "lumen")
        #expect(missing.isEmpty, "options without help: \(missing)")
    }
}
