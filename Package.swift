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
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // The pure domain: money, calendar, catalog, pricing, subscriptions, entitlements. No I/O.
        .target(name: "RecurCore", swiftSettings: swiftSettings),
        // Payment-gateway protocols (VNPAY, VNPT Pay, Stripe, 2Checkout, VietQR, bank statements):
        // pure functions of their inputs, known-answer tested. No I/O, no database.
        .target(
            name: "RecurPayments",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // Documents as PDF, rendered by Recur itself: TrueType subsets embedded, invoice layout. Foundation only.
        .target(name: "RecurDocuments", swiftSettings: swiftSettings),
        // E-mail: MIME messages, SMTP (STARTTLS, AUTH) on SwiftNIO, a folder transport, a delivery log.
        .target(
            name: "RecurMail",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // Use cases over the ports its adapters implement (store, clock, webhooks).
        .target(
            name: "RecurEngine",
            dependencies: [
                "RecurCore", "RecurPayments", "RecurDocuments",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The BillingStore over SQLKit: SQLite (embedded default) and PostgreSQL.
        .target(
            name: "RecurStore",
            dependencies: [
                "RecurCore", "RecurEngine",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Generated only: openapi.yaml is the source of truth.
        .target(
            name: "RecurAPI",
            dependencies: [.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
            resources: [.copy("openapi.yaml")],
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // APIProtocol handlers, auth and middleware.
        .target(
            name: "RecurHTTP",
            dependencies: [
                "RecurCore", "RecurEngine", "RecurAPI", "RecurPayments",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The customer portal and the back office: server-rendered pages, sessions, CSRF, five languages.
        .target(
            name: "RecurWeb",
            dependencies: [
                "RecurCore", "RecurEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        // Composition root: configuration, buildApplication, services; the only module that sees RecurMail.
        .target(
            name: "RecurApp",
            dependencies: [
                "RecurCore", "RecurEngine", "RecurStore", "RecurHTTP", "RecurPayments", "RecurDocuments", "RecurWeb", "RecurMail",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "recur",
            dependencies: [
                "RecurCore", "RecurApp", "RecurEngine", "RecurStore", "RecurWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
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
        .testTarget(
            name: "RecurMailTests",
            dependencies: ["RecurMail"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RecurDocumentsTests",
            dependencies: ["RecurDocuments"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RecurPaymentsTests",
            dependencies: ["RecurPayments"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RecurAppTests",
            dependencies: [
                "RecurCore", "RecurEngine", "RecurStore", "RecurHTTP", "RecurApp", "RecurPayments", "RecurDocuments", "RecurWeb", "RecurMail",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
