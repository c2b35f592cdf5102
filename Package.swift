// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "RingIO",
    products: [
        .library(name: "RingIO", targets: ["RingIO"]),
        // NIO interop (ByteBuffer reads and writes, a NIOFileSystem-shaped entry point): its own
        // product, so that a user of RingIO alone builds no NIO.
        .library(name: "RingIONIO", targets: ["RingIONIO"]),
        .executable(name: "ringio-demo", targets: ["RingIODemo"]),
    ],
    traits: [
        .trait(
            name: "PublicConcurrencyOnly",
            description: "Build RingIO with public Swift concurrency API only (withTaskCancellationHandler, Task.isCancelled, withUnsafeContinuation(isolation:)) instead of the runtime entry points in Sources/RingIO/Runtime; slower per I/O (see Benchmarks/README.md)"
        ),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // `swift package generate-documentation` (the DocC catalog in Sources/RingIO/RingIO.docc).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Bottom layer: liburing, imported through a shim header that orders the system headers.
        .target(
            name: "CRingIO",
            cSettings: [.define("RINGIO_PUBLIC_CONCURRENCY_ONLY", .when(traits: ["PublicConcurrencyOnly"]))],
            linkerSettings: [.linkedLibrary("uring")]
        ),
        .target(
            name: "RingIO",
            dependencies: [
                "CRingIO",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: [
                .swiftLanguageMode(.v6),
                // Async functions run on their caller's executor unless marked @concurrent: on the ring
                // thread an I/O call then costs no executor hop (swift_task_switch) per function level.
                .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
                // SE-0458: every unsafe construct is marked `unsafe` and says why (`// Safety:`).
                .strictMemorySafety(),
            ]
        ),
        .target(
            name: "RingIONIO",
            dependencies: [
                "RingIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6), .enableUpcomingFeature("NonisolatedNonsendingByDefault")]
        ),
        .testTarget(
            name: "RingIONIOTests",
            dependencies: [
                "RingIONIO", "RingIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "RingIODemo",
            dependencies: [
                "RingIO",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Examples/RingIODemo",
            swiftSettings: [.swiftLanguageMode(.v6), .enableUpcomingFeature("NonisolatedNonsendingByDefault")]
        ),
        .testTarget(
            name: "RingIOTests",
            dependencies: [
                "RingIO", "CRingIO",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
