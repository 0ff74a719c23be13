// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "swift-ota",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "OTA", targets: ["OTA"]),
        .library(name: "OTAMirror", targets: ["OTAMirror"]),
        .executable(name: "ota", targets: ["ota"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Small C shims: zlib (streaming inflate with real truncation detection),
        // renameat2/RENAME_EXCHANGE and syncfs, which need _GNU_SOURCE.
        .target(
            name: "COTASystem",
            cSettings: [.define("_GNU_SOURCE")],
            linkerSettings: [.linkedLibrary("z")]
        ),
        // libzstd (Debian: libzstd-dev): the zstd patches of delta updates.
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .target(
            name: "OTA",
            dependencies: [
                "COTASystem",
                "CZstd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                // RSA-PSS signatures of TUF metadata (`rsassa-pss-sha256` keys).
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // The agent's status API on a UNIX socket.
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                // The agent's metrics: counted through swift-metrics, written in the Prometheus text format.
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // The crash tests' kill points (FaultInjection.swift): debug builds only, never in a release build.
            swiftSettings: [.define("OTA_FAULT_INJECTION", .when(configuration: .debug))]
        ),
        // Packs a folder into a release `.tar.gz`: for `ota demo` and the tests, not part of the OTA product.
        .target(name: "OTAArchiveWriter", dependencies: ["OTA", "COTASystem"]),
        // Makes minisign keys and signatures: for `ota keygen`, `ota sign`, `ota demo` and the tests, not part of
        // the OTA product (devices only verify, with the library's MinisignPublicKey).
        .target(name: "OTASigning", dependencies: ["OTA", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "OTAMirror",
            dependencies: [
                "OTA",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "ota",
            dependencies: [
                "OTA",
                "OTAMirror",
                "OTAArchiveWriter",
                "OTASigning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // `ota run` sizes NIO's event loop group before its first use.
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The original design's ota_demo --check/--update/--status, and embedding the agent (README).
        .executableTarget(
            name: "ota-example",
            dependencies: ["OTA", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            path: "Examples/ota-example"
        ),
        // Test-only: applies a staged tree in its own process so crash tests can SIGKILL it mid-swap.
        .executableTarget(name: "ota-install-harness", dependencies: ["OTA"]),
        // The invariants every parser of untrusted bytes keeps, checked by the fuzzers (scripts/fuzz)
        // and by the tests, which replay the committed corpora (Fuzz/Corpus) and regressions.
        .target(name: "OTAFuzz", dependencies: ["OTA", .product(name: "Logging", package: "swift-log"),
                                                .product(name: "NIOHTTP1", package: "swift-nio")]),
        // libFuzzer entry points when built by scripts/fuzz (-DOTA_FUZZ); otherwise an input replayer.
        .executableTarget(name: "ota-fuzz", dependencies: ["OTA", "OTAFuzz"]),
        // The fleet polling simulation of scripts/simulate-fleet: N devices run the agent's own CheckTimer and
        // RolloutBucket. Not part of the OTA product; the tests run it at a small size.
        .target(name: "OTAFleetSimulation", dependencies: ["OTA"]),
        .executableTarget(
            name: "ota-simulate-fleet",
            dependencies: ["OTAFleetSimulation", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Helpers shared by the test targets: temporary folders, scriptable servers, GitHub JSON, tar and
        // installation fixtures.
        .target(
            name: "OTATestSupport",
            dependencies: ["OTA", "COTASystem", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            path: "Tests/OTATestSupport"
        ),
        // Unit tests of the library, one folder per Sources/OTA folder.
        .testTarget(
            name: "OTATests",
            dependencies: [
                "OTA", "OTAArchiveWriter", "OTAFleetSimulation", "OTASigning", "OTATestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        // Real processes and the whole agent: kill -9 crash tests (ota-install-harness), full and
        // bind-mounted file systems, updates end to end, and the drivers of scripts/bench-*.
        .testTarget(
            name: "OTAIntegrationTests",
            dependencies: [
                "OTA", "OTAArchiveWriter", "OTASigning", "OTATestSupport", "ota-install-harness",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Replays the committed fuzz corpora and regressions (Fuzz/), seeded mutations, and checks the
        // fuzzers' own invariant checks.
        .testTarget(name: "OTAFuzzReplayTests", dependencies: ["OTA", "OTAFuzz", "OTATestSupport"]),
        .testTarget(
            name: "OTAMirrorTests",
            dependencies: [
                "OTAMirror", "OTA", "OTATestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The `ota` executable run as a user runs it.
        .testTarget(name: "OTACommandTests", dependencies: ["OTA", "OTAMirror", "OTAArchiveWriter", "ota", "OTATestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// The benchmarks (Benchmarks/OTABenchmarks, package-benchmark) exist only when OTA_BENCHMARKS is set, as
// scripts/bench does: an ordinary build, test run or CI never fetches or builds the benchmark package.
// Of its traits only the malloc interposer is taken (the allocation counts).
if Context.environment["OTA_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"])
    )
    package.targets.append(
        .executableTarget(
            name: "OTABenchmarks",
            dependencies: ["OTA", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/OTABenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
}
