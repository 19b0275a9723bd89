import Foundation

/// Debian's Chromium in headless mode, for tests of the HTML Lumen writes (`scripts/setup`
/// installs it). Each run gets its own profile folder, so nothing a page stores survives it.
public enum HeadlessChromium {
    /// The browser's path, or nil when none is installed.
    public static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let candidate = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }()

    public static var available: Bool { executable != nil }

    public enum Failure: Error, CustomStringConvertible {
        case notInstalled
        case exited(Int32, String)
        public var description: String {
            switch self {
            case .notInstalled: "no chromium on PATH (scripts/setup installs it)"
            case .exited(let status, let log): "chromium exited with \(status): \(log.suffix(2000))"
            }
        }
    }

    /// The page's DOM after its scripts ran (up to `budgetMilliseconds` of virtual time). Pages
    /// under file:// may read one another (`--allow-file-access-from-files`), so a harness page
    /// can drive the page under test in an iframe.
    public static func dumpDOM(_ page: URL, budgetMilliseconds: Int = 10_000) throws -> String {
        guard let executable else { throw Failure.notInstalled }
        let profile = try Fixtures.temporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--allow-file-access-from-files",
            "--user-data-dir=\(profile.path)", "--virtual-time-budget=\(budgetMilliseconds)", "--dump-dom",
            page.absoluteString,
        ]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes while it runs so neither fills up.
        nonisolated(unsafe) var errorText = Data()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errorText = err.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        let dom = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        drained.wait()
        guard process.terminationStatus == 0 else {
            throw Failure.exited(process.terminationStatus, String(decoding: errorText, as: UTF8.self))
        }
        return String(decoding: dom, as: UTF8.self)
    }
}
