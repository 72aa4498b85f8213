// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "winback",
    products: [
        .executable(name: "winback", targets: ["winback"]),
        .library(name: "WinbackCore", targets: ["WinbackCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // The pure domain: values and rules, no I/O, no clock.
        .target(name: "WinbackCore"),
        // CSV dialect detection, tokenising and field parsing over bytes: pure, streaming.
        .target(name: "WinbackCSV", dependencies: ["WinbackCore"]),
        // Realistic generated sales histories with known truth: for the demo, the tests and the benchmarks.
        .target(name: "WinbackSimulation", dependencies: ["WinbackCore"]),
        // The TOML config file: keys, defaults, resolution order, errors with line and key.
        .target(
            name: "WinbackConfig",
            dependencies: ["WinbackCore", "WinbackCSV", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        // SQLite through GRDB: schema, migrations, records, queries.
        .target(
            name: "WinbackStore",
            dependencies: [
                "WinbackCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Files into the store: one file, one transaction.
        .target(
            name: "WinbackImport",
            dependencies: [
                "WinbackCore", "WinbackCSV", "WinbackConfig", "WinbackStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // A scan: aggregates up to date, every client assessed and classified, results stored.
        .target(name: "WinbackScan", dependencies: ["WinbackCore", "WinbackStore"]),
        // Tables, CSV/JSON renderers and the digest: what users read, built from values, no I/O.
        .target(name: "WinbackReports", dependencies: ["WinbackCore"]),
        // The daily outbox files, written aside and renamed into place.
        .target(name: "WinbackOutbox", dependencies: ["WinbackCore", "WinbackStore", "WinbackReports"]),
        // The long-running service: schedule, inbox, signals, systemd notifications, the instance lock.
        .target(
            name: "WinbackRuntime",
            dependencies: [
                "WinbackCore", "WinbackConfig", "WinbackStore", "WinbackImport", "WinbackScan", "WinbackOutbox",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The command-line surface; `winback` only calls into it.
        .target(
            name: "WinbackCLI",
            dependencies: [
                "WinbackCore", "WinbackCSV", "WinbackConfig", "WinbackStore", "WinbackImport",
                "WinbackScan", "WinbackSimulation", "WinbackReports", "WinbackOutbox", "WinbackRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "winback", dependencies: ["WinbackCLI"]),

        .testTarget(name: "WinbackCoreTests", dependencies: ["WinbackCore"]),
        .testTarget(name: "WinbackCSVTests", dependencies: ["WinbackCSV"]),
        .testTarget(name: "WinbackConfigTests", dependencies: ["WinbackConfig"]),
        .testTarget(
            name: "WinbackStoreTests",
            dependencies: [
                "WinbackStore", "WinbackCore", "WinbackSimulation", "WinbackTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "WinbackScanTests",
            dependencies: [
                "WinbackScan", "WinbackStore", "WinbackImport", "WinbackConfig", "WinbackSimulation", "WinbackOutbox",
                "WinbackRuntime", "WinbackTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "WinbackRuntimeTests",
            dependencies: [
                "WinbackRuntime", "WinbackCore", "WinbackConfig", "WinbackStore", "WinbackImport", "WinbackOutbox",
                "WinbackTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "WinbackSimulationTests", dependencies: ["WinbackSimulation", "WinbackCSV"]),
        .testTarget(
            name: "WinbackImportTests",
            dependencies: [
                "WinbackImport", "WinbackStore", "WinbackConfig", "WinbackSimulation", "WinbackTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Helpers several test targets share: starting real processes safely, folders that clean up after themselves.
        .target(name: "WinbackTestSupport", path: "Tests/WinbackTestSupport"),
        .testTarget(name: "WinbackReportsTests", dependencies: ["WinbackReports", "WinbackCore", "WinbackSimulation"]),
        .testTarget(name: "WinbackOutboxTests", dependencies: ["WinbackOutbox", "WinbackCore", "WinbackTestSupport"]),
        // The real `winback` binary started as a subprocess: commands, the daemon under a fake systemd, crashes.
        .testTarget(
            name: "WinbackEndToEndTests",
            dependencies: ["WinbackCLI", "WinbackCore", "WinbackTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Fuzz targets, only when asked for: `WINBACK_FUZZ=1 scripts/fuzz.sh` (libFuzzer provides `main`).
if Context.environment["WINBACK_FUZZ"] != nil {
    package.targets.append(
        .executableTarget(
            name: "fuzz-csv", dependencies: ["WinbackCSV", "WinbackCore"], path: "Fuzz/FuzzCSV",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    package.products.append(.executable(name: "fuzz-csv", targets: ["fuzz-csv"]))
    package.targets.append(
        .executableTarget(
            name: "fuzz-config", dependencies: ["WinbackConfig"], path: "Fuzz/FuzzConfig",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    package.products.append(.executable(name: "fuzz-config", targets: ["fuzz-config"]))
}
