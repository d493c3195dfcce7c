// swift-tools-version:6.1
import PackageDescription

// The fuzz harness: kept out of the root package so `swift build` and
// `swift test` there never build it. Built with `-sanitize=fuzzer` by
// `run.sh` (see docs/fuzzing.md); which check runs is chosen by the
// AUDIENCE_FUZZ_TARGET environment variable (`FuzzTarget` in AudienceKit, or
// `config`: `ConfigFile.fuzz` in AudienceConfig).
let package = Package(
    name: "AudienceFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "audience", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "AudienceFuzz",
            dependencies: [
                .product(name: "AudienceKit", package: "audience"),
                .product(name: "AudienceConfig", package: "audience"),
            ],
            // No top-level code: the entry point is `AudienceFuzz_main` below.
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
