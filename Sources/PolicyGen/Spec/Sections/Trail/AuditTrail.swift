import Yams

/// The `audit_trail` setting: which tenant tables write every change by an access role to the per-tenant change
/// trail (`Generation/Trail*`), and which of their columns the trail may hold.
///
/// Top level, `audit_trail: {tables: all, exclude: [password_hash], role: app_trail}` trails every tenant table
/// (and the tenants table; without `tables: all` the top level only sets `exclude` and `role` for the tables that
/// have their own setting); per table, `audit_trail: true` (every column but the excluded ones),
/// `audit_trail: {columns: [status, amount]}` or `audit_trail: false` (not this table, even with `tables: all`).
/// The spec has no notion of a secret column, so `exclude:` (top level: every table; per table: that table) names
/// the columns that are never written; a column in both `columns:` and `exclude:` is refused rather than guessed.
public struct AuditTrail: Sendable {
    /// `tables: all`: every table a tenant owns rows of, unless the table says `audit_trail: false`.
    public var allTables = false
    /// Columns never written to the trail, on any table.
    public var exclude: [String] = []
    /// The NOLOGIN role that owns the trail (default `<owner>_trail`).
    public var role: String?
    public var location: SourceLocation?

    public init(allTables: Bool = false, exclude: [String] = [], role: String? = nil, location: SourceLocation? = nil) {
        self.allTables = allTables
        self.exclude = exclude
        self.role = role
        self.location = location
    }
}

/// A table's own `audit_trail:`.
public struct TableTrail: Sendable {
    /// false: `audit_trail: false`, the table is left out even when the top level says `tables: all`.
    public var enabled = true
    /// The columns written (nil: every column but the excluded ones).
    public var columns: [String]?
    public var exclude: [String] = []
    public var location: SourceLocation?

    public init(enabled: Bool = true, columns: [String]? = nil, exclude: [String] = [], location: SourceLocation? = nil) {
        self.enabled = enabled
        self.columns = columns
        self.exclude = exclude
        self.location = location
    }
}

// MARK: - Keys

extension AuditTrail {
    enum TablesChoice: String, CaseIterable { case all }

    static let keys: [SpecKey<AuditTrail>] = [
        SpecKey("tables") { trail, entry, reader in trail.allTables = reader.choice(entry.value, what: "audit_trail.tables", as: TablesChoice.self) == .all },
        SpecKey("exclude") { trail, entry, reader in trail.exclude = reader.strings(entry.value, what: "audit_trail.exclude") ?? [] },
        SpecKey("role") { trail, entry, reader in trail.role = reader.string(entry.value, what: "audit_trail.role") },
    ]

    static func read(_ node: Node, _ reader: inout NodeReader, at location: SourceLocation) -> AuditTrail? {
        var trail = AuditTrail(location: location)
        guard let entries = reader.entries(node, keys: keys, what: "audit_trail") else { return nil }
        reader.read(entries, into: &trail, keys: keys)
        return trail
    }
}

extension TableTrail {
    static let keys: [SpecKey<TableTrail>] = [
        SpecKey("columns") { trail, entry, reader in trail.columns = reader.strings(entry.value, what: "audit_trail.columns") ?? [] },
        SpecKey("exclude") { trail, entry, reader in trail.exclude = reader.strings(entry.value, what: "audit_trail.exclude") ?? [] },
    ]

    /// `true`, `false`, or `{columns: […], exclude: […]}`.
    static func read(_ node: Node, _ reader: inout NodeReader, at location: SourceLocation) -> TableTrail? {
        if case .scalar = node {
            guard let enabled = reader.bool(node, what: "audit_trail") else { return nil }
            return TableTrail(enabled: enabled, location: location)
        }
        var trail = TableTrail(location: location)
        guard let entries = reader.entries(node, keys: keys, what: "audit_trail") else { return nil }
        reader.read(entries, into: &trail, keys: keys)
        return trail
    }
}

extension Table {
    static let auditTrailKey = SpecKey<Table>("audit_trail") { table, entry, reader in
        table.trail = TableTrail.read(entry.value, &reader, at: reader.location(entry.keyNode))
    }
}

// MARK: - What is trailed

extension Spec {
    /// The role that owns the trail.
    public var trailRole: String { auditTrail?.role ?? roles.owner + "_trail" }

    /// The schema the trail lives in: its own, owned by the trail role, because the owner of a schema may drop
    /// any object in it, and the helper schema is the table owner's.
    public var trailSchema: String { tenancy.helperSchema + "_trail" }

    /// The columns of `table` the trail writes, in table order; nil when the table is not trailed.
    public func trailColumns(_ table: Table) -> [String]? {
        guard table.scoped(tenancy: tenancy) != nil else { return nil }
        if let own = table.trail, !own.enabled { return nil }
        guard table.trail != nil || auditTrail?.allTables == true else { return nil }
        let excluded = Set((auditTrail?.exclude ?? []) + (table.trail?.exclude ?? []))
        let named = table.trail?.columns.map(Set.init)
        return table.columns.map(\.name).filter { !excluded.contains($0) && named?.contains($0) ?? true }
    }

    /// The tables that write to the trail, in spec order.
    public var trailedTables: [ScopedTable] { scopedTables.filter { trailColumns($0.table) != nil } }

    /// Whether the spec has a change trail at all.
    public var hasTrail: Bool { !trailedTables.isEmpty }
}

// MARK: - Checks

extension AuditTrail {
    static func check(_ spec: Spec, _ checks: inout SpecChecks) {
        let anyTable = spec.tables.contains { $0.trail?.enabled == true }
        guard spec.auditTrail != nil || anyTable else { return }
        let at = spec.auditTrail?.location ?? spec.tables.first { $0.trail?.enabled == true }?.trail?.location
        if let role = spec.auditTrail?.role {
            checks.identifier(role, "audit_trail.role", at)
            if ([spec.roles.owner] + spec.roles.accessRoles + spec.roles.adminMembers).contains(role) {
                checks.error("audit_trail.role '\(role)' must be a role of its own, not one the spec already names (the trail's owner may change it)", at)
            }
        }
        checks.identifier(spec.trailSchema, "the trail's schema", at)
        if let top = spec.auditTrail, !top.allTables, !anyTable {
            checks.error("audit_trail names no table: say 'tables: all', or give a table its own 'audit_trail'", top.location)
        }
        if let exclude = spec.auditTrail?.exclude {
            let all = Set(spec.tables.flatMap { $0.columns.map(\.name) })
            for name in exclude where !all.contains(name) {
                checks.error("audit_trail.exclude names column '\(name)', which no table has", at)
            }
        }
        for table in spec.tables {
            guard let trail = table.trail, trail.enabled else { continue }
            if table.scoped(tenancy: spec.tenancy) == nil {
                checks.error("audit_trail on '\(table.qualifiedName)': only tables whose rows belong to a tenant (isolation tenant or self) have a trail", trail.location)
                continue
            }
            for name in trail.columns ?? [] { checks.requireColumn(name, "audit_trail column", of: table, trail.location) }
            for name in trail.exclude { checks.requireColumn(name, "audit_trail.exclude column", of: table, trail.location) }
            let excluded = Set(trail.exclude + (spec.auditTrail?.exclude ?? []))
            for name in trail.columns ?? [] where excluded.contains(name) {
                checks.error("audit_trail column '\(name)' of '\(table.qualifiedName)' is also excluded; a column is either written or never written", trail.location)
            }
            if trail.columns?.isEmpty == true { checks.error("audit_trail.columns of '\(table.qualifiedName)' is empty; say 'audit_trail: false' to leave the table out", trail.location) }
        }
    }
}
