import PolicyGen
import Postgres

/// What the server can install, checked before any generated statement runs: a spec that needs an extension
/// the server lacks fails with what to install (or which spec setting avoids it), not with the server's bare
/// `extension "…" is not available` halfway through a plan. The demo and tests use the same checks to say what
/// they leave out.
public struct ServerCapabilities {
    let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// Whether `CREATE EXTENSION` can succeed: installed, and for TimescaleDB also preloaded (it refuses to be
    /// created otherwise).
    public func available(_ extensionName: String) throws -> Bool {
        guard try connection.query("SELECT count(*) FROM pg_catalog.pg_available_extensions WHERE name = $1", [extensionName]).scalar == "1" else {
            return false
        }
        if extensionName == "timescaledb" {
            return try connection.query("SELECT pg_catalog.current_setting('shared_preload_libraries') ~ '(^|[ ,])timescaledb'").flag
        }
        return true
    }

    /// The server's major version (15, 18 …).
    public func majorVersion() throws -> Int {
        Int(try connection.query("SELECT pg_catalog.current_setting('server_version_num')").scalar ?? "0").map { $0 / 10000 } ?? 0
    }

    /// Every extension the spec needs that this server cannot create, each with what to do about it.
    public func missing(for spec: Spec) throws -> [MissingExtension] {
        var out: [MissingExtension] = []
        let major = try majorVersion()
        let partman = spec.tables.filter { $0.partitioning?.manager == .pg_partman }.map(\.qualifiedName)
        if !partman.isEmpty, try !available("pg_partman") {
            let install = major == 15 ? "apt-get install postgresql-15-partman"
                : "pg_partman 5.x from its source: make NO_BGW=1 install PG_CONFIG=<this server's pg_config>"
            out.append(MissingExtension(name: "pg_partman", tables: partman,
                                        remedy: "install it (\(install)) or use 'manager: native' for \(partman.joined(separator: ", "))"))
        }
        let hypertables = spec.tables.filter { $0.hypertable != nil }.map(\.qualifiedName)
        if !hypertables.isEmpty, try !available("timescaledb") {
            out.append(MissingExtension(name: "timescaledb", tables: hypertables,
                                        remedy: "install TimescaleDB (not in Debian's packages: build it from source, see docs/install.md) and add it to shared_preload_libraries, or remove 'hypertable' from \(hypertables.joined(separator: ", "))"))
        }
        if spec.tenancy.citus, try connection.query("SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'citus'").scalar != "1" {
            out.append(MissingExtension(name: "citus", tables: spec.tables.map(\.qualifiedName),
                                        remedy: "connect to a Citus coordinator (CREATE EXTENSION citus on every node, shared_preload_libraries = 'citus', workers added with citus_add_node; the demo runs it with tenantwall demo --citus), or remove 'distribution: citus'"))
        }
        if spec.tenancy.helpers == .extension, try !available("tenantwall") {
            out.append(MissingExtension(name: "tenantwall", tables: [],
                                        remedy: "install it (make -C sql install PG_CONFIG=<this server's pg_config>) or set 'helpers: inline' in tenancy"))
        }
        return out
    }

    /// Throws `MissingExtensions` when the server lacks something the spec needs.
    public func require(_ spec: Spec) throws {
        let missing = try missing(for: spec)
        if !missing.isEmpty { throw MissingExtensions(missing: missing) }
    }

    /// Drops hypertables when TimescaleDB is absent and inlines helpers when the extension is not installed.
    public func adapt(_ spec: Spec, notes: inout [String]) throws -> Spec {
        var spec = spec
        if spec.tables.contains(where: { $0.hypertable != nil }), try !available("timescaledb") {
            let names = spec.tables.filter { $0.hypertable != nil }.map(\.qualifiedName)
            notes.append("TimescaleDB is not available on this server: \(names.joined(separator: ", ")) created as plain tables (hypertable SQL is covered by the golden files)")
            spec.tables = spec.tables.map { var t = $0; t.hypertable = nil; return t }
        }
        if spec.tenancy.helpers == .extension, try !available("tenantwall") {
            notes.append("the tenantwall extension is not installed on this server (make -C sql install): helpers inlined instead"
                         + (spec.tenancy.contextStore == .backend ? ", and the context written into the setting (context_store: backend needs the extension)" : ""))
            spec.tenancy.helpers = .inline  // Tenancy.holdsContext is then false: the setting is written
        }
        return spec
    }
}

public struct MissingExtension: Sendable, Equatable {
    public var name: String
    public var tables: [String]
    public var remedy: String
}

/// The spec needs extensions this server cannot create; nothing was run. Exit code 2.
public struct MissingExtensions: Error, CustomStringConvertible {
    public var missing: [MissingExtension]
    public init(missing: [MissingExtension]) { self.missing = missing }
    public var description: String {
        "the spec needs extensions this server does not have (nothing was changed):\n"
            + missing.map { "  - \($0.name): \($0.remedy)" }.joined(separator: "\n")
    }
}
