import Citus
import PolicyGen
import Postgres
import Quoting
import Tenantwall

/// Citus: what verify does before it commits any probe row. It removes the probe rows earlier runs left when
/// they were killed or lost their connection (`ProbeRegistry`), says so on stderr and in the report, and then
/// makes sure the probe tenant ids belong to no real tenant, since the probe rows are committed and later
/// deleted by those ids.
extension Verifier {
    /// The `leftover-probe-rows` note and the `probe-tenants-unused` checks (nothing off Citus). A failed
    /// `probe-tenants-unused` means no table may be probed.
    func leftoverChecks(_ db: Connection) throws -> [CheckResult] {
        guard spec.tenancy.citus, try CitusPlacements.installed(db) else { return [] }
        try ProbeRegistry.ensure(db)
        let removed = try ProbeRegistry.leftovers(db)
        let summary = Self.describe(removed)
        let running = try ProbeRegistry.running(db)
        if !running.isEmpty { notice("left alone the probe rows of verify runs still in progress (their sessions are open): run \(running.joined(separator: ", "))") }
        if !removed.isEmpty { notice("removed the probe rows earlier verify runs left behind (killed or disconnected): \(summary)") }
        let registry = "SELECT * FROM \(SQL.qualified(ProbeRegistry.schema, ProbeRegistry.table))"
        var out = [check("leftover-probe-rows", "-", "-", "CLEANUP", "probe rows of earlier verify runs that were killed or lost their connection are removed from every node",
                         registry, expected: "none left", actual: removed.isEmpty ? "none found" : "removed \(summary)", passed: true)]
        for table in spec.scopedTables {
            let sql = "SELECT count(*) FROM \(SQL.qualified(table.schema, table.name)) WHERE \(SQL.ident(table.column))::text = ANY ($1::text[])"
            let held = try db.query(sql, ["{" + tenantIds.map(ProbeRegistry.arrayElement).joined(separator: ",") + "}"]).scalar ?? "?"
            out.append(check("probe-tenants-unused", table.qualifiedName, "-", "SELECT", "no real tenant has a probe tenant id (\(tenantIds.joined(separator: ", "))) in \(table.qualifiedName)",
                             sql, expected: "0 rows", actual: held == "0" ? "0 rows" : "\(held) rows: not probed (" + (running.isEmpty ? "a real tenant has one of these ids" : "another verify is running") + ")",
                             passed: held == "0"))
        }
        return out
    }

    /// `verify --cleanup`: removes what killed runs left (probe rows, on every node) without running any
    /// check. Only Citus commits probe rows, and Citus supports only the context binding, so no probe role is
    /// ever committed: elsewhere everything verify writes is rolled back.
    public static func removeLeftovers(conninfo: String) throws -> [ProbeRegistry.Removal] {
        let db = try Connection(conninfo)
        guard try db.bypassesRLS() else {
            throw ToolError("verify --cleanup deletes probe rows and needs a connection that bypasses RLS: connect as a superuser or a role with BYPASSRLS")
        }
        return try ProbeRegistry.leftovers(db)
    }

    /// `public.tenants: 20 rows, public.workflows: 40 rows (run 1a2b)`, tables of one run together.
    public static func describe(_ removed: [ProbeRegistry.Removal]) -> String {
        var runs: [String] = []
        for removal in removed where !runs.contains(removal.run) { runs.append(removal.run) }
        return runs.map { run in
            removed.filter { $0.run == run }.map { "\($0.table): \($0.rows) rows" }.joined(separator: ", ") + " (run \(run))"
        }.joined(separator: "; ")
    }
}
