// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Inquest",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "inquest", targets: ["inquest"]),
        .library(name: "InquestCore", targets: ["InquestCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .target(
            name: "InquestCore",
            dependencies: ["CZlib", .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto")]
        ),
        .executableTarget(
            name: "inquest",
            dependencies: [
                "InquestCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Fuzz targets: built with libFuzzer by Fuzz/run.sh (-sanitize=fuzzer,address
        // -DFUZZING); a plain build replays files through a target.
        .executableTarget(
            name: "InquestFuzz",
            dependencies: ["InquestCore"]
        ),
        .testTarget(
            name: "InquestCoreTests",
            dependencies: ["InquestCore"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "inquestTests",
            dependencies: ["InquestCore", "inquest"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Strict settings for every target, as swift-log does.
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
