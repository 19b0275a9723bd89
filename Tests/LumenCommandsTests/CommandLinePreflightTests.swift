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
}
