import Foundation

/// Whole-file reads with a size limit and errors that name the file.
public enum FileBytes {
    /// Reads `url`, refusing files larger than `limit` bytes.
    public static func read(_ url: URL, limit: Int) throws(FileError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw .unreadable(path: url.path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .unreadable(path: url.path, reason: "is a directory") }
        if let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int, size > limit {
            throw .tooLarge(path: url.path, bytes: size, limit: limit)
        }
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            throw .unreadable(path: url.path, reason: "permission denied or I/O error")
        }
    }
}
