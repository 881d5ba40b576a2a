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
        /// SHA-256 and HMAC-SHA256 (migration checksums, token signatures, signing keys): a maintained library
        /// rather than primitives written here. No jwt-kit: tenantwall only mints HS256 tokens (JWT.swift).
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        /// libpq, PostgreSQL's own client library (apt: libpq-dev).
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        /// PostgreSQL's parser as a C library with the PostgreSQL 18 grammar, linked statically: libpg_query built
        /// by scripts/setup.sh from PyPI's pglast source (pkg-config: tenantwall-pg-query).
        .systemLibrary(name: "CPgQuery", pkgConfig: "tenantwall-pg-query"),
        /// Splits and parses SQL with PostgreSQL's own parser.
        .target(name: "SQLParser", dependencies: ["CPgQuery"]),
        /// Versioned and repeatable migrations: file names, checksums, directives, and what to run (pure).
        .target(name: "Migrations", dependencies: ["SQLParser", .product(name: "Crypto", package: "swift-crypto")]),
        /// The one catalog model: what a live database holds, as typed values, and the set-based queries that read
        /// it (run by Tenantwall's CatalogReader). Pure: plan, audit and verify are functions of it.
        .target(name: "Catalog"),
        /// Audit rules (one per file) over a catalog snapshot, a spec and migration files; report formats. Pure.
        .target(name: "Audit", dependencies: ["Catalog", "PolicyGen", "Migrations", "SQLParser", .product(name: "Yams", package: "Yams")]),
        /// A small database layer over libpq: connections, parameterised queries, server errors.
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        /// Starts a throwaway PostgreSQL server in a temporary directory (the embedded default, and the tests' server).
        .target(name: "LocalPostgres", dependencies: ["Postgres"]),
        /// Pure core: spec model, validation, SQL generation, catalog snapshots and plans. No I/O.
        .target(name: "PolicyGen", dependencies: ["Catalog", "SQLParser", .product(name: "Yams", package: "Yams")]),
        /// The database-facing operations behind the commands: reading spec files, plan, apply, probes; Identity/:
        /// tenants, signing keys and tokens.
        .target(name: "Tenantwall", dependencies: ["Catalog", "PolicyGen", "Postgres", "LocalPostgres", "Migrations", "SQLParser", "Audit",
                                                   .product(name: "Crypto", package: "swift-crypto")]),
        /// `tenantwall bench`: a dataset from the spec, workloads, interleaved modes, plan checks and reports.
        .target(name: "TenantwallBench", dependencies: ["Tenantwall", "PolicyGen", "Postgres", "Migrations"]),
        .executableTarget(
            name: "MigrateCLI",
            dependencies: [
                "Tenantwall", "TenantwallBench", "PolicyGen", "Postgres", "LocalPostgres", "Migrations", "Audit", "SQLParser",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "PolicyGenTests", dependencies: ["Catalog", "PolicyGen", "Migrations", "SQLParser", "Audit"], exclude: ["Golden"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Catalog", "Tenantwall", "TenantwallBench", "PolicyGen", "Postgres", "LocalPostgres", "Migrations", "Audit",
                                                    .product(name: "Crypto", package: "swift-crypto")]),
    ]
)
