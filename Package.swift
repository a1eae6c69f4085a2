// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Trailwatch",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "trailwatch", targets: ["trailwatch"]),
        .library(name: "TrailwatchKit", targets: ["TrailJSON", "CloudTrail", "EventStore", "Ingest", "Baselines", "TrailGenerator", "FilterPatterns", "TrailIntegrity", "DetectionPacks", "InsightsQuery", "Alarms", "AlarmActions"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // System libraries (Debian: libsqlite3-dev, liblapacke-dev + libopenblas-dev, zlib1g-dev).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLapack", pkgConfig: "lapacke", providers: [.apt(["liblapacke-dev", "libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Pure logic.
        .target(name: "UTCCalendar"),
        .target(name: "TrailJSON"),
        .target(name: "CloudTrail", dependencies: ["TrailJSON", "UTCCalendar", "CZlib", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "TrailGenerator", dependencies: ["CloudTrail", "UTCCalendar"]),
        .target(name: "Baselines", dependencies: ["CLapack", "UTCCalendar"]),
        .target(name: "FilterPatterns", dependencies: ["TrailJSON"]),
        .target(name: "InsightsQuery", dependencies: ["TrailJSON", "UTCCalendar", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Alarms", dependencies: ["Baselines", "UTCCalendar"]),
        .target(name: "AlarmActions", dependencies: ["Alarms"]),
        .target(name: "TrailIntegrity", dependencies: [
            "CloudTrail", "TrailJSON",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),

        // Storage and the ingest pipeline.
        .target(name: "EventStore", dependencies: ["CSQLite", "TrailJSON", "CloudTrail", "FilterPatterns", "InsightsQuery", "Baselines", "Alarms"]),
        .target(name: "DetectionPacks", dependencies: ["EventStore", "Yams"]),
        .target(name: "Ingest", dependencies: ["CloudTrail", "EventStore", "TrailJSON", "FilterPatterns", .product(name: "Crypto", package: "swift-crypto")]),

        // The CLI.
        .executableTarget(name: "trailwatch", dependencies: [
            "TrailJSON", "CloudTrail", "EventStore", "Ingest", "Baselines", "TrailGenerator", "FilterPatterns", "TrailIntegrity", "DetectionPacks", "InsightsQuery", "Alarms", "AlarmActions", "UTCCalendar",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Test-only helpers shared by the test targets.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "UTCCalendarTests", dependencies: ["UTCCalendar"]),
        .testTarget(name: "TrailJSONTests", dependencies: ["TrailJSON"]),
        .testTarget(name: "CloudTrailTests", dependencies: ["CloudTrail", "TrailJSON", "TestSupport"]),
        .testTarget(name: "TrailGeneratorTests", dependencies: ["TrailGenerator", "CloudTrail", "TrailJSON"]),
        .testTarget(name: "BaselinesTests", dependencies: ["Baselines", "TestSupport"]),
        .testTarget(name: "FilterPatternsTests", dependencies: ["FilterPatterns", "TrailJSON", "TestSupport"]),
        .testTarget(name: "TrailIntegrityTests", dependencies: ["TrailIntegrity", "CloudTrail", "TrailGenerator", "TrailJSON",
                                                               .product(name: "_CryptoExtras", package: "swift-crypto")]),
        .testTarget(name: "EventStoreTests", dependencies: ["EventStore", "CloudTrail", "TrailJSON", "FilterPatterns", "Baselines", "Alarms", "TestSupport"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "EventStore", "CloudTrail", "TrailJSON", "TrailGenerator", "FilterPatterns", "InsightsQuery", "TestSupport"]),
        .testTarget(name: "DetectionPacksTests", dependencies: ["DetectionPacks", "EventStore", "FilterPatterns"]),
        .testTarget(name: "InsightsQueryTests", dependencies: ["InsightsQuery", "TrailJSON", "TestSupport"]),
        .testTarget(name: "AlarmsTests", dependencies: ["Alarms", "Baselines", "TestSupport"]),
        .testTarget(name: "AlarmActionsTests", dependencies: ["AlarmActions", "Alarms"]),
        .testTarget(name: "TrailwatchCLITests", dependencies: ["TrailJSON"]),
    ]
)
