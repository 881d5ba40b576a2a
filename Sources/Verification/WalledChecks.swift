import PolicyGen
import Postgres
import Quoting

/// The surfaces of a walled hypertable (issue #25) besides its wall view, which `TableProbe` probes under the
/// table's name: the storage hypertable named directly, and each continuous aggregate (its wall view, the
/// aggregate itself, its materialization hypertable and that one's chunks). None carries RLS (TimescaleDB
/// refuses it), so only privileges stand between an access role and every tenant's rows there: each is tried
/// by name as every access role, and its privileges read too, since a grant the schema's missing USAGE hides
/// today is one `GRANT USAGE` away from a leak. Like the rollup checks, the aggregate reads real rows (probe
/// rows reach an aggregate only at its next refresh), in one transaction rolled back at the end.
extension Verifier {
    static let walledChecks = [
        CheckInfo(id: "storage-hidden", tries: "a walled table's storage (`<helper_schema>_walled.<name>`) named directly: `SELECT`, `INSERT`, `UPDATE`, `DELETE` (touching no row) as every access role",
                  passesWhen: "refused (42501) and the privilege not held"),
        CheckInfo(id: "aggregate-wall-view", tries: "each continuous aggregate's wall view, in the catalog",
                  passesWhen: "a view, `security_barrier`, reading the aggregate, its WHERE comparing the tenant column with the tenant reader"),
        CheckInfo(id: "aggregate-own-rows", tries: "each continuous aggregate's wall view, as every access role that may read it, with the context of each tenant the aggregate holds rows of (at most 3)",
                  passesWhen: "exactly the rows the owner reads in the aggregate for that tenant"),
        CheckInfo(id: "aggregate-no-context", tries: "each continuous aggregate's wall view, as every access role that may read it, with no tenant context",
                  passesWhen: "0 rows (or an error, `missing_context: error`)"),
        CheckInfo(id: "aggregate-hidden", tries: "each continuous aggregate (`<helper_schema>_walled.<name>`) named directly, as every access role",
                  passesWhen: "refused (42501) or 0 rows, and SELECT not held"),
        CheckInfo(id: "aggregate-materialization-hidden", tries: "each continuous aggregate's materialization hypertable and every one of its chunks, named directly, as every access role",
                  passesWhen: "refused (42501) or 0 rows, and SELECT not held"),
    ]

    func walledChecks(_ db: Connection) throws -> [CheckResult] {
        let walled = spec.tables.filter { $0.isWalled && $0.isolation == .tenant }
        guard !walled.isEmpty else { return [] }
        let existing = Set(try db.query("SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY ($1::text[])", [SQL.textArray(spec.roles.accessRoles)]).rows.compactMap { $0[0] })
        let roles = uniqued(spec.roles.accessRoles).filter(existing.contains)
        try db.execute("BEGIN")
        defer { _ = try? db.execute("ROLLBACK") }
        var out: [CheckResult] = []
        for table in walled {
            let storage = table.storage(tenancy: spec.tenancy)
            let relation = SQL.qualified(storage.schema, storage.name)
            guard try db.query("SELECT pg_catalog.to_regclass($1) IS NOT NULL", [relation]).flag else { continue }  // wall-view says so
            out += try storageChecks(db, table, relation, roles)
            for aggregate in table.hypertable?.continuousAggregates ?? [] { out += try aggregateChecks(db, table, aggregate, roles) }
        }
        return out
    }

    /// The storage named directly, every command, statements that touch no row: the privilege check comes first,
    /// so a role without it is refused (42501) and one with it runs them (a failure, with the privilege named).
    func storageChecks(_ db: Connection, _ table: Table, _ relation: String, _ roles: [String]) throws -> [CheckResult] {
        let column = SQL.ident(spec.tenancy.column)
        let statements = [("SELECT", "SELECT count(*) FROM \(relation)"), ("INSERT", "INSERT INTO \(relation) (\(column)) SELECT NULL WHERE false"),
                          ("UPDATE", "UPDATE \(relation) SET \(column) = NULL WHERE false"), ("DELETE", "DELETE FROM \(relation) WHERE false")]
        return try roles.flatMap { role in
            try statements.map { command, sql in
                try hidden(db, "storage-hidden", table.qualifiedName, role, command, relation, sql, zeroRowsPass: false,
                           title: "\(role) cannot \(command) the storage \(relation) behind \(table.qualifiedName)")
            }
        }
    }

    /// `sql` as `role` with no context: passes when refused (42501), or (`zeroRowsPass`, a read) when it returns
    /// 0 rows, and in both cases when `role` holds no `command` privilege on `relation`.
    func hidden(_ db: Connection, _ id: String, _ table: String, _ role: String, _ command: String, _ relation: String, _ sql: String,
                zeroRowsPass: Bool, title: String) throws -> CheckResult {
        let session = ProbeSession(connection: db, spec: spec, secret: settings.secret)
        let attempt = try session.act(role, .none) { session.attempt(sql) }
        let privilege = "SELECT pg_catalog.has_table_privilege(\(SQL.literal(role)), \(SQL.literal(relation)), \(SQL.literal(command)))"
        let held = try db.query(privilege).flag
        let refused = attempt.error?.sqlState == "42501" || zeroRowsPass && attempt.error == nil && attempt.result?.scalar == "0"
        let outcome = attempt.error?.brief ?? (command == "SELECT" ? "\(attempt.result?.scalar ?? "?") rows" : "ran")
        return check(id, table, role, command, title, session.evidence + "\n-- as the verifier:\n" + privilege + ";",
                     expected: zeroRowsPass ? "42501 or 0 rows; no \(command) privilege" : "42501; no \(command) privilege",
                     actual: outcome + (held ? "; \(role) HOLDS \(command) on \(relation)" : "; no \(command) privilege"), passed: refused && !held)
    }
}
