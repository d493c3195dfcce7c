// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "audience",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "audience", targets: ["audience"]),
        .library(name: "AudienceKit", targets: ["AudienceKit"]),
        // For the fuzz harness in Fuzz/ (target `config`).
        .library(name: "AudienceConfig", targets: ["AudienceConfig"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // TOML for --config files: a full parser (toml++) instead of a hand-written one.
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // zlib from the system (`libz-dev`); a shim wraps the macros Swift cannot call.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // SQLite from the system (`libsqlite3-dev`): the store's ledger.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        // libdeflate from the system (`libdeflate-dev`): the store's chunks
        // and split runs' partial results, deflated and inflated whole.
        .systemLibrary(
            name: "CDeflate", path: "Sources/CDeflate", pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"]), .brew(["libdeflate"])]),
        // What Swift cannot say or does too slowly: renameat2(RENAME_EXCHANGE)
        // (a run's outputs swapped in whole), SSE2 byte scans, CRC-32 and
        // SHA-256 with the processor's instructions, and the streaming
        // deflate decoder for gzipped logs (inflate.c).
        .target(name: "CSystemShims"),
        // The engine, in layers along the data flow. Each target lists the
        // targets it may import; the compiler rejects any other import, so
        // these lists keep the graph one-way (docs/design.md, "Targets").
        // The engine's libraries never print and never exit.

        // What every layer needs: parallel loops, byte-ordered text, errno
        // messages, folder listings, exit statuses, the version.
        .target(name: "AudienceCore"),
        // From bytes on disk to validated, deduplicated events: input
        // discovery, inflate, line framing, JSONL/CSV parsing, validation,
        // the event store, and the reading pipeline that drives them.
        .target(
            name: "AudienceReading",
            dependencies: ["AudienceCore", "CZlib", "CSystemShims"],
            // Debug builds (and so the tests) check the interner's, id tables'
            // and chunked arrays' invariants after every growth and merge.
            swiftSettings: [.define("AUDIENCE_INTERNAL_CHECKS", .when(configuration: .debug))]
        ),
        // The metric tables from the events, and the table and JSON values
        // every output is written from (CSV, `summary.json`, quality.csv).
        .target(name: "AudienceMetrics", dependencies: ["AudienceCore", "AudienceReading"]),
        // SVG charts: a small chart library that knows nothing of audiences.
        // (Not "Charts": that is the name of Apple's framework on macOS.)
        .target(name: "SVGCharts"),
        // The course report (report.md, answers.md) from the tables, with its charts.
        .target(
            name: "AudienceReport",
            dependencies: ["AudienceCore", "AudienceReading", "AudienceMetrics", "SVGCharts"]
        ),
        // Writing results: the output folder, staged swaps, the event
        // export, the metrics file for node_exporter.
        .target(
            name: "AudienceOutput",
            dependencies: ["AudienceCore", "AudienceReading", "AudienceMetrics", "CSystemShims"]
        ),
        // The event store: segments, ledger, partitions, partial results.
        .target(
            name: "AudienceStore",
            dependencies: ["AudienceCore", "AudienceReading", "AudienceMetrics", "CDeflate", "CSQLite", "CSystemShims"]
        ),
        // `audience generate`: synthetic logs with their answer key.
        .target(
            name: "AudienceGenerate",
            dependencies: ["AudienceCore", "AudienceReading", "AudienceMetrics", "AudienceOutput", "CZlib"]
        ),
        // The wiring: a run (Analyzer), a split run's steps, the fuzz
        // checks; re-exports the engine (Exports.swift) as one module.
        .target(
            name: "AudienceKit",
            dependencies: [
                "AudienceCore", "AudienceReading", "AudienceMetrics", "SVGCharts", "AudienceReport",
                "AudienceOutput", "AudienceStore", "AudienceGenerate", "CZlib",
            ]
        ),
        // Settings files (--config): JSON or TOML, each key with its type.
        .target(
            name: "AudienceConfig",
            dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]
        ),
        // The command line: a thin layer over AudienceKit.
        .executableTarget(
            name: "audience",
            dependencies: [
                "AudienceKit",
                "AudienceConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // Release builds on Linux link the Swift runtime and Foundation
            // in: a run's fixed memory falls from 21 to 15 MiB (the shared
            // libraries' relocated pages), at no cost in speed. Compiled with
            // the flag too, so that this module names the static libraries
            // (Foundation's own) to the linker. Only here: the libraries stay
            // free of unsafe flags, usable as dependencies and by the fuzz
            // harness; debug builds, and so the tests, use shared libraries.
            swiftSettings: [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))],
            linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))]
        ),
        .testTarget(
            name: "AudienceKitTests",
            dependencies: [
                "AudienceKit", "AudienceCore", "AudienceReading", "AudienceMetrics", "SVGCharts", "AudienceReport",
                "AudienceOutput", "AudienceStore", "AudienceGenerate", "CZlib",
            ]
        ),
        .testTarget(name: "AudienceConfigTests", dependencies: ["AudienceConfig"]),
        // Runs the built `audience` binary: exit codes, messages, options.
        // (`swift test` builds every target, the binary among them; a
        // dependency on it would link the executable's module, and in
        // release its linked-in runtime, into the test bundle.)
        .testTarget(name: "AudienceCLITests"),
    ]
)

