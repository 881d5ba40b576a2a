import Yams

/// Derived data of a hypertable — `compression` (the columnstore) and `continuous_aggregates` — and the walled
/// form they need. This file owns both keys, what makes a table walled, where its rows then live, and the checks.
///
/// TimescaleDB refuses compression and continuous aggregates on a table with row-level security ("columnstore
/// cannot be used on table with row security"; "cannot create continuous aggregate on hypertable with row
/// security"), and RLS cannot be enabled once compression is. So a hypertable that asks for either is walled:
/// - the hypertable moves to a private schema (`walledSchema`, `<helper_schema>_walled`) that no access role
///   may use; it carries no RLS and no access role's privilege, so neither do its chunks, compressed chunks,
///   continuous aggregates or their materialization hypertables (TimescaleDB copies the hypertable's or the
///   aggregate's own ACL, which holds the owner only);
/// - the table's name becomes a view owned by the owner, `WITH (security_barrier)`, filtered by the tenant
///   reader (the same predicate, bindings and admin mode as a tenant table's policies) and
///   `WITH CHECK OPTION`, so a write of another tenant's row is refused (SQLSTATE 44000);
/// - each continuous aggregate lives in the walled schema too, read through a view of its own name.
/// The owner reads and maintains the hypertable directly: compression, refresh and retention see every row.
extension Hypertable {
    static let derivedKeys: [SpecKey<Hypertable>] = [
        SpecKey("compression") { h, entry, reader in h.compression = Compression.read(entry.value, &reader) },
        SpecKey("continuous_aggregates") { h, entry, reader in h.continuousAggregates = ContinuousAggregate.readList(entry.value, &reader) },
    ]

    /// Whether it asks for derived data, and is therefore built in the walled form.
    public var isWalled: Bool { compression != nil || !continuousAggregates.isEmpty }

    /// The private schema of walled hypertables and their continuous aggregates.
    public static func walledSchema(tenancy: Tenancy) -> String { tenancy.helperSchema + "_walled" }
}

extension Table {
    /// Whether the table is a walled hypertable: its name is a view, its rows live in `storage`.
    public var isWalled: Bool { hypertable?.isWalled == true }

    /// Where the table's rows live: the walled schema for a walled hypertable (same name), else the table itself.
    /// What reads or maintains the rows as the owner (indexes, compression, rollups, checksums) names this; what
    /// the application names is `schema.name`.
    public func storage(tenancy: Tenancy) -> (schema: String, name: String) {
        isWalled ? (Hypertable.walledSchema(tenancy: tenancy), name) : (schema, name)
    }

    /// Compression's and the aggregates' own checks, and what the walled form rules out: Citus, a name another
    /// walled table or aggregate already takes in the walled schema, and a walled schema that is a table's.
    func checkWalled(_ h: Hypertable, _ checks: inout SpecChecks) {
        let walled = Hypertable.walledSchema(tenancy: checks.tenancy)
        if checks.tenancy.citus {
            checks.error("'\(qualifiedName)': compression and continuous aggregates are not built on Citus", h.location)
        }
        checks.identifier(walled, "the walled schema (helper_schema + '_walled')", h.location)
        if checks.spec.tables.contains(where: { $0.schema == walled }) {
            checks.error("schema '\(walled)' holds walled hypertables and their aggregates only; no table of the spec may live in it", h.location)
        }
        if let compression = h.compression { compression.check(self, h, &checks) }
        // Names in the walled schema: the walled tables before this one, then each aggregate.
        var seen: [String: SourceLocation] = [:]
        for other in checks.spec.tables where other.isWalled {
            if other.schema == schema && other.name == name { break }
            seen[other.name] = seen[other.name] ?? other.location ?? checks.start
            for aggregate in other.hypertable?.continuousAggregates ?? [] { seen[aggregate.name] = seen[aggregate.name] ?? aggregate.location ?? checks.start }
        }
        if let earlier = seen[name] {
            checks.error("'\(qualifiedName)' would live in \(walled) as '\(name)', a name another walled table or aggregate takes (at \(earlier.file):\(earlier.line)); rename one", location)
        }
        seen[name] = location ?? checks.start
        for aggregate in h.continuousAggregates { aggregate.check(self, seen: &seen, &checks) }
    }
}
