/// TW517: a migration creates a table with the tenant column and no later statement of the pending migrations
/// enables row-level security on it: it ships open to every tenant.
public struct MigrationTenantTableWithoutRLS: AuditRule {
    public let id = "TW517", name = "migration-tenant-table-without-rls", severity = Severity.error
    public let title = "new table with the tenant column but no row-level security"
    public let explanation = "A table that holds a tenant column holds tenants' rows; without ENABLE and FORCE ROW LEVEL SECURITY and a policy, every tenant reads them all."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        let all = MigrationStatement.all(input)
        return all.enumerated().compactMap { i, s in
            guard s.statement.kind == "CreateStmt", let table = s.relation,
                  strings(in: s.node["tableElts"] ?? [], keys: ["colname"]).contains(input.tenantColumn) else { return nil }
            let enabled = all[(i + 1)...].contains { later in
                later.relation.map { MigrationStatement.sameTable($0, table) } == true && later.alterCommands.contains { $0["subtype"] as? String == "AT_EnableRowSecurity" }
            }
            // A walled hypertable's storage: its wall is the view over it the same migrations create.
            guard !enabled, !MigrationStatement.isWalled(table, MigrationStatement.walled(in: all[(i + 1)...])) else { return nil }
            return finding("\(table) has \(input.tenantColumn) but no ENABLE ROW LEVEL SECURITY in the pending migrations", at: s.location,
                           fix: "ALTER TABLE \(Fix.table(table)) ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY; CREATE POLICY … (or declare it in the spec)")
        }
    }
}
