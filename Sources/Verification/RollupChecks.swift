import PolicyGen
import Postgres
import Quoting

/// Rollups (`rollups:`): each walled view tried as every access role that may read it, and the materialized
/// view behind it named directly. A materialized view applies no RLS, so the walled view's own `WHERE` is the
/// only wall: these checks read real rows of the rollup (probe rows cannot reach a materialized view until a
/// refresh), as each tenant that has some.
extension Verifier {
    static let rollupChecks = [
        CheckInfo(id: "rollup-own-rows", tries: "each rollup's walled view, as every access role that may read it, with the context of each tenant the rollup holds rows of (at most 3)",
                  passesWhen: "every row it returns is that tenant's, and it returns all of them"),
        CheckInfo(id: "rollup-no-context", tries: "each rollup's walled view, as every access role that may read it, with no tenant context", passesWhen: "0 rows"),
        CheckInfo(id: "rollup-hidden", tries: "each rollup's materialized view (in `<helper_schema>_rollups`) named directly, as every access role",
                  passesWhen: "refused (42501) or 0 rows"),
        CheckInfo(id: "rollup-refresh-restricted", tries: "EXECUTE on `<helper_schema>.refresh_rollups()` for every access role",
                  passesWhen: "only the admin role holds it (the refresh reads every tenant as the owner)"),
    ]

    func rollupChecks(_ db: Connection) throws -> [CheckResult] {
        guard !spec.rollups.isEmpty else { return [] }
        var out: [CheckResult] = []
        // Roles that exist (a missing one is `role-exists`'s finding).
        let existing = Set(try db.query("SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY ($1::text[])", [SQL.textArray(spec.roles.accessRoles)]).rows.compactMap { $0[0] })
        let roles = uniqued(spec.roles.accessRoles).filter(existing.contains), column = SQL.ident(spec.tenancy.column)
        let privateSchema = Rollup.privateSchema(tenancy: spec.tenancy)
        let session = ProbeSession(connection: db, spec: spec, secret: settings.secret)
        try db.execute("BEGIN")
        defer { _ = try? db.execute("ROLLBACK") }
        for rollup in spec.rollups {
            let view = SQL.qualified(rollup.viewSchema, rollup.name), materialized = SQL.qualified(privateSchema, rollup.name)
            let table = rollup.qualifiedName
            let populated = try db.query("SELECT relispopulated FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass($1)", [materialized]).flag
            // What the rollup holds, per tenant, read as the verifier (which bypasses RLS; none applies here anyway).
            let held = populated ? try db.query("""
                SELECT \(column)::text AS tenant, count(*)::text AS n FROM \(materialized) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3
                """).named.compactMap { row in row["tenant"].map { ($0, row["n"] ?? "0") } } : []
            for role in roles {
                let hidden = "SELECT count(*) FROM \(materialized)"
                let attempt = try session.act(role, .none) { session.attempt(hidden) }
                out.append(check("rollup-hidden", table, role, "SELECT", "the materialized view \(materialized) behind \(table) is closed to \(role)",
                                 session.evidence, expected: "42501 or 0 rows", actual: attempt.error?.brief ?? "\(attempt.result?.scalar ?? "?") rows",
                                 passed: attempt.error?.sqlState == "42501" || attempt.result?.scalar == "0"))
                guard try db.query("SELECT has_table_privilege($1, $2, 'SELECT')", [role, view]).flag else { continue }
                let none = try session.act(role, .none) { session.attempt("SELECT count(*) FROM \(view)") }
                out.append(check("rollup-no-context", table, role, "SELECT", "\(table) shows \(role) nothing without a tenant context",
                                 session.evidence, expected: "0 rows", actual: none.error?.brief ?? "\(none.result?.scalar ?? "?") rows",
                                 passed: none.error != nil || none.result?.scalar == "0"))
                guard spec.tenancy.binding != .role else { continue }
                for (tenant, count) in held {
                    let sql = """
                        SELECT count(*) FILTER (WHERE \(column)::text IS DISTINCT FROM \(SQL.literal(tenant)))::text || ' foreign, '
                               || count(*) FILTER (WHERE \(column)::text = \(SQL.literal(tenant)))::text || ' own' FROM \(view)
                        """
                    let read = try session.act(role, .tenant(tenant)) { session.attempt(sql) }
                    let expected = "0 foreign, \(count) own"
                    var result = check("rollup-own-rows", table, role, "SELECT", "\(role) reads exactly its own tenant's rows of \(table)",
                                       session.evidence, expected: expected, actual: read.error?.brief ?? read.result?.scalar ?? "?",
                                       passed: read.result?.scalar == expected)
                    result.tenant = tenant
                    out.append(result)
                }
            }
        }
        let function = SQL.qualified(spec.tenancy.helperSchema, "refresh_rollups") + "()"
        for role in roles {
            let may = try db.query("SELECT has_function_privilege($1, $2, 'EXECUTE')", [role, function]).flag
            out.append(check("rollup-refresh-restricted", "-", role, "EXECUTE", "\(role) \(role == spec.roles.admin ? "may" : "may not") refresh the rollups",
                             "SELECT has_function_privilege(\(SQL.literal(role)), \(SQL.literal(function)), 'EXECUTE')",
                             expected: role == spec.roles.admin ? "EXECUTE" : "no EXECUTE", actual: may ? "EXECUTE" : "no EXECUTE",
                             passed: may == (role == spec.roles.admin)))
        }
        return out
    }
}
