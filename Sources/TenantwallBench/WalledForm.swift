import PolicyGen
import Postgres
import Quoting
import Tenantwall

/// The walled form of a hypertable (issue #25), built in the benchmark by hand exactly as the shared design
/// describes it, until tenantwall generates it: `sql()` is the one place to swap for the generator's statements.
///
/// The benchmark keeps the spec's table in its RLS form under its own name and builds walled copies of it beside
/// it, on the same rows: the storage `<helper_schema>_walled.<copy>` (owner only, no RLS, no access role's
/// privilege; its indexes those of the RLS form, so both forms scan the same structures) and the view
/// `tw_bench_walled.<copy>` (`security_barrier`, the tenant predicate the table's policies use, the admin-mode
/// branch guarded by role membership, `restrict`, `WITH CASCADED CHECK OPTION`), granted the spec's commands.
struct WalledForm {
    /// Where the benchmark puts the walled views: the table's own name is taken by its RLS form.
    static let viewSchema = "tw_bench_walled"

    let spec: Spec
    /// The table in its RLS form (already applied and loaded).
    let table: Table
    let hypertable: Hypertable
    let compression: Compression
    /// The copy's name: the storage's and the view's.
    let name: String

    var storage: (schema: String, name: String) { (Hypertable.walledSchema(tenancy: spec.tenancy), name) }
    var view: (schema: String, name: String) { (Self.viewSchema, name) }
    var storageName: String { SQL.qualified(storage.schema, storage.name) }
    var viewName: String { SQL.qualified(view.schema, view.name) }

    /// The view's filter: the predicate of the table's SELECT policy (a sub-select of the reader: hypertables
    /// keep the InitPlan), OR-ed with admin mode for members of the admin role when it has grants, AND-ed with
    /// `restrict`.
    func predicate() -> String {
        let helpers = spec.tenancy.helperSchema
        let reader = spec.tenancy.missingContext == .error
            ? SQL.qualified(helpers, "required_tenant_id") + "(\(SQL.literal(table.qualifiedName)))"
            : SQL.qualified(helpers, "current_tenant_id") + "()"
        var condition = "\(SQL.ident(spec.tenancy.column)) = (SELECT \(reader))"
        if spec.roles.hasAdmin, !table.commands(for: spec.roles.admin).isEmpty {
            condition += " OR CASE WHEN pg_catalog.pg_has_role(CURRENT_USER, \(SQL.literal(spec.roles.admin)), 'USAGE')"
                + " THEN (SELECT \(SQL.qualified(helpers, "admin_mode_enabled"))()) ELSE false END"
        }
        if let restrict = table.restrict { condition = "(\(condition)) AND (\(restrict))" }
        return condition
    }

    /// Runs `body`, naming the design's known failure: with the admin-mode branch in the view's filter,
    /// TimescaleDB's chunk exclusion evaluates the branch's InitPlan, `admin_mode_enabled()`, as the application
    /// role, which may not read the admin-mode log (measured on 2.28.3; PostgreSQL alone never runs it).
    static func explaining<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as PostgresError where error.sqlState == "42501" && "\(error)".contains("admin_mode") {
            throw ToolError("bench: the walled view's admin-mode branch fails for the application role on a hypertable: \(error). "
                            + "TimescaleDB's chunk exclusion evaluates (SELECT admin_mode_enabled()) inside the CASE; give the table's admin "
                            + "role no grants to measure the walled form without the branch (see docs/bench.md)")
        }
    }

    /// The walled form's statements, in order: schema, storage hypertable with compression and its policies,
    /// the view and its grants.
    func sql() -> [String] {
        let owner = SQL.ident(spec.roles.owner), walled = SQL.ident(storage.schema)
        let segments = compression.segmentColumns(tenantColumn: spec.tenancy.column).map(SQL.ident).joined(separator: ", ")
        let order = compression.orderClause(timeColumn: hypertable.timeColumn)
        var sql = [
            "CREATE SCHEMA IF NOT EXISTS \(walled) AUTHORIZATION \(owner)",
            "REVOKE ALL ON SCHEMA \(walled) FROM PUBLIC",
            // The columns, keys, checks and indexes of the RLS form: both forms scan the same structures.
            "CREATE TABLE \(storageName) (LIKE \(SQL.qualified(table.schema, table.name)) INCLUDING ALL)",
            "ALTER TABLE \(storageName) OWNER TO \(owner)",
            "SELECT create_hypertable(\(SQL.regclass(storage.schema, storage.name)), time_column_name => \(SQL.literal(hypertable.timeColumn)), "
                + "chunk_time_interval => INTERVAL \(SQL.literal(hypertable.chunkInterval)), "
                + "associated_schema_name => \(SQL.literal(hypertable.chunkSchema(tenancy: spec.tenancy))), create_default_indexes => false)",
            "ALTER TABLE \(storageName) SET (timescaledb.compress, timescaledb.compress_segmentby = \(SQL.literal(segments)), "
                + "timescaledb.compress_orderby = \(SQL.literal(order)))",
            "SELECT add_compression_policy(\(SQL.regclass(storage.schema, storage.name)), INTERVAL \(SQL.literal(compression.after)))",
        ]
        if let retention = hypertable.retention {
            sql.append("SELECT add_retention_policy(\(SQL.regclass(storage.schema, storage.name)), INTERVAL \(SQL.literal(retention)))")
        }
        let columns = table.columns.map { SQL.ident($0.name) }.joined(separator: ", ")
        sql += [
            "CREATE SCHEMA IF NOT EXISTS \(SQL.ident(view.schema)) AUTHORIZATION \(owner)",
            "CREATE OR REPLACE VIEW \(viewName) WITH (security_barrier) AS SELECT \(columns) FROM \(storageName) WHERE \(predicate()) WITH CASCADED CHECK OPTION",
            "ALTER VIEW \(viewName) OWNER TO \(owner)",
        ]
        for grant in table.grants where !grant.commands.isEmpty {
            sql.append("GRANT USAGE ON SCHEMA \(SQL.ident(view.schema)) TO \(SQL.ident(grant.role))")
            sql.append("GRANT \(grant.commands.map(\.sql).joined(separator: ", ")) ON \(viewName) TO \(SQL.ident(grant.role))")
        }
        return sql
    }
}
