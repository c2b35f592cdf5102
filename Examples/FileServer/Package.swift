// swift-tools-version:6.1
// ringio-fileserver: a static-file HTTP server on Hummingbird 2 whose file bodies are read through
// RingIO's registered buffers (READ_FIXED), with a NIOFileSystem backend beside it for comparison.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    // Async functions run on their caller's executor unless marked @concurrent (as in RingIO): on
    // the ring thread, a call through this package's async functions then costs no executor hop.
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "FileServer",
    products: [
        .executable(name: "ringio-fileserver", targets: ["ringio-fileserver"]),
    ],
    dependencies: [
        .package(name: "RingIO", path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // HTTP logic without I/O: paths, ranges, dates, entity tags, content types, the backend protocol.
        .target(
            name: "FileServerCore",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        // The RingIO backend, the only module that imports RingIO: the server sees it only through
        // `any FileBackend`.
        .target(
            name: "RingBackend",
            dependencies: [
                "FileServerCore",
                .product(name: "RingIO", package: "RingIO"),
                .product(name: "RingIONIO", package: "RingIO"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                // RingFileProvider: Hummingbird's FileMiddleware on RingIO.
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        // The NIOFileSystem backend, for comparison.
        .target(
            name: "NIOBackend",
            dependencies: [
                "FileServerCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The server: Hummingbird application and responder over either backend.
        .target(
            name: "FileServer",
            dependencies: [
                "FileServerCore", "RingBackend", "NIOBackend",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The command line: `ringio-fileserver --root DIR --host H --port N --backend ringio|nio`.
        .executableTarget(
            name: "ringio-fileserver",
            dependencies: [
                "FileServer", "FileServerCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Unit tests of the HTTP logic, and end-to-end tests that start the real binary and use curl.
        .testTarget(
            name: "FileServerTests",
            dependencies: ["FileServerCore"],
            swiftSettings: swiftSettings
        ),
        // One module that imports RingIO together with NIOFileSystem (whose swift-system dependency
        // brings the kernel's <linux/io_uring.h>): guards RingIO's shim against the C-module clash
        // that once made this fail to compile.
        .testTarget(
            name: "ImportTogetherTests",
            dependencies: [
                .product(name: "RingIO", package: "RingIO"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
