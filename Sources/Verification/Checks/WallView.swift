import PolicyGen
import Quoting

/// A walled table's name is a view, its only wall (the storage carries no RLS: TimescaleDB refuses it with
/// compression and continuous aggregates). It takes the place of `rls-enabled-forced` there: the view must
/// exist, be `security_barrier`, read the storage, filter by the tenant reader and carry `WITH CHECK OPTION`.
struct WallView: TableCheck {
    let info = CheckInfo(id: "wall-view", tries: "a walled hypertable's name (`compression:` or `continuous_aggregates:`), in the catalog",
                         passesWhen: "a view, `security_barrier`, reading the storage (`<helper_schema>_walled.<name>`), its WHERE comparing the tenant column with the tenant reader, `WITH CHECK OPTION`")
    let scope = CheckScope.table

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        guard probe.table.isWalled else { return [] }
        let storage = probe.table.storage(tenancy: probe.spec.tenancy)
        let source = SQL.qualified(storage.schema, storage.name)
        let problems = try WallViewShape.problems(probe.connection, view: probe.name, source: source, scopeColumn: probe.scopeColumn,
                                                  helperSchema: probe.spec.tenancy.helperSchema, checkOption: true)
        let sql = WallViewShape.sql.replacingOccurrences(of: "$1", with: SQL.literal(probe.name)).replacingOccurrences(of: "$2", with: SQL.literal(source))
        var out = probe.result(info.id, "-", "-", "CATALOG", "\(probe.table.qualifiedName) is the wall view over \(source)", sql + ";",
                               expected: "view, security_barrier, reads the storage, tenant filter, WITH CHECK OPTION",
                               actual: problems.isEmpty ? "wall view" : problems.joined(separator: "; "), passed: problems.isEmpty)
        let options = "COALESCE(c.reloptions::text, '')"
        out.tap = probe.tapCatalog("""
            (SELECT c.relkind = 'v' AND \(options) LIKE '%security_barrier=true%' AND \(options) LIKE '%check_option=%'
                    AND pg_catalog.pg_get_viewdef(c.oid) ~ \(SQL.literal("WHERE.*(current|required)_tenant_id\\("))
             FROM pg_catalog.pg_class AS c WHERE c.oid = pg_catalog.to_regclass(\(SQL.literal(probe.name))))
            """, "\(info.id): \(probe.table.qualifiedName) is the wall view over \(source)")
        return [out]
    }
}
