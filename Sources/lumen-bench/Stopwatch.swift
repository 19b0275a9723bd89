import Foundation

/// Repeats a piece of work and reports robust timings.
struct Stopwatch {
    /// Median and minimum of the timed runs, in milliseconds.
    struct Result {
        let median: Double
        let minimum: Double
        let runs: Int
    }

    /// Runs `body` `warmup` times untimed, then until `runs` timings or `budget` seconds are spent.
    static func measure(
        warmup: Int = 2,
        runs: Int = 30,
        budget: Double = 3,
        _ body: () throws -> Void
    ) rethrows -> Result {
        for _ in 0..<warmup { try body() }
        var times: [Double] = []
        let deadline = Date().addingTimeInterval(budget)
        while times.count < runs && (times.count < 3 || Date() < deadline) {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        times.sort()
        return Result(median: times[times.count / 2], minimum: times[0], runs: times.count)
    }
}

/// Runs a Python peer script and returns its JSON output, or nil (with a note) when it cannot run.
enum PythonPeer {
    static func run(script: String, arguments: [String]) -> [String: Any]? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        do {
            try process.run()
        } catch {
            print("peer not run: \(error)")
            return nil
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            print("peer not run: \(script) exited with status \(process.terminationStatus)")
            return nil
        }
        return object
    }
}
