import Foundation
import LumenIO
import LumenNumerics

/// Image properties of every PNG/JPEG in a folder, decoded on all cores. Unreadable images are
/// skipped and listed, never fatal.
public struct ImageFolderScan: Sendable {
    /// File names (relative to the folder) that were read.
    public let files: [String]
    /// Properties, one per file.
    public let properties: [ImageProperties]
    /// Files that could not be decoded, with the reason.
    public let skipped: [SkippedImage]

    /// Scans `folder` (not recursively).
    public static func scan(
        _ folder: URL,
        samplePixels: Int? = 10_000,
        maxPixels: Int = ImageDecoder.defaultMaxPixels
    ) throws(DriftError) -> ImageFolderScan {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { ["png", "jpg", "jpeg"].contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
        } catch {
            throw .badInput("cannot list images in \(folder.path)")
        }
        guard !names.isEmpty else { throw .emptySample("no .png/.jpg/.jpeg files in \(folder.path)") }
        let decoder = ImageDecoder(maxPixels: maxPixels)
        return try scan(names: names, source: folder.path, samplePixels: samplePixels) { k in
            try decoder.decode(contentsOf: folder.appendingPathComponent(names[k]))
        }
    }

    /// Scans encoded images held in memory (named for the report), e.g. an upload.
    public static func scan(
        encoded images: [(name: String, bytes: [UInt8])],
        samplePixels: Int? = 10_000,
        maxPixels: Int = ImageDecoder.defaultMaxPixels
    ) throws(DriftError) -> ImageFolderScan {
        guard !images.isEmpty else { throw .emptySample("no images given") }
        let decoder = ImageDecoder(maxPixels: maxPixels)
        return try scan(names: images.map(\.name), source: "the upload", samplePixels: samplePixels) { k in
            try decoder.decode(images[k].bytes)
        }
    }

    private static func scan(
        names: [String],
        source: String,
        samplePixels: Int?,
        decode: @Sendable (Int) throws -> RGBImage
    ) throws(DriftError) -> ImageFolderScan {
        let results = Parallel.map(names.count) { k -> Result<ImageProperties, SkippedImage> in
            do {
                return .success(ImageProperties(try decode(k), samplePixels: samplePixels, seed: UInt64(k)))
            } catch {
                return .failure(SkippedImage(file: names[k], reason: "\(error)"))
            }
        }
        var files: [String] = []
        var properties: [ImageProperties] = []
        var skipped: [SkippedImage] = []
        for (name, result) in zip(names, results) {
            switch result {
            case .success(let p):
                files.append(name)
                properties.append(p)
            case .failure(let s): skipped.append(s)
            }
        }
        guard !properties.isEmpty else {
            throw .emptySample("none of the \(names.count) images in \(source) could be read")
        }
        return ImageFolderScan(files: files, properties: properties, skipped: skipped)
    }

    /// Values of one property across the folder.
    public func values(of property: Int) -> [Double] { properties.map { $0.values[property] } }
}

/// An image that was skipped.
public struct SkippedImage: Error, Sendable, Codable, Equatable {
    public let file: String
    public let reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }
}
