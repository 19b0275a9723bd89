import Foundation

/// One image of a batch review: where it is and the name its outputs take.
public struct ReviewImage: Sendable, Equatable {
    /// The file.
    public let url: URL
    /// Its path relative to the folder or list it came from ("trip/cat.jpg"): unique within the
    /// batch, and the overlay is written as `OUT/<name>.png`.
    public let name: String

    public init(url: URL, name: String) {
        self.url = url
        self.name = name
    }

    /// The file extensions a batch picks up.
    public static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    /// The images a batch source names: a folder's PNG and JPEG files (with `recursive`, those
    /// of its subfolders too; hidden files and anything under `excluding` are skipped), or a
    /// list file with one path per line (relative to the list; blank lines and `#` comments
    /// skipped). In name order for a folder, in line order for a list.
    public static func list(_ source: URL, recursive: Bool, excluding: URL? = nil) throws(ExplainError) -> [ReviewImage]
    {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory) else {
            throw .batchIO(path: source.path, reason: "no such file or folder")
        }
        let images =
            isDirectory.boolValue
            ? try folder(source, recursive: recursive, excluding: excluding) : try listFile(source)
        guard !images.isEmpty else { throw .noImages(source.path) }
        return images
    }

    static func folder(_ root: URL, recursive: Bool, excluding: URL?) throws(ExplainError) -> [ReviewImage] {
        let base = root.standardizedFileURL.resolvingSymlinksInPath().path
        let skip = excluding.map { $0.standardizedFileURL.resolvingSymlinksInPath().path + "/" }
        var options: FileManager.DirectoryEnumerationOptions = [.skipsHiddenFiles]
        if !recursive { options.insert(.skipsSubdirectoryDescendants) }
        guard
            let walker = FileManager.default.enumerator(
                at: URL(fileURLWithPath: base, isDirectory: true),
                includingPropertiesForKeys: [.isRegularFileKey],
                options: options
            )
        else { throw .batchIO(path: root.path, reason: "cannot list the folder") }
        var found: [ReviewImage] = []
        for case let url as URL in walker {
            let path = url.standardizedFileURL.path
            guard extensions.contains(url.pathExtension.lowercased()),
                (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                skip.map({ !(path + "/").hasPrefix($0) }) ?? true,
                path.hasPrefix(base + "/")
            else { continue }
            found.append(ReviewImage(url: url, name: String(path.dropFirst(base.count + 1))))
        }
        return found.sorted { $0.name < $1.name }
    }

    static func listFile(_ list: URL) throws(ExplainError) -> [ReviewImage] {
        let text: String
        do { text = try String(contentsOf: list, encoding: .utf8) } catch {
            throw .batchIO(path: list.path, reason: "cannot read the list (\(error.localizedDescription))")
        }
        let directory = list.deletingLastPathComponent()
        var used: Set<String> = []
        var found: [ReviewImage] = []
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let url = line.hasPrefix("/") ? URL(fileURLWithPath: line) : directory.appendingPathComponent(line)
            // A name inside the output folder: the path as written when it stays below the
            // list's folder, else the file name; repeated names get -2, -3, ….
            let clean = !line.hasPrefix("/") && !line.split(separator: "/").contains("..")
            var name = clean ? line : url.lastPathComponent
            var n = 2
            while used.contains(name) {
                name = "\(url.deletingPathExtension().lastPathComponent)-\(n).\(url.pathExtension)"
                n += 1
            }
            used.insert(name)
            found.append(ReviewImage(url: url, name: name))
        }
        return found
    }

    /// Size and modification time: a changed file is explained again on resume.
    var stamp: String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(size)-\(Int64((modified * 1000).rounded()))"
    }
}
