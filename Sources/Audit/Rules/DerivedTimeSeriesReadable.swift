/// TW137: a compressed hypertable or a continuous aggregate over tenant data that an application role may read.
///
/// TimescaleDB refuses row-level security on a compressed hypertable and on the hypertable under a continuous
/// aggregate, and a continuous aggregate (a view over its materialization hypertable) applies none of its own:
/// whoever may read one reads every tenant's rows. The wall that works is a view in front of it, owned by the
/// table owner, `WITH (security_barrier)`, `WHERE tenant_id = <the tenant reader>` (and `WITH CHECK OPTION`
/// for writes), with the hypertable and the aggregate granted to no access role (docs/timescaledb.md).
public struct DerivedTimeSeriesReadable: AuditRule {
    public let id = "TW137", name = "derived-time-series-readable", severity = Severity.error
    public let title = "compressed hypertable or continuous aggregate over tenant data readable without a wall"
    public let explanation = "TimescaleDB allows no row-level security there: a role that may read it reads every tenant's rows. Read it through a security_barrier view filtered by the tenant reader instead."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        func readers(_ table: AuditCatalog.Table) -> [String] {
            Array(Set(catalog.grantees(table, privilege: "SELECT").filter { $0 == "PUBLIC" || input.isApp($0) })).sorted()
        }
        func tenantData(_ qualified: String) -> Bool { catalog.table(qualified)?.columns.contains(input.tenantColumn) ?? false }
        var out: [Finding] = []
        for name in catalog.compressedHypertables.sorted() where tenantData(name) {
            guard let table = catalog.table(name), !readers(table).isEmpty else { continue }
            out.append(finding("compressed hypertable \(name) cannot carry row-level security and is readable by \(readers(table).joined(separator: ", "))",
                               at: .object("table", name), fix: "REVOKE ALL ON \(Fix.table(name)) FROM \(readers(table).map { $0 == "PUBLIC" ? $0 : Fix.ident($0) }.joined(separator: ", "));"))
        }
        for (view, source) in catalog.continuousAggregates.sorted(by: { $0.key < $1.key }) where tenantData(source) {
            guard let table = catalog.table(view), !readers(table).isEmpty else { continue }
            out.append(finding("continuous aggregate \(view) over \(source) applies no row-level security and is readable by \(readers(table).joined(separator: ", "))",
                               at: .object("view", view), fix: "REVOKE ALL ON \(Fix.table(view)) FROM \(readers(table).map { $0 == "PUBLIC" ? $0 : Fix.ident($0) }.joined(separator: ", "));"))
        }
        return out
    }
}
