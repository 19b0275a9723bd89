import Foundation
import LumenCAM
import LumenIO
import LumenImaging

extension ReviewBatch {
    /// Explains one image and writes its overlay and thumbnail. An image that cannot be read or
    /// explained gives a failed record; only a failure to write the outputs is thrown (it would
    /// fail every image after it too).
    func explainAndWrite(_ image: ReviewImage, fingerprint: String) throws -> ReviewRecord {
        let started = Date()
        var record = ReviewRecord(
            image: image.url.path,
            name: image.name,
            status: .failed,
            predictions: [],
            detections: [],
            elapsedMilliseconds: 0,
            model: modelDigest,
            options: fingerprint,
            imageStamp: image.stamp
        )
        let overlayName = image.name + ".png"
        let thumbnailName = "thumbnails/" + image.name + ".png"
        let outputs: (overlay: [UInt8], thumbnail: [UInt8])
        do {
            let picture = try ImageDecoder(maxPixels: options.maxPixels).decode(contentsOf: image.url)
            let rendered = try explainer.render(
                picture,
                layer: options.layer,
                topK: options.top,
                eigenCAM: EigenCAM(centered: options.centered),
                overlay: options.overlay,
                perBox: options.perBox,
                annotate: options.annotate
            )
            let result = rendered.result
            let thumbnail = rendered.image.topRows(picture.height).thumbnail(
                maxWidth: options.thumbnailSize,
                maxHeight: options.thumbnailSize
            )
            outputs = (rendered.png, try PNGEncoder().encode(thumbnail))
            if options.metrics, let best = result.predictions.first {
                record.faithfulness = try explainer.faithfulness(
                    input: try explainer.preprocess(picture),
                    heatmap: result.map.heatmap,
                    classIndex: best.index
                )
            }
            record.width = picture.width
            record.height = picture.height
            record.predictions = result.predictions
            record.detections = result.detections
            record.label = result.predictions.first?.label ?? result.detections.first?.label
            record.confidence = result.predictions.first?.probability ?? result.detections.first?.confidence
            record.layer = result.layer
            record.explainedVariance = result.map.layers.first?.explainedVarianceRatio
        } catch {
            record.error = "\(error)"
            record.elapsedMilliseconds = Self.milliseconds(since: started)
            return record
        }
        let overlayURL = output.appendingPathComponent(overlayName)
        let thumbnailURL = output.appendingPathComponent(thumbnailName)
        try makeFolder(overlayURL.deletingLastPathComponent())
        try makeFolder(thumbnailURL.deletingLastPathComponent())
        try AtomicFile.write(outputs.overlay, to: overlayURL)
        try AtomicFile.write(outputs.thumbnail, to: thumbnailURL)
        record.status = .ok
        record.overlay = overlayName
        record.thumbnail = thumbnailName
        record.elapsedMilliseconds = Self.milliseconds(since: started)
        return record
    }

    static func milliseconds(since start: Date) -> Double {
        (Date().timeIntervalSince(start) * 10_000).rounded() / 10
    }
}

/// The shared state of a running batch: the next image to take, the records so far, the first
/// fatal error (after which no new image is taken).
final class BatchState: @unchecked Sendable {
    private let lock = NSLock()
    private var cursor = 0
    private(set) var records: [ReviewRecord?]
    private(set) var failure: Error?
    private var done: Int
    private var failed = 0
    private let skipped: Int
    private let total: Int

    init(records: [ReviewRecord?], skipped: Int, total: Int) {
        self.records = records
        self.skipped = skipped
        self.total = total
        done = skipped
    }

    var progress: ReviewBatch.Progress {
        ReviewBatch.Progress(done: done, total: total, failed: failed, skipped: skipped)
    }

    func next(from work: [Int]) -> Int? {
        lock.withLock {
            guard failure == nil, cursor < work.count else { return nil }
            defer { cursor += 1 }
            return work[cursor]
        }
    }

    func finish(_ index: Int, _ record: ReviewRecord, report: (ReviewBatch.Progress) -> Void) {
        lock.withLock {
            records[index] = record
            done += 1
            if record.status == .failed { failed += 1 }
            report(progress)
        }
    }

    func abort(_ error: Error) {
        lock.withLock { if failure == nil { failure = error } }
    }
}

/// Appends records to `results.jsonl` as they finish (one write per line).
final class ManifestAppender: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()
    let url: URL

    init(_ url: URL) throws {
        self.url = url
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw ExplainError.batchIO(path: url.path, reason: "cannot create the manifest")
            }
        }
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw ExplainError.batchIO(path: url.path, reason: "cannot open the manifest for appending")
        }
    }

    func append(_ record: ReviewRecord) throws {
        let line = try ReviewManifest.line(record)
        try lock.withLock {
            do { try handle.write(contentsOf: line) } catch {
                throw ExplainError.batchIO(path: url.path, reason: "cannot append to the manifest")
            }
        }
    }

    static func close(_ appender: ManifestAppender) {
        try? appender.handle.close()
    }
}
