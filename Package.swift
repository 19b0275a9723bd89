// swift-tools-version:6.2
import PackageDescription

// LumenKernels holds the convolution kernels, compiled for AVX-512 on x86-64 (and optimised even
// in debug builds, so the test suite runs them at speed). LumenONNX calls them only after
// checking the CPU (CCPUFeatures) and keeps its portable path for every other machine.
#if arch(x86_64)
let kernelFlags: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "skylake-avx512"]), .unsafeFlags(["-O"], .when(configuration: .debug)),
]
#else
let kernelFlags: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]
#endif

let package = Package(
    name: "Lumen",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "lumen", targets: ["lumen"]),
        .executable(name: "lumen-bench", targets: ["lumen-bench"]),
        .library(name: "LumenCAM", targets: ["LumenCAM"]),
        .library(name: "LumenExplain", targets: ["LumenExplain"]),
        .library(name: "LumenRecs", targets: ["LumenRecs"]),
        .library(name: "LumenDrift", targets: ["LumenDrift"]),
        .library(name: "LumenRecsDrift", targets: ["LumenRecsDrift"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // MARK: C libraries (thin system-library targets and one C shim)
        .systemLibrary(
            name: "CPNG",
            path: "Sources/CSystem/CPNG",
            pkgConfig: "libpng16",
            providers: [.apt(["libpng-dev"])]
        ),
        .systemLibrary(
            name: "CJPEG",
            path: "Sources/CSystem/CJPEG",
            pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg62-turbo-dev"])]
        ),
        .systemLibrary(
            name: "COpenBLAS",
            path: "Sources/CSystem/COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .target(name: "CImageCodecs", dependencies: ["CPNG", "CJPEG"]),
        .target(name: "CCPUFeatures", path: "Sources/CSystem/CCPUFeatures"),
        // The ranking trainer's SGD step: AVX-512 / AVX2 / portable paths picked at run time.
        .target(name: "CRankingStep", path: "Sources/CSystem/CRankingStep"),

        // MARK: I/O
        .target(name: "LumenIO", dependencies: ["CImageCodecs"]),
        // MARK: Numerics
        .target(name: "LumenNumerics", dependencies: ["COpenBLAS"]),
        .target(name: "LumenKernels", dependencies: ["LumenNumerics"], swiftSettings: kernelFlags),
        // MARK: Imaging (resize, colour maps, overlays)
        .target(name: "LumenImaging", dependencies: ["LumenIO"]),
        // MARK: Engines
        // EigenCAM itself: pure maths on activations, no runtime (and no unsafe flags).
        .target(name: "LumenCAM", dependencies: ["LumenIO", "LumenNumerics", "LumenImaging"]),
        // Explaining a model through the runtime: sidecars, the explainer, detections and NMS.
        .target(
            name: "LumenExplain",
            dependencies: ["LumenCAM", "LumenIO", "LumenImaging", "LumenKernels", "LumenNumerics", "LumenONNX"]
        ),
        .target(name: "LumenRecs", dependencies: ["CRankingStep", "LumenIO", "LumenNumerics"]),
        .target(
            name: "LumenONNX",
            dependencies: [
                "LumenIO", "LumenNumerics", "LumenKernels", "CCPUFeatures",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(name: "LumenDrift", dependencies: ["LumenIO", "LumenNumerics"]),
        // The EMF side of latent drift (fold-in, shared items, calibration retrains).
        .target(name: "LumenRecsDrift", dependencies: ["LumenDrift", "LumenNumerics", "LumenRecs"]),
        // What was served and what came back: the prediction store (SQLite) and window metrics.
        .target(name: "LumenMonitoring", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        // MARK: Surfaces
        .target(
            name: "LumenServer",
            dependencies: [
                "LumenCAM", "LumenExplain", "LumenIO", "LumenImaging", "LumenNumerics", "LumenONNX", "LumenRecs",
                "LumenDrift", "LumenMonitoring",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "LumenCommands",
            dependencies: [
                "LumenCAM", "LumenExplain", "LumenIO", "LumenImaging", "LumenNumerics", "LumenONNX", "LumenRecs",
                "LumenDrift", "LumenMonitoring", "LumenRecsDrift", "LumenServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "lumen",
            dependencies: ["LumenCommands", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // MARK: Fuzzing (make fuzz builds lumen-fuzz with libFuzzer; the tests replay Fuzz/corpus)
        .target(
            name: "LumenFuzzTargets",
            dependencies: [
                "LumenCAM", "LumenDrift", "LumenExplain", "LumenIO", "LumenONNX", "LumenRecs", "LumenServer",
            ]
        ),
        .executableTarget(name: "lumen-fuzz", dependencies: ["LumenFuzzTargets"]),
        .executableTarget(
            name: "lumen-bench",
            dependencies: [
                "LumenCAM", "LumenExplain", "LumenIO", "LumenImaging", "LumenMonitoring", "LumenNumerics", "LumenRecs",
                "LumenDrift", "LumenONNX",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Tests
        .target(name: "LumenTestSupport", dependencies: ["LumenIO"], path: "Tests/LumenTestSupport"),
        // An ONNX graph builder for the runtime's tests: graphs written as real ModelProto bytes.
        .target(
            name: "LumenONNXTestSupport",
            dependencies: [
                "LumenONNX", "LumenTestSupport", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Tests/LumenONNXTestSupport"
        ),
        .testTarget(name: "LumenIOTests", dependencies: ["LumenIO", "LumenTestSupport"]),
        .testTarget(
            name: "LumenMonitoringTests",
            dependencies: ["LumenMonitoring", "LumenTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "LumenNumericsTests", dependencies: ["LumenNumerics"]),
        .testTarget(name: "LumenImagingTests", dependencies: ["LumenImaging", "LumenIO", "LumenTestSupport"]),
        .testTarget(
            name: "LumenCAMTests",
            dependencies: ["LumenCAM", "LumenIO", "LumenImaging", "LumenTestSupport"]
        ),
        .testTarget(
            name: "LumenExplainTests",
            dependencies: [
                "LumenExplain", "LumenCAM", "LumenIO", "LumenImaging", "LumenKernels", "LumenONNX", "LumenTestSupport",
            ]
        ),
        .testTarget(
            name: "LumenRecsTests",
            dependencies: ["LumenRecs", "LumenIO", "LumenNumerics", "LumenTestSupport"]
        ),
        .testTarget(
            name: "LumenDriftTests",
            dependencies: ["LumenDrift", "LumenIO", "LumenNumerics", "LumenTestSupport"]
        ),
        .testTarget(
            name: "LumenRecsDriftTests",
            dependencies: ["LumenRecsDrift", "LumenDrift", "LumenNumerics", "LumenRecs"]
        ),
        .testTarget(
            name: "LumenONNXTests",
            dependencies: [
                "LumenONNX", "LumenIO", "LumenKernels", "LumenNumerics", "LumenONNXTestSupport", "LumenTestSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(
            name: "LumenCommandsTests",
            dependencies: [
                "LumenCommands", "LumenCAM", "LumenIO", "LumenImaging", "LumenMonitoring", "LumenRecs",
                "LumenTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "LumenFuzzTargetsTests",
            dependencies: ["LumenFuzzTargets", "LumenNumerics", "LumenTestSupport"]
        ),
        .testTarget(
            name: "LumenServerTests",
            dependencies: [
                "LumenServer", "LumenCAM", "LumenDrift", "LumenIO", "LumenImaging", "LumenMonitoring", "LumenRecs",
                "LumenTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
    ]
)

// Every Lumen target (not the dependencies): warnings are errors, and a file sees the members of a module only
// if it imports that module itself (so each file's imports say what it uses; scripts/check-imports then holds
// Package.swift to those imports).
for target in package.targets where target.type != .system {
    target.swiftSettings =
        (target.swiftSettings ?? []) + [
            .treatAllWarnings(as: .error), .enableUpcomingFeature("MemberImportVisibility"),
        ]
}
