// swift-tools-version:6.1
//
// Benchmarks for RingIO. A separate package so that the library itself does not depend on
// ordo-one/benchmark (and its malloc interposer). Run from the repository root with
//
//     swift package --package-path Benchmarks benchmark
//
// See Benchmarks/README.md.

import PackageDescription

/// `RINGIO_PUBLIC_CONCURRENCY_ONLY=1` builds the benchmarks against RingIO's public-API build
/// (the `PublicConcurrencyOnly` trait), for `Benchmarks/before-after --public-api`.
let ringIOTraits: Set<Package.Dependency.Trait> =
    Context.environment["RINGIO_PUBLIC_CONCURRENCY_ONLY"] == "1" ? ["PublicConcurrencyOnly"] : [.defaults]

let package = Package(
    name: "RingIOBenchmarks",
    dependencies: [
        // The library under test: the package one level up. `name:` pins the identity used in
        // `.product(package:)` below, whatever the checkout's directory is called.
        .package(name: "RingIO", path: "..", traits: ringIOTraits),
        // MallocInterposer is the only trait we enable: it provides the malloc counters
        // (mallocCountTotal) on Swift 6.3 without jemalloc. Naming the traits explicitly also turns
        // off the default RuntimeInterposer trait, whose swift-runtime-interposer dependency is
        // not needed for the metrics used here.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // Latency histograms of the comparison workers (Benchmarks/compare).
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        // NIOFileSystem, the anchor Swift users pick today (compare-nio only).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // The metrics API, for the benchmark with RingIO's metrics on.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    ],
    targets: [
        // Workload shared by the benchmark target and the ringio-iops tool: test-file setup,
        // a cheap PRNG for offsets, and the READ_FIXED reader loops.
        .target(
            name: "RingIOWorkload",
            dependencies: [
                .product(name: "RingIO", package: "RingIO"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Sources/RingIOWorkload",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Fixed-duration 4 KiB random-read driver used by scripts/bench-registered-files.sh.
        // Lives outside Benchmarks/ so the benchmark plugin does not treat it as a benchmark suite.
        .executableTarget(
            name: "ringio-iops",
            dependencies: ["RingIOWorkload"],
            path: "Sources/ringio-iops",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // The floor: a plain C liburing loop with registered buffers and file (batched submission).
        .executableTarget(
            name: "bare-uring",
            path: "Sources/bare-uring",
            linkerSettings: [.linkedLibrary("uring")]
        ),
        // Waking a loop blocked in io_uring_enter: eventfd read (RingIO's mailbox) against MSG_RING.
        .executableTarget(
            name: "wakeup",
            path: "Sources/wakeup",
            linkerSettings: [.linkedLibrary("uring")]
        ),
        // The comparison harness (Benchmarks/compare): one worker per system family, each a
        // separate process so that no system's threads or allocator state leak into another's run.
        // They are separate executables also because a module that loads both RingIO's CRingIO and
        // swift-system's CSystem (NIOFileSystem) fails to compile (two different io_uring_sqe).
        .target(
            name: "CompareSupport",
            dependencies: [.product(name: "Histogram", package: "hdrhistogram-swift")],
            path: "Sources/CompareSupport",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "compare-ringio",
            dependencies: [
                "CompareSupport",
                .product(name: "RingIO", package: "RingIO"),
                .product(name: "RingIONIO", package: "RingIO"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/compare-ringio",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "compare-nio",
            dependencies: [
                "CompareSupport",
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/compare-nio",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "compare-posix",
            dependencies: ["CompareSupport"],
            path: "Sources/compare-posix",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // The cost of each private runtime call RingIO makes, against its public alternative.
        .executableTarget(
            name: "runtime-calls",
            dependencies: [.product(name: "RingIO", package: "RingIO")],
            path: "Sources/runtime-calls",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // One read at a time from an ordinary task with the group as Swift's global executor.
        .executableTarget(
            name: "global-executor",
            dependencies: [.product(name: "RingIO", package: "RingIO")],
            path: "Sources/global-executor",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // The one pool's lock under leases from every loop at once, against one loop alone.
        .executableTarget(
            name: "lease-contention",
            dependencies: [.product(name: "RingIO", package: "RingIO")],
            path: "Sources/lease-contention",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // What a hop between two loops of a group costs, against a hop from the global pool.
        .executableTarget(
            name: "cross-loop",
            dependencies: [.product(name: "RingIO", package: "RingIO")],
            path: "Sources/cross-loop",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Benchmark suite run by `swift package benchmark` (the plugin picks up executable
        // targets whose sources sit in Benchmarks/<TargetName>).
        .executableTarget(
            name: "RingIOBenchmarks",
            dependencies: [
                "RingIOWorkload",
                .product(name: "RingIO", package: "RingIO"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/RingIOBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
    ]
)

// ringio-iops is also exposed as a product so that
// `swift build -c release --package-path Benchmarks --product ringio-iops` works.
package.products += [
    .executable(name: "ringio-iops", targets: ["ringio-iops"]),
    .executable(name: "bare-uring", targets: ["bare-uring"]),
    .executable(name: "compare-ringio", targets: ["compare-ringio"]),
    .executable(name: "compare-nio", targets: ["compare-nio"]),
    .executable(name: "compare-posix", targets: ["compare-posix"]),
    .executable(name: "runtime-calls", targets: ["runtime-calls"]),
    .executable(name: "cross-loop", targets: ["cross-loop"]),
]
