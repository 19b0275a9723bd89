import Foundation

/// Writes a line to standard error.
public enum FileHandleOutput {
    public static func standardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
