// swift-tools-version:5.9
import PackageDescription

let package = Package(
    name: "tenantwall",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "PolicyGen", targets: ["PolicyGen"]),
        .executable(name: "tenantwall", targets: ["MigrateCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        /// libpq, PostgreSQL's own client library (apt: libpq-dev).
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        /// A small database layer over libpq: connections, parameterised queries, server errors.
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        /// Starts a throwaway PostgreSQL server in a temporary directory (the embedded default, and the tests' server).
        .target(name: "LocalPostgres", dependencies: ["Postgres"]),
        /// Pure core: spec model, validation, SQL generation, catalog snapshots and plans. No I/O.
        .target(name: "PolicyGen", dependencies: [.product(name: "Yams", package: "Yams")]),
        /// The database-facing operations behind the commands: reading spec files, plan, apply, probes.
        .target(name: "Tenantwall", dependencies: ["PolicyGen", "Postgres", "LocalPostgres"]),
        .executableTarget(
            name: "MigrateCLI",
            dependencies: [
                "Tenantwall", "PolicyGen", "Postgres", "LocalPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "PolicyGenTests", dependencies: ["PolicyGen"], exclude: ["Golden"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Tenantwall", "PolicyGen", "Postgres", "LocalPostgres"]),
    ]
)
