import Foundation
import LumenFuzzTargets

#if !FUZZING
/// Without libFuzzer: `lumen-fuzz replay TARGET FILE…` runs saved inputs through a target (a
/// crash found by `make fuzz` can be re-run under the debugger this way).
@main
struct Replay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard arguments.first == "replay", let name = arguments.dropFirst().first,
            let target = FuzzTarget(rawValue: name)
        else {
            print(
                "usage: lumen-fuzz replay TARGET FILE…   (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
            exit(2)
        }
        for path in arguments.dropFirst(2) {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("Error: cannot read \(path)")
                exit(1)
            }
            target.run([UInt8](data))
        }
        print("\(arguments.count - 2) inputs ran through \(name) without a crash")
    }
}
#endif
