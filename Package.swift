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
        // renameat2(RENAME_EXCHANGE), which Swift's Glibc module does not
        // declare: a run's outputs are swapped in whole.
        .target(name: "CSystemShims"),
        // The engine: reads, validates, aggregates and writes. Never prints, never exits.
        .target(
            name: "AudienceKit",
            dependencies: ["CZlib", "CSystemShims", "CSQLite"]
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
            ]
        ),
        .testTarget(name: "AudienceKitTests", dependencies: ["AudienceKit", "CZlib"]),
        .testTarget(name: "AudienceConfigTests", dependencies: ["AudienceConfig"]),
        // Runs the built `audience` binary: exit codes, messages, options.
        .testTarget(name: "AudienceCLITests", dependencies: ["audience"]),
    ]
)
