import Yams

/// A tenant model: how tenants are identified, which roles exist, and how every table is isolated.
///
/// Built by `SpecLoader` from one or more YAML files, then checked by `SpecValidator`. Every value keeps
/// where it came from, so later checks can still point at the line. Each section — its model, keys,
/// defaults, reading and diagnostics — lives in its own file under `Sections/`; this file holds only the
/// top-level keys that name them.
public struct Spec: Sendable {
    public var tenancy: Tenancy
    public var roles: Roles
    public var tables: [Table]
    /// Functions of the database's own that set a context or a flag outside tenantwall (an adopted database's
    /// `set_tenant_context()`, a session `enable_admin_mode()`), and what tenantwall does with each.
    public var legacyFunctions: [LegacyFunction]
    /// Materialized views over tenant tables, each read through a walled view (see `Rollup`).
    public var rollups: [Rollup]
    /// The top-level `audit_trail:` (per-table settings are on each table).
    public var auditTrail: AuditTrail?
    /// The files the spec came from, in load order (for headers and fingerprints).
    public var files: [String]

    public init(tenancy: Tenancy, roles: Roles, tables: [Table], legacyFunctions: [LegacyFunction] = [], rollups: [Rollup] = [], auditTrail: AuditTrail? = nil, files: [String]) {
        self.tenancy = tenancy
        self.roles = roles
        self.tables = tables
        self.legacyFunctions = legacyFunctions
        self.rollups = rollups
        self.auditTrail = auditTrail
        self.files = files
    }
}

// MARK: - Top-level keys

extension Spec {
    /// What the files have given so far: sections read, not yet merged, defaulted or checked.
    struct Parts {
        var tenancy: Tenancy?
        var roles: Roles?
        var tables: [Table] = []
        var legacyFunctions: [LegacyFunction] = []
        var rollups: [Rollup] = []
        var auditTrail: AuditTrail?
    }

    /// Sections a model has once; the other sections are lists, and the lists of every file add up.
    static let singleSections: Set<String> = ["tenancy", "roles", "audit_trail"]

    static let keys: [SpecKey<Parts>] = [
        SpecKey("tenancy") { parts, entry, reader in parts.tenancy = Tenancy.read(entry.value, &reader, at: reader.location(entry.keyNode)) },
        SpecKey("roles") { parts, entry, reader in parts.roles = Roles.read(entry.value, &reader, at: reader.location(entry.keyNode)) },
        list("tables", \.tables) { Table.read($0, &$1) },
        list("legacy_functions", \.legacyFunctions) { LegacyFunction.read($0, &$1) },
        list("rollups", \.rollups) { Rollup.read($0, &$1) },
        SpecKey("audit_trail") { parts, entry, reader in parts.auditTrail = AuditTrail.read(entry.value, &reader, at: reader.location(entry.keyNode)) },
    ]

    /// A section that is a list: each entry read (or skipped, reported) and added to what earlier files gave.
    private static func list<Item>(_ name: String, _ path: WritableKeyPath<Parts, [Item]> & Sendable,
                                   _ read: @escaping @Sendable (Node, inout NodeReader) -> Item?) -> SpecKey<Parts> {
        SpecKey(name) { parts, entry, reader in
            for item in reader.sequence(entry.value, what: name) ?? [] {
                if let value = read(item, &reader) { parts[keyPath: path].append(value) }
            }
        }
    }
}
