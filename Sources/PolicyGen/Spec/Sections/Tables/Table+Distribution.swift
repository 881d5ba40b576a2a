/// A table's `distribution` key (Citus): where the table lives, and what Citus demands of a distributed
/// table (unique keys that hold the distribution column, no hypertable). It owns the key, the placement rules
/// and their diagnostics; the cluster itself is chosen by `tenancy.distribution`.

/// Citus: where one table lives.
public enum TableDistribution: String, CaseIterable, Sendable {
    /// Distributed by the tenant column, colocated with the other tenant tables.
    case distributed
    /// Copied to every node (shared tables).
    case reference
    /// Left on the coordinator.
    case local
}


extension Table {
    static let distributionKey = SpecKey<Table>("distribution") { table, entry, reader in
        table.distribution = reader.choice(entry.value, what: "table distribution", as: TableDistribution.self)
    }

    /// On Citus: the column a tenant or tenants table is distributed by (the tenant column, or the tenants
    /// table's key); nil for reference (shared) and coordinator-local (exempt) tables.
    public func citusDistributionColumn(tenancy: Tenancy) -> String? {
        guard tenancy.citus, citusPlacement(tenancy: tenancy) == .distributed else { return nil }
        return scopeColumn(tenancy: tenancy)
    }

    /// Citus: where the table lives (the spec's `distribution`, else the default for its isolation).
    public func citusPlacement(tenancy: Tenancy) -> TableDistribution? {
        guard tenancy.citus else { return nil }
        if let distribution { return distribution }
        switch isolation {
        case .tenant, .self: return .distributed
        case .shared: return .reference
        case .exempt: return .local
        }
    }

    /// A placement that fits the table's isolation, and on Citus what a distributed table needs.
    func checkPlacement(_ checks: inout SpecChecks) {
        let t = checks.tenancy
        if let placement = distribution {
            if !t.citus { checks.error("'distribution: \(placement.rawValue)' on '\(qualifiedName)' needs tenancy.distribution: citus", location) }
            if placement == .reference && (isolation == .tenant || isolation == .self) {
                checks.error("'\(qualifiedName)' holds tenants' rows: a reference table would copy every tenant's rows to every node; distribute it, or keep it local", location)
            }
            if placement == .distributed && (isolation == .shared || isolation == .exempt) {
                checks.error("'\(qualifiedName)' has no tenant column to distribute by: make it a reference table or keep it local", location)
            }
        }
        guard t.citus, let column = citusDistributionColumn(tenancy: t) else { return }
        // Citus enforces uniqueness per shard: every unique key must contain the distribution column.
        if !primaryKey.isEmpty && !primaryKey.contains(column) {
            checks.error("on Citus, the primary key of '\(qualifiedName)' must contain the distribution column '\(column)'", location)
        }
        for index in indexes where index.unique && !index.columns.contains(where: { $0.name == column }) {
            checks.error("on Citus, the unique index on '\(qualifiedName)' must contain the distribution column '\(column)'", location)
        }
        // Partitions of a distributed table are distributed with it (Citus does it for partitions created
        // later too, by tenantwall or pg_partman); TimescaleDB and Citus do not share a table.
        if hypertable != nil {
            checks.error("on Citus, '\(qualifiedName)' cannot also be a hypertable (TimescaleDB and Citus do not share a table): use partitioning", location)
        }
    }
}
