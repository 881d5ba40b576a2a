import PolicyGen
import Postgres
import Quoting

/// What plan says about hypertables that change form (`Table.isWalled`), and what stops the move.
///
/// - RLS → walled: the table at `<schema>.<name>` moves to the walled schema (`SET SCHEMA`, catalog only) and its
///   name becomes the wall view. A view, materialized view or function that tenantwall did not make and that
///   reads the table would, after the move, read the walled hypertable (a view follows the relation, not the
///   name) with no RLS, as its owner: every tenant's rows. The move is blocked until it is dropped or rewritten.
/// - walled → RLS: the hypertable moves back; its compressed chunks are decompressed and tenantwall's
///   continuous aggregates dropped. An aggregate tenantwall did not make blocks it.
struct WalledMoves {
    var effects: [String] = []
    var blockers: [String] = []

    static func read(_ connection: Connection, spec: Spec, dependents: Dependents) throws -> WalledMoves {
        var out = WalledMoves()
        let walled = Hypertable.walledSchema(tenancy: spec.tenancy)
        let ours = [walled, Rollup.privateSchema(tenancy: spec.tenancy), spec.tenancy.helperSchema]
        for table in spec.tables where table.hypertable != nil {
            let name = SQL.qualified(table.schema, table.name), storage = SQL.qualified(walled, table.name)
            let kinds = try connection.query("""
                SELECT (SELECT c.relkind::text FROM pg_catalog.pg_class AS c WHERE c.oid = pg_catalog.to_regclass($1)),
                       (SELECT c.relkind::text FROM pg_catalog.pg_class AS c WHERE c.oid = pg_catalog.to_regclass($2))
                """, [name, storage]).rows.first ?? [nil, nil]
            let atName = kinds[0], atStorage = kinds[1]
            if table.isWalled, atName == "r" || atName == "p", atStorage == nil {
                let rows = try connection.query("SELECT count(*)::text FROM \(name)").scalar ?? "?"
                out.effects.append("\(table.qualifiedName) moves to the walled form: its policies and RLS go, it moves to \(walled).\(table.name) (ALTER TABLE … SET SCHEMA, catalog only) with compression and aggregates as the spec says, and \(table.qualifiedName) becomes its wall view (security_barrier, check option); \(rows) rows kept")
                if let orphans = try orphanRows(connection, spec: spec, table: table, name: name) { out.effects.append(orphans) }
                for view in dependents.views where view.reads.contains(table.qualifiedName) && !ours.contains(where: { view.name.hasPrefix($0 + ".") || view.name.hasPrefix("\"\($0)\".") }) {
                    out.blockers.append("\(view.kind) \(view.name) (owner \(view.owner)) reads \(table.qualifiedName): after the move it would read \(walled).\(table.name), which has no RLS, as \(view.owner), and show every tenant's rows; drop it, or recreate it over the wall view \(table.qualifiedName) after the move")
                }
                for function in dependents.functions where function.reads.contains(table.qualifiedName) {
                    out.blockers.append("function \(function.signature) (owner \(function.owner)) names \(table.qualifiedName), which becomes a wall view filtered by the caller's tenant: check what it does for every tenant (a job), then drop it or change it, and apply again")
                }
            } else if !table.isWalled, atStorage == "r", atName == nil || atName == "v" {
                let rows = try connection.query("SELECT count(*)::text FROM \(storage)").scalar ?? "?"
                out.effects.append("\(table.qualifiedName) moves back from the walled form to RLS: tenantwall's continuous aggregates on it are dropped, every compressed chunk is decompressed, compression is turned off, the wall view goes and \(walled).\(table.name) takes its name again (SET SCHEMA); \(rows) rows kept")
                let foreign = try connection.query("""
                    SELECT a.view_schema || '.' || a.view_name FROM timescaledb_information.continuous_aggregates AS a
                    WHERE a.hypertable_schema = $1 AND a.hypertable_name = $2
                      AND pg_catalog.obj_description(pg_catalog.format('%I.%I', a.view_schema, a.view_name)::regclass, 'pg_class') NOT LIKE 'tenantwall continuous aggregate: %'
                    ORDER BY 1
                    """, [walled, table.name]).rows.compactMap { $0[0] }
                for aggregate in foreign {
                    out.blockers.append("continuous aggregate \(aggregate) reads \(walled).\(table.name), and tenantwall did not make it: TimescaleDB refuses RLS under it; drop it, or keep compression or continuous_aggregates in the spec of \(table.qualifiedName)")
                }
            }
        }
        return out
    }

    /// Under RLS the admin role in admin mode reaches every row; through a wall it reaches the rows of the
    /// tenants the tenants table holds (`admin_tenant_ids()`). Rows whose tenant has no row there would drop out of
    /// the admin's reach (an ingest or support job's), so plan says how many before anything changes.
    static func orphanRows(_ connection: Connection, spec: Spec, table: Table, name: String) throws -> String? {
        guard spec.roles.hasAdmin, !table.commands(for: spec.roles.admin).isEmpty, let tenants = spec.adminTenantsTable,
              let key = tenants.scopeColumn(tenancy: spec.tenancy), let scope = table.scopeColumn(tenancy: spec.tenancy),
              try connection.query("SELECT pg_catalog.to_regclass($1) IS NOT NULL", [SQL.qualified(tenants.schema, tenants.name)]).flag else { return nil }
        let count = try connection.query("""
            SELECT count(*)::text FROM \(name) AS r
            WHERE NOT EXISTS (SELECT FROM \(SQL.qualified(tenants.schema, tenants.name)) AS k WHERE k.\(SQL.ident(key)) = r.\(SQL.ident(scope)))
            """).scalar ?? "0"
        guard count != "0" else { return nil }
        return "\(table.qualifiedName): \(count) rows belong to no tenant of \(tenants.qualifiedName); \(spec.roles.admin) in admin mode reaches them today and will not through the wall (it admits the tenants \(tenants.qualifiedName) holds): add their tenants there, or remove the rows, before a job of \(spec.roles.admin) needs them"
    }
}
