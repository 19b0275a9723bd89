import Foundation

extension SHA256 {
    /// Lower-case hex digest of a file's bytes, read in 4 MiB chunks.
    public static func hex(ofFile url: URL) throws(FileError) -> String {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        defer { try? handle.close() }
        var h = SHA256()
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 4 << 20) ?? Data()
            } catch {
                throw .unreadable(path: url.path, reason: error.localizedDescription)
            }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { h.update($0) }
        }
        return h.finalize().map { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }
}
