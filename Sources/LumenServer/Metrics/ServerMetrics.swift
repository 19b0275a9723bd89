import Foundation
import Prometheus
import Synchronization

/// Every Prometheus metric the server exposes, created in one place (the registry refuses the
/// same name with different help or labels). Label values with unbounded range (item ids) are
/// capped: past `itemLabelLimit` distinct items, the rest count as "other".
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let itemLabelLimit: Int

    private struct RequestKey: Hashable { let route: String, method: String, status: Int }
    private struct RequestSeries {
        let count: Counter, duration: DurationHistogram, requestBytes: ValueHistogram, responseBytes: ValueHistogram
    }
    private let series = Mutex<[RequestKey: RequestSeries]>([:])
    private let itemLabels = Mutex<Set<String>>([])
    private let recommendationTallies = Mutex<[String: (served: Int, explainable: Int)]>([:])

    let inFlight: Gauge
    private let rss: Gauge
    private let startTime: Gauge
    private let cpu: Counter
    private let virtualMemory: Gauge
    private let openFDs: Gauge
    private let maxFDs: Gauge
    /// CPU seconds already added to `cpu` (the counter only increments).
    private let cpuCounted = Mutex<Double>(0)
    private let generation: Gauge

    static let latencyBuckets: [Duration] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
    ].map { .milliseconds($0 * 1000) }
    static let sizeBuckets: [Double] = [
        256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864,
    ]
    static let unitBuckets: [Double] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), itemLabelLimit: Int = 200) {
        self.registry = registry
        self.itemLabelLimit = itemLabelLimit
        inFlight = registry.makeGauge(
            descriptor: .lumen("http_requests_in_flight", unit: "", help: "HTTP requests being served now.")
        )
        rss = registry.makeGauge(
            descriptor: .lumen(
                "process_resident_memory",
                unit: "bytes",
                help: "Resident set size of the server process."
            )
        )
        startTime = registry.makeGauge(
            descriptor: .lumen(
                "process_start_time",
                unit: "seconds",
                help: "Start time of the server, seconds since the Unix epoch."
            )
        )
        cpu = registry.makeCounter(
            descriptor: .lumen(
                "process_cpu",
                unit: "seconds_total",
                help: "User and system CPU time of the server process."
            )
        )
        virtualMemory = registry.makeGauge(
            descriptor: .lumen(
                "process_virtual_memory",
                unit: "bytes",
                help: "Virtual memory size of the server process."
            )
        )
        openFDs = registry.makeGauge(
            descriptor: .lumen("process_open_fds", unit: "", help: "File descriptors the server process holds open.")
        )
        maxFDs = registry.makeGauge(
            descriptor: .lumen(
                "process_max_fds",
                unit: "",
                help: "The server process's limit on open file descriptors."
            )
        )
        generation = registry.makeGauge(
            descriptor: .lumen(
                "models_generation",
                unit: "",
                help: "How many times the model set has been loaded (1 at start)."
            )
        )
        startTime.set(to: Date().timeIntervalSince1970)
    }

    // MARK: HTTP

    /// Records one finished request.
    func request(route: String, method: String, status: Int, duration: Duration, requestBytes: Int, responseBytes: Int)
    {
        let key = RequestKey(route: route, method: method, status: status)
        let s = series.withLock { table -> RequestSeries in
            if let s = table[key] { return s }
            let labels = [("route", route), ("method", method), ("status", String(status))]
            let s = RequestSeries(
                count: registry.makeCounter(
                    descriptor: .lumen(
                        "http_requests",
                        unit: "total",
                        help: "HTTP requests by route, method and status."
                    ),
                    labels: labels
                ),
                duration: registry.makeDurationHistogram(
                    descriptor: .lumen(
                        "http_request_duration",
                        unit: "seconds",
                        help: "HTTP request latency by route, method and status."
                    ),
                    labels: labels,
                    buckets: Self.latencyBuckets
                ),
                requestBytes: registry.makeValueHistogram(
                    descriptor: .lumen("http_request_size", unit: "bytes", help: "HTTP request body sizes."),
                    labels: labels,
                    buckets: Self.sizeBuckets
                ),
                responseBytes: registry.makeValueHistogram(
                    descriptor: .lumen("http_response_size", unit: "bytes", help: "HTTP response body sizes."),
                    labels: labels,
                    buckets: Self.sizeBuckets
                )
            )
            table[key] = s
            return s
        }
        s.count.increment()
        s.duration.record(duration)
        s.requestBytes.record(Double(requestBytes))
        s.responseBytes.record(Double(responseBytes))
    }

    // MARK: Domain

    /// A CAM heatmap served: how much of the layer's variance its component explains.
    func camExplained(model: String, varianceRatio: Double) {
        registry.makeValueHistogram(
            descriptor: .lumen(
                "cam_explained_variance",
                unit: "ratio",
                help: "Share of a layer's variance explained by the EigenCAM component."
            ),
            labels: [("model", model)],
            buckets: Self.unitBuckets
        ).record(varianceRatio)
    }

    /// A model prediction served, with its confidence (top class or best box).
    func prediction(model: String, confidence: Double) {
        registry.makeValueHistogram(
            descriptor: .lumen(
                "prediction_confidence",
                unit: "ratio",
                help: "Confidence of the top prediction served."
            ),
            labels: [("model", model)],
            buckets: Self.unitBuckets
        ).record(confidence)
    }

    /// Items recommended (one call per served list) and how many of them had a neighbourhood rationale.
    func recommended(model: String, items: [String], explainable: Int) {
        for item in items {
            let label = itemLabels.withLock { labels -> String in
                if labels.contains(item) { return item }
                if labels.count < itemLabelLimit {
                    labels.insert(item)
                    return item
                }
                return "other"
            }
            registry.makeCounter(
                descriptor: .lumen(
                    "recommended_items",
                    unit: "total",
                    help: "Times each item was recommended (the first distinct items by id; the rest as 'other')."
                ),
                labels: [("model", model), ("item", label)]
            ).increment()
        }
        let total = registry.makeCounter(
            descriptor: .lumen("recommendations", unit: "total", help: "Recommendations served."),
            labels: [("model", model)]
        )
        let explained = registry.makeCounter(
            descriptor: .lumen(
                "recommendations_explainable",
                unit: "total",
                help: "Recommendations served with a neighbourhood rationale."
            ),
            labels: [("model", model)]
        )
        total.increment(by: Int64(items.count))
        explained.increment(by: Int64(explainable))
        let tally = recommendationTallies.withLock { t -> (served: Int, explainable: Int) in
            let old = t[model] ?? (0, 0)
            let new = (served: old.served + items.count, explainable: old.explainable + explainable)
            t[model] = new
            return new
        }
        registry.makeGauge(
            descriptor: .lumen(
                "recommendations_explainable",
                unit: "ratio",
                help: "Share of recommendations served since start that had a rationale."
            ),
            labels: [("model", model)]
        ).set(tally.served == 0 ? 0 : Double(tally.explainable) / Double(tally.served))
    }

    /// Models loaded, by kind, and the load generation.
    func models(recommenders: Int, camModels: Int, references: Int, generation: Int) {
        for (kind, n) in [("recommender", recommenders), ("cam", camModels), ("reference", references)] {
            registry.makeGauge(
                descriptor: .lumen("models_loaded", unit: "", help: "Models loaded, by kind."),
                labels: [("kind", kind)]
            ).set(to: Double(n))
        }
        self.generation.set(to: Double(generation))
    }

    /// A reload attempt.
    func reload(succeeded: Bool) {
        registry.makeCounter(
            descriptor: .lumen("model_reloads", unit: "total", help: "Model reloads, by result."),
            labels: [("result", succeeded ? "success" : "failure")]
        ).increment()
    }

    /// The exposition, with process gauges refreshed.
    func exposition() -> [UInt8] {
        rss.set(to: Double(Self.residentBytes()))
        let process = ProcessStats.read()
        virtualMemory.set(to: process.virtualBytes)
        openFDs.set(to: process.openFileDescriptors)
        maxFDs.set(to: process.maxFileDescriptors)
        let delta = cpuCounted.withLock { counted -> Double in
            let d = max(0, process.cpuSeconds - counted)
            counted += d
            return d
        }
        if delta > 0 { cpu.increment(by: delta) }
        return registry.emitToBuffer()
    }

    /// Resident set size from /proc (0 where unavailable).
    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kb * 1024
        }
        return 0
    }
}

extension MetricNameDescriptor {
    static func lumen(_ name: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "lumen", metricName: name, unitName: unit, helpText: help)
    }
}
