// swift-tools-version:6.2
import PackageDescription

/// One set of settings for every target, as Hummingbird does.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "recur",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RecurCore", targets: ["RecurCore"]),
        .executable(name: "recur", targets: ["recur"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // The pure domain: money, calendar, catalog, pricing, subscriptions, entitlements. No I/O.
        .target(name: "RecurCore", swiftSettings: swiftSettings),
        .executableTarget(
            name: "recur",
            dependencies: [
                "RecurCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RecurCoreTests",
            dependencies: [
                "RecurCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
