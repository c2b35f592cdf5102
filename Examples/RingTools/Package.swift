// swift-tools-version:6.1
import PackageDescription

// Settings every target uses: Swift 6 mode, and RingIO's convention that async functions run on
// their caller's executor (on the ring thread inside `executor.run`) unless marked @concurrent.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "RingTools",
    products: [
        .executable(name: "ringcp", targets: ["ringcp"]),
        .executable(name: "ringsum", targets: ["ringsum"]),
    ],
    dependencies: [
        .package(name: "RingIO", path: "../.."),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Small helpers both tools share: writing to descriptors, errno text, the clock.
        .target(
            name: "ToolSupport",
            swiftSettings: swiftSettings
        ),
        // ringcp SRC DST: a file copy through READ_FIXED / WRITE_FIXED with several buffers in flight.
        .executableTarget(
            name: "ringcp",
            dependencies: [
                "ToolSupport",
                .product(name: "RingIO", package: "RingIO"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // ringsum FILE…: sha256sum-compatible SHA-256 of files read through the ring.
        .executableTarget(
            name: "ringsum",
            dependencies: [
                "ToolSupport",
                .product(name: "RingIO", package: "RingIO"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Runs the built tools as processes and compares them with cmp(1) and sha256sum(1).
        .testTarget(
            name: "RingToolsTests",
            dependencies: [.product(name: "RingIO", package: "RingIO")],  // only for O_DIRECT's flag value
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
