import Yams

/// The `tables` section: one entry per table, its name, schema and isolation. This file owns those keys, the
/// list of every table key (each kept in the file of the feature it belongs to), and the order a table's
/// checks run in; each isolation kind has its own file (`TenantTables`, `TenantsTable`, `SharedTables`,
/// `ExemptTables`), as do columns, grants, `restrict`, indexes, Citus placement and the time-series keys.
public struct Table: Sendable {
    public var schema: String
    public var name: String
    public var isolation: Isolation
    /// For `self` tables: the column holding the tenant's id.
    public var key: String?
    /// For `exempt` tables: why they need no RLS.
    public var reason: String?
    public var columns: [Column]
    public var primaryKey: [String]
    /// Role name → commands it may run.
    public var grants: [(role: String, commands: [Command])]
    /// Where each grant's role is named, for diagnostics.
    public var grantLocations: [String: SourceLocation] = [:]
    /// An extra condition every row must satisfy, added as a RESTRICTIVE policy (SQL, one expression).
    public var restrict: String?
    public var restrictLocation: SourceLocation?
    public var indexes: [Index]
    public var hypertable: Hypertable?
    public var partitioning: Partitioning?
    /// Citus: where the table lives, when not the default for its isolation (tenant and self tables
    /// distributed, shared ones reference tables, exempt ones on the coordinator).
    public var distribution: TableDistribution?
    /// The table's own `audit_trail:` (see `AuditTrail`).
    public var trail: TableTrail?
    public var location: SourceLocation?

    public init(schema: String, name: String, isolation: Isolation, key: String? = nil, reason: String? = nil, columns: [Column],
                primaryKey: [String] = [], grants: [(role: String, commands: [Command])] = [], restrict: String? = nil, indexes: [Index] = [],
                hypertable: Hypertable? = nil, partitioning: Partitioning? = nil, distribution: TableDistribution? = nil,
                location: SourceLocation? = nil) {
        self.schema = schema
        self.name = name
        self.isolation = isolation
        self.key = key
        self.reason = reason
        self.columns = columns
        self.primaryKey = primaryKey
        self.grants = grants
        self.restrict = restrict
        self.indexes = indexes
        self.hypertable = hypertable
        self.partitioning = partitioning
        self.distribution = distribution
        self.location = location
    }

    public var qualifiedName: String { "\(schema).\(name)" }

    public func column(_ name: String) -> Column? { columns.first { $0.name == name } }
}

public enum Isolation: String, CaseIterable, Sendable {
    /// Rows scoped by the tenant column.
    case tenant
    /// Readable by every tenant; writable only in admin mode.
    case shared
    /// The tenants table itself, keyed by its id.
    case `self`
    /// No RLS; requires a written reason.
    case exempt
}

// MARK: - Keys

extension Table {
    /// Every key a table takes, in the order messages offer them.
    static let keys: [SpecKey<Table>] = [
        SpecKey("name") { table, entry, reader in table.name = reader.string(entry.value, what: "table name") ?? "" },
        SpecKey("schema") { table, entry, reader in table.schema = reader.string(entry.value, what: "table schema") ?? "public" },
        SpecKey("isolation") { table, entry, reader in table.isolation = reader.choice(entry.value, what: "isolation", as: Isolation.self) ?? .tenant },
        tenantsKeyKey, exemptReasonKey, columnsKey,
        SpecKey("primary_key") { table, entry, reader in table.primaryKey = reader.strings(entry.value, what: "primary_key") ?? [] },
        grantsKey, restrictKey, indexesKey, hypertableKey, partitioningKey, distributionKey, auditTrailKey,
    ]

    /// One entry of the list, or nil (reported) when it is not a mapping or has no name.
    static func read(_ node: Node, _ reader: inout NodeReader) -> Table? {
        guard let entries = reader.entries(node, keys: keys, what: "a table") else { return nil }
        var table = Table(schema: "public", name: "", isolation: .tenant, columns: [], location: reader.location(node))
        reader.read(entries, into: &table, keys: keys)
        if !entries.contains(where: { $0.key == "name" }) { reader.error("a table needs a 'name'", node); return nil }
        if !entries.contains(where: { $0.key == "isolation" }) {
            reader.error("table '\(table.name)' needs an 'isolation' (one of: \(Isolation.allCases.map(\.rawValue).joined(separator: ", ")))", node)
        }
        return table
    }
}

// MARK: - Checks

extension Table {
    /// Every table's checks, in the order they report; `seen` finds a table declared twice.
    static func check(_ tables: [Table], _ checks: inout SpecChecks) {
        var seen: [String: SourceLocation?] = [:]
        for table in tables { table.check(&checks, seen: &seen) }
    }

    private func check(_ checks: inout SpecChecks, seen: inout [String: SourceLocation?]) {
        checkName(&checks, seen: &seen)
        checkPlacement(&checks)
        checkColumns(&checks)
        checkIsolation(&checks)
        for name in primaryKey { checks.requireColumn(name, "primary key column", of: self, location) }
        checkGrants(&checks)
        checkRestrict(&checks)
        checkIndexes(&checks)
        checkTimeSeries(&checks)
    }

    /// Names PostgreSQL keeps whole, no reserved schema, each table once, at least one column.
    private func checkName(_ checks: inout SpecChecks, seen: inout [String: SourceLocation?]) {
        checks.identifier(name, "table name", location)
        checks.identifier(schema, "schema name", location)
        checks.schemaName(schema, "schema", location)
        if let earlier = seen[qualifiedName] {
            let line = earlier.map { " (first at \($0.file):\($0.line))" } ?? ""
            checks.error("duplicate table '\(qualifiedName)'\(line)", location)
        }
        seen[qualifiedName] = location
        if columns.isEmpty { checks.error("table '\(qualifiedName)' declares no columns", location) }
    }

    /// What the table's isolation kind requires of it.
    private func checkIsolation(_ checks: inout SpecChecks) {
        switch isolation {
        case .tenant: checkTenantColumn(&checks)
        case .self: checkTenantsKey(&checks)
        case .exempt: checkExemption(&checks)
        case .shared: break
        }
        checkKeyOnlyOnTenantsTable(&checks)
    }
}
