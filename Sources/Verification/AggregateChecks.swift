import PolicyGen
import Postgres
import Quoting

/// A walled hypertable's continuous aggregates: the wall view the application reads, tried against what the
/// owner reads in the aggregate, and every surface behind it named directly (`Verifier.walledChecks` lists them).
extension Verifier {
    func aggregateChecks(_ db: Connection, _ table: Table, _ aggregate: ContinuousAggregate, _ roles: [String]) throws -> [CheckResult] {
        let walledSchema = Hypertable.walledSchema(tenancy: spec.tenancy), viewSchema = aggregate.viewSchema(of: table)
        let relation = SQL.qualified(walledSchema, aggregate.name), view = SQL.qualified(viewSchema, aggregate.name)
        let label = viewSchema + "." + aggregate.name
        let problems = try WallViewShape.problems(db, view: view, source: relation, scopeColumn: spec.tenancy.column,
                                                  helperSchema: spec.tenancy.helperSchema, checkOption: false)
        let shapeSQL = WallViewShape.sql.replacingOccurrences(of: "$1", with: SQL.literal(view)).replacingOccurrences(of: "$2", with: SQL.literal(relation))
        var out = [check("aggregate-wall-view", label, "-", "CATALOG", "\(label) is the wall view over the continuous aggregate \(relation)", shapeSQL + ";",
                         expected: "view, security_barrier, reads the aggregate, tenant filter", actual: problems.isEmpty ? "wall view" : problems.joined(separator: "; "),
                         passed: problems.isEmpty)]
        guard try db.query("SELECT pg_catalog.to_regclass($1) IS NOT NULL", [relation]).flag else {
            out.append(check("aggregate-hidden", label, "-", "CATALOG", "the continuous aggregate \(relation) exists", shapeSQL + ";",
                             expected: "exists", actual: "missing", passed: false))
            return out
        }
        let materialized = try materialization(db, schema: walledSchema, name: aggregate.name)
        for role in roles {
            out.append(try hidden(db, "aggregate-hidden", label, role, "SELECT", relation, "SELECT count(*) FROM \(relation)", zeroRowsPass: true,
                                  title: "the continuous aggregate \(relation) behind \(label) is closed to \(role)"))
            for surface in materialized {
                out.append(try hidden(db, "aggregate-materialization-hidden", label, role, "SELECT", surface, "SELECT count(*) FROM \(surface)", zeroRowsPass: true,
                                      title: "\(surface) (materialization of \(relation)) is closed to \(role)"))
            }
        }
        out += try aggregateReads(db, label: label, view: view, relation: relation, columns: aggregate.columns(tenantColumn: spec.tenancy.column), roles)
        return out
    }

    /// The materialization hypertable of the aggregate, then its chunks (`timescaledb_information`).
    func materialization(_ db: Connection, schema: String, name: String) throws -> [String] {
        guard let hypertable = try db.query("""
            SELECT pg_catalog.format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name)
            FROM timescaledb_information.continuous_aggregates WHERE view_schema = $1 AND view_name = $2
            """, [schema, name]).scalar else { return [] }
        return [hypertable] + (try db.query("SELECT c::text FROM public.show_chunks($1::regclass) AS c ORDER BY 1", [hypertable]).rows.compactMap { $0[0] })
    }

    /// The wall view as each role that may read it: nothing without a context, and with a tenant's context
    /// exactly the rows the owner reads in the aggregate for that tenant (the rows compared as text, each
    /// side's in order), for the tenants holding the most rows.
    func aggregateReads(_ db: Connection, label: String, view: String, relation: String, columns: [String], _ roles: [String]) throws -> [CheckResult] {
        let column = SQL.ident(spec.tenancy.column)
        let rowText = "ROW(" + columns.map(SQL.ident).joined(separator: ", ") + ")::text"
        func digest(_ from: String) -> String {
            "SELECT count(*) || ' rows, md5 ' || md5(COALESCE(string_agg(r, ',' ORDER BY r), '')) FROM (SELECT \(rowText) AS r FROM \(from)) AS s"
        }
        let tenants = try db.query("SELECT \(column)::text FROM \(relation) GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 3").rows.compactMap { $0[0] }
        let session = ProbeSession(connection: db, spec: spec, secret: settings.secret)
        var out: [CheckResult] = []
        for role in roles where try db.query("SELECT has_table_privilege($1, $2, 'SELECT')", [role, view]).flag {
            let none = try session.act(role, .none) { session.attempt("SELECT count(*) FROM \(view)") }
            out.append(check("aggregate-no-context", label, role, "SELECT", "\(label) shows \(role) nothing without a tenant context", session.evidence,
                             expected: "0 rows", actual: none.error?.brief ?? "\(none.result?.scalar ?? "?") rows",
                             passed: none.error != nil || none.result?.scalar == "0"))
            guard spec.tenancy.binding != .role else { continue }
            for tenant in tenants {
                let owner = digest("\(relation) WHERE \(column)::text = \(SQL.literal(tenant))")
                let expected = try db.query(owner).scalar ?? "?"
                let read = try session.act(role, .tenant(tenant)) { session.attempt(digest(view)) }
                var result = check("aggregate-own-rows", label, role, "SELECT", "\(role) reads exactly its own tenant's rows of \(label)",
                                   session.evidence + "\n-- the owner's rows, as the verifier:\n" + owner + ";",
                                   expected: expected, actual: read.error?.brief ?? read.result?.scalar ?? "?", passed: read.result?.scalar == expected)
                result.tenant = tenant
                out.append(result)
            }
        }
        return out
    }
}
