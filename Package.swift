// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "RingIO",
    products: [
        .library(name: "RingIO", targets: ["RingIO"]),
        .executable(name: "ringio-demo", targets: ["RingIODemo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // Bottom layer: liburing, imported through a shim header that orders the system headers.
        .target(
            name: "CRingIO",
            linkerSettings: [.linkedLibrary("uring")]
        ),
        .target(
            name: "RingIO",
            dependencies: [
                "CRingIO",
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "RingIODemo",
            dependencies: ["RingIO"],
            path: "Examples/RingIODemo",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "RingIOTests",
            dependencies: ["RingIO", "CRingIO"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
