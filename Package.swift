// swift-tools-version:5.9
import PackageDescription

let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let yams: Target.Dependency = .product(name: "Yams", package: "Yams")

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
        /// Z3's C API (apt: libz3-dev): the solver that decides what a predicate admits.
        .systemLibrary(name: "CZ3", pkgConfig: "z3", providers: [.apt(["libz3-dev"])]),
        /// Identifier and literal quoting: the one place SQL text is built from names and values. Pure, no dependencies.
        .target(name: "Quoting"),
        /// Splits and parses SQL with PostgreSQL's own parser.
        .target(name: "SQLParser", dependencies: ["CPgQuery"]),
        /// Versioned and repeatable migrations: file names, checksums, directives, and what to run (pure).
        .target(name: "Migrations", dependencies: ["SQLParser", crypto]),
        /// The one catalog model: what a live database holds, as typed values, and the set-based queries that read
        /// it (run by Tenantwall's CatalogReader). Pure: plan, audit and verify are functions of it.
        .target(name: "Catalog"),
        /// Pure core: spec model, validation, SQL generation, catalog snapshots and plans. No I/O.
        .target(name: "PolicyGen", dependencies: ["Quoting", "Catalog", "SQLParser", yams]),
        /// Output that every command and report writes alike: the one JSON writer, XML/HTML and Markdown escaping.
        /// Pure, no dependencies.
        .target(name: "Reporting"),
        /// Audit rules (one per file) over a catalog snapshot, a spec and migration files; report formats. Pure. The
        /// semantic rules judge each effective predicate with Proof's solver, the engine prove and review use.
        .target(name: "Audit", dependencies: ["Quoting", "Catalog", "PolicyGen", "Migrations", "SQLParser", "Reporting", "Proof", yams]),
        /// The access model (each role × object × command: grant, RLS, effective predicate) and the solver that
        /// compares predicates and proves the tenant wall. Pure: no I/O.
        .target(name: "Proof", dependencies: ["CZ3", "Catalog", "SQLParser", "Quoting", "Reporting"]),
        /// A small database layer over libpq: connections, parameterised queries, server errors.
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        /// Starts a throwaway PostgreSQL server, Citus cluster or PgBouncer in a temporary directory (the embedded
        /// default, and the tests' servers).
        .target(name: "LocalPostgres", dependencies: ["Postgres", "Quoting"]),
        /// What every database-facing command shares: spec files from disk, tool errors, the server's
        /// capabilities, the typed catalog read, scratch databases, signal handling, the worker pool.
        .target(name: "Tenantwall", dependencies: ["Quoting", "Catalog", "PolicyGen", "Postgres", "Audit"]),
        /// Citus: shard placements and the fan-out guard.
        .target(name: "Citus", dependencies: ["Quoting", "Tenantwall", "PolicyGen", "Postgres"]),
        /// Taking over an existing database: `init`'s catalog reading, and what plan reads of one (columns,
        /// each role's reach, dependents that would see no rows, the database's own setters).
        .target(name: "Adoption", dependencies: ["Quoting", "Catalog", "Tenantwall", "PolicyGen", "Postgres"]),
        /// The deploy path: plan and apply against a live database, and the migration runner's I/O.
        .target(name: "Deploy", dependencies: ["Quoting", "Catalog", "Tenantwall", "Citus", "PolicyGen", "Postgres", "Migrations", "SQLParser"]),
        /// Audit runs against live databases and migration folders.
        .target(name: "LiveAudit", dependencies: ["Quoting", "Catalog", "Deploy", "Tenantwall", "Audit", "PolicyGen", "Postgres", "Migrations", "SQLParser"]),
        /// Tenants, signing keys and tokens (swift-crypto).
        .target(name: "Identity", dependencies: ["Quoting", "Tenantwall", "PolicyGen", "Postgres", crypto]),
        /// `tenantwall verify`: the checks as values, the probe engine, reports.
        .target(name: "Verification", dependencies: ["Quoting", "Catalog", "Reporting", "Tenantwall", "Deploy", "Citus", "Identity", "PolicyGen", "Postgres", "LocalPostgres"]),
        /// `tenantwall demo`: every example generated, applied, verified and audited on a throwaway server.
        .target(name: "Demo", dependencies: ["Quoting", "Catalog", "Tenantwall", "Deploy", "Citus", "Identity", "Verification", "PolicyGen", "Postgres", "LocalPostgres", "Audit"]),
        /// `tenantwall bench`: a dataset from the spec, workloads, interleaved modes, plan checks and reports.
        .target(name: "TenantwallBench", dependencies: ["Quoting", "Catalog", "Reporting", "Tenantwall", "Deploy", "Identity", "PolicyGen", "Postgres", "Migrations"]),
        /// `tenantwall review` and `prove`: both sides built in scratch databases, compared, witnesses run.
        /// The tenant's life beyond provisioning: export (and, next, erasure with a certificate).
        .target(name: "Lifecycle", dependencies: ["Quoting", "Catalog", "Tenantwall", "Identity", "PolicyGen", "Postgres", "Migrations", crypto]),
        .target(name: "Review", dependencies: ["Proof", "Quoting", "Catalog", "Reporting", "Tenantwall", "Deploy", "Identity", "PolicyGen", "Postgres", "LocalPostgres", "Migrations"]),
        .executableTarget(
            name: "MigrateCLI",
            dependencies: [
                "Tenantwall", "Citus", "Adoption", "Deploy", "LiveAudit", "Identity", "Lifecycle", "Verification", "Demo", "TenantwallBench",
                "Proof", "Review", "Catalog", "PolicyGen", "Postgres", "LocalPostgres", "Migrations", "Audit", "SQLParser", "Quoting", "Reporting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "PolicyGenTests", dependencies: ["Catalog", "PolicyGen", "Quoting", "Migrations", "SQLParser", "Audit", "Reporting", "Proof"], exclude: ["Golden"]),
        .testTarget(name: "ProofTests", dependencies: ["Proof", "Catalog"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Proof", "Review", "Lifecycle", "Catalog", "Tenantwall", "Citus", "Adoption", "Deploy", "LiveAudit", "Identity", "Verification", "Demo",
                                                    "TenantwallBench", "PolicyGen", "Quoting", "Postgres", "LocalPostgres", "Migrations", "Audit", crypto, yams]),
    ]
)
