import Foundation
import LumenCAM
import LumenIO
import LumenImaging
import LumenNumerics

/// Explains a folder of images with one model for review: an annotated overlay and a thumbnail
/// per image under the output folder, and `results.jsonl` / `results.csv` saying what each
/// image got. Images run several at a time (`jobs`), each on its share of the cores; an image
/// that cannot be read is a failed record, not the end of the batch. Resumable: an image whose
/// record says it was done by the same model file and options, and is unchanged since, is
/// skipped.
public struct ReviewBatch: Sendable {
    /// What every image is explained with.
    public struct Options: Sendable {
        public var layer: String?
        public var top: Int
        public var centered: Bool
        public var overlay: Overlay
        public var perBox: Bool
        public var annotate: Bool
        /// Also score each map's faithfulness (extra forward passes).
        public var metrics: Bool
        public var maxPixels: Int
        /// The longer side of a thumbnail.
        public var thumbnailSize: Int

        public init(
            layer: String? = nil,
            top: Int = 5,
            centered: Bool = true,
            overlay: Overlay,
            perBox: Bool = false,
            annotate: Bool = true,
            metrics: Bool = false,
            maxPixels: Int = ImageDecoder.defaultMaxPixels,
            thumbnailSize: Int = 240
        ) {
            self.layer = layer
            self.top = top
            self.centered = centered
            self.overlay = overlay
            self.perBox = perBox
            self.annotate = annotate
            self.metrics = metrics
            self.maxPixels = maxPixels
            self.thumbnailSize = thumbnailSize
        }

        /// Everything that changes an image's outputs, hashed.
        var fingerprint: String {
            let parts = [
                "layer=\(layer ?? "-")", "top=\(top)", "centered=\(centered)", "colormap=\(overlay.colormap.rawValue)",
                "alpha=\(overlay.heatmapWeight)", "blend=\(overlay.blend.rawValue)", "per_box=\(perBox)",
                "annotate=\(annotate)", "metrics=\(metrics)", "thumbnail=\(thumbnailSize)",
            ]
            return String(SHA256.hex(parts.joined(separator: ";")).prefix(16))
        }
    }

    /// How far a batch is.
    public struct Progress: Sendable {
        public let done: Int
        public let total: Int
        public let failed: Int
        public let skipped: Int
    }

    /// What a batch did: every image's record in batch order, and the counts.
    public struct Summary: Sendable {
        public let records: [ReviewRecord]
        public let explained: Int
        public let skipped: Int
        public let failed: Int
        public let seconds: Double
    }

    public let explainer: ModelExplainer
    /// SHA-256 of the model file.
    public let modelDigest: String
    public let options: Options
    /// The output folder.
    public let output: URL

    /// Loads `model` (and its sidecar) for a batch writing into `output`.
    public init(model: URL, options: Options, output: URL) throws {
        let bytes: [UInt8]
        do { bytes = try [UInt8](Data(contentsOf: model)) } catch {
            throw ExplainError.batchIO(path: model.path, reason: "cannot read the model")
        }
        explainer = try ModelExplainer(model: model, bytes: bytes)
        modelDigest = SHA256.hex(bytes)
        self.options = options
        self.output = output
    }

    public var manifestURL: URL { output.appendingPathComponent("results.jsonl") }

    /// Runs the batch over `images` with `jobs` images at a time (1…64).
    public func run(
        _ images: [ReviewImage],
        jobs: Int = Parallel.machineWorkers,
        progress: @Sendable (Progress) -> Void = { _ in }
    ) throws -> Summary {
        let started = Date()
        try makeFolder(output)
        let previous = ReviewManifest.load(manifestURL)
        let fingerprint = options.fingerprint
        var records = [ReviewRecord?](repeating: nil, count: images.count)
        var pending: [Int] = []
        for (i, image) in images.enumerated() {
            if let r = previous[image.url.path], isDone(r, image: image, fingerprint: fingerprint) {
                records[i] = r
            } else {
                pending.append(i)
            }
        }
        let skipped = images.count - pending.count
        let log = try ManifestAppender(manifestURL)
        defer { ManifestAppender.close(log) }
        let state = BatchState(records: records, skipped: skipped, total: images.count)
        progress(state.progress)
        let jobs = max(1, min(jobs, 64, max(1, pending.count)))
        let kernelWorkers = max(1, Parallel.machineWorkers / jobs)
        let (batch, work) = (self, pending)
        DispatchQueue.concurrentPerform(iterations: jobs) { _ in
            Parallel.withWorkers(kernelWorkers) {
                while let i = state.next(from: work) {
                    do {
                        let record = try batch.explainAndWrite(images[i], fingerprint: fingerprint)
                        try log.append(record)
                        state.finish(i, record, report: progress)
                    } catch {
                        state.abort(error)
                    }
                }
            }
        }
        if let failure = state.failure { throw failure }
        let final = state.records.compactMap { $0 }
        try ReviewManifest.write(final, to: manifestURL)
        try AtomicFile.write(text: ReviewManifest.csv(final), to: output.appendingPathComponent("results.csv"))
        let failed = final.filter { $0.status == .failed }.count
        return Summary(
            records: final,
            explained: pending.count,
            skipped: skipped,
            failed: failed,
            seconds: Date().timeIntervalSince(started)
        )
    }

    func isDone(_ r: ReviewRecord, image: ReviewImage, fingerprint: String) -> Bool {
        guard r.status == .ok, r.model == modelDigest, r.options == fingerprint, r.imageStamp == image.stamp,
            let overlay = r.overlay, let thumbnail = r.thumbnail
        else { return false }
        let manager = FileManager.default
        return manager.fileExists(atPath: output.appendingPathComponent(overlay).path)
            && manager.fileExists(atPath: output.appendingPathComponent(thumbnail).path)
    }

    func makeFolder(_ url: URL) throws {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw ExplainError.batchIO(path: url.path, reason: "cannot create the folder")
        }
    }
}
