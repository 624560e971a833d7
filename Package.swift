// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    // Specialise the generic NAR writer and readers across module boundaries in release builds.
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

let package = Package(
    name: "Keel",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "keel", targets: ["keel"]),
        .library(name: "KeelFormats", targets: ["KeelFormats"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(
            name: "KeelFormats",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "CKeelLinux",
            linkerSettings: [
                .linkedLibrary("z"), .linkedLibrary("lzma"), .linkedLibrary("lz4"), .linkedLibrary("zstd"),
            ]
        ),
        .target(
            name: "KeelLinux",
            dependencies: ["CKeelLinux", .product(name: "SystemPackage", package: "swift-system")],
            swiftSettings: strict
        ),
        .target(
            name: "KeelFileTree",
            dependencies: ["KeelFormats", "KeelLinux"],
            swiftSettings: strict
        ),
        .target(
            name: "KeelStore",
            dependencies: ["KeelFormats", "KeelFileTree", "KeelLinux", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .target(
            name: "KeelSandbox",
            dependencies: ["CKeelLinux", "KeelLinux", .product(name: "SystemPackage", package: "swift-system")],
            swiftSettings: strict
        ),
        .target(
            name: "KeelBuild",
            dependencies: [
                "KeelFormats", "KeelFileTree", "KeelLinux", "KeelStore", "KeelSandbox",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "KeelLedger",
            dependencies: ["KeelFormats", "KeelLinux", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "KeelArchive",
            dependencies: ["CKeelLinux", "KeelLinux", .product(name: "SystemPackage", package: "swift-system")],
            swiftSettings: strict
        ),
        .target(
            name: "KeelRuntime",
            dependencies: [
                "KeelFormats", "KeelFileTree", "KeelLinux", "KeelStore", "KeelArchive", "KeelSandbox",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "KeelImage",
            dependencies: [
                "KeelFormats", "KeelFileTree", "KeelLinux", "KeelStore", "KeelArchive",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "KeelCache",
            dependencies: [
                "KeelFormats", "KeelFileTree", "KeelLinux", "KeelStore", "KeelArchive",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "KeelConfig",
            dependencies: ["KeelFormats", .product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: strict
        ),
        .target(
            name: "KeelSystem",
            dependencies: [
                "KeelFormats", "KeelFileTree", "KeelLinux", "KeelStore", "KeelBuild", "KeelConfig", "KeelArchive",
                "KeelLedger", "KeelRuntime", .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "KeelSupervisor",
            dependencies: [
                "CKeelLinux", "KeelLinux", "KeelSandbox", "KeelSystem", "KeelFormats", "KeelRuntime",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "KeelWatch",
            dependencies: ["KeelSupervisor", "KeelSystem", "KeelLedger", "KeelFormats", "KeelLinux"],
            swiftSettings: strict
        ),
        .target(
            name: "KeelAPI",
            dependencies: [
                "KeelWatch", "KeelSupervisor", "KeelSystem", "KeelLedger", "KeelFormats", "KeelLinux", "KeelStore",
                "KeelConfig",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "KeelCLI",
            dependencies: [
                "KeelFormats", "KeelFileTree", "KeelLinux", "KeelStore", "KeelLedger", "KeelBuild",
                "KeelConfig", "KeelSystem", "KeelSupervisor", "KeelWatch", "KeelAPI", "KeelSandbox", "KeelRuntime",
                "KeelImage", "KeelCache",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // scripts/install.sh links this statically (--static-swift-stdlib -static-executable):
        // loading the Swift runtime and Foundation as shared libraries costs every command ~6 ms.
        .executableTarget(name: "keel", dependencies: ["KeelCLI"], swiftSettings: strict),
        .target(
            name: "KeelTesting",
            dependencies: ["KeelFormats", "KeelLinux"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KeelTestingTests",
            dependencies: ["KeelTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KeelFormatsTests",
            dependencies: ["KeelFormats", "KeelTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KeelFileTreeTests",
            dependencies: ["KeelFileTree", "KeelFormats", "KeelLinux", "KeelTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KeelStoreTests",
            dependencies: [
                "KeelStore", "KeelFormats", "KeelFileTree", "KeelLinux", "KeelTesting",
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KeelBuildTests",
            dependencies: ["KeelBuild", "KeelFormats", "KeelTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KeelSandboxTests",
            dependencies: ["KeelSandbox", "KeelLinux", "KeelTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KeelLedgerTests",
            dependencies: ["KeelLedger", "KeelFormats", "KeelLinux", "KeelTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KeelArchiveTests",
            dependencies: ["KeelArchive", "KeelLinux", "KeelTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KeelImageTests",
            dependencies: [
                "KeelImage", "KeelArchive", "KeelFormats", "KeelFileTree", "KeelLinux", "KeelStore", "KeelTesting",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KeelCacheTests",
            dependencies: [
                "KeelCache", "KeelArchive", "KeelFormats", "KeelFileTree", "KeelLinux", "KeelStore", "KeelTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KeelRuntimeTests",
            dependencies: ["KeelRuntime", "KeelArchive", "KeelFormats", "KeelLinux", "KeelTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KeelConfigTests",
            dependencies: ["KeelConfig", "KeelFormats", "KeelTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KeelSystemTests",
            dependencies: [
                "KeelSystem", "KeelConfig", "KeelStore", "KeelFormats", "KeelLinux", "KeelTesting",
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KeelSupervisorTests",
            dependencies: [
                "KeelSupervisor", "KeelSystem", "KeelSandbox", "KeelLinux", "KeelTesting",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KeelWatchTests",
            dependencies: ["KeelWatch", "KeelSupervisor", "KeelSystem", "KeelLinux", "KeelTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KeelAPITests",
            dependencies: [
                "KeelAPI", "KeelWatch", "KeelSupervisor", "KeelSystem", "KeelLinux", "KeelTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KeelCLITests",
            dependencies: ["KeelCLI", "KeelAPI", "KeelLinux", "KeelTesting"],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
