import PolicyGen
import Postgres
import Quoting

/// The change trail's run-level checks (`audit_trail:`): every tenant's hash chain recomputes, and no access role,
/// nor the table owner, may write to the trail. The per-table checks (a change appears in its tenant's trail,
/// another tenant cannot read it) are `TrailRecordsChange` and `TrailOtherTenantRead`, run by `TableProbe`.
extension Verifier {
    static let trailChecks = [
        CheckInfo(id: "trail-chain", tries: "recomputes every tenant's change-trail hash chain as the verifier: seq without gaps, each prev_hash the previous entry's hash, each hash sha256(prev_hash || the entry's canonical text), each unredacted entry's values_hash its values' hash",
                  passesWhen: "every entry of every tenant recomputes (a failure names the tenant and the first broken seq)"),
        CheckInfo(id: "trail-write-refused", tries: "INSERT, UPDATE, DELETE and TRUNCATE on the change trail as every access role and as the table owner (in a rolled-back transaction)",
                  passesWhen: "every attempt refused (42501)"),
    ]

    func trailChecks(_ db: Connection) throws -> [CheckResult] {
        guard spec.hasTrail else { return [] }
        let names = TrailNames(spec: spec)
        let present = try db.query("SELECT pg_catalog.to_regclass($1) IS NOT NULL", [names.table]).flag
        guard present == true else {
            return [check("trail-chain", spec.trailSchema + ".change_trail", "-", "CATALOG", "the change trail exists", "SELECT pg_catalog.to_regclass(\(SQL.literal(names.table)))",
                          expected: "exists", actual: "missing (run apply)", passed: false)]
        }
        return try [chainCheck(db, names)] + writeChecks(db, names)
    }

    /// The query that finds each tenant's first broken entry: recomputed from the rows alone (`TrailHash`).
    static func chainQuery(_ names: TrailNames) -> String {
        let tenant = SQL.ident(names.tenantColumn)
        let hash = TrailHash.hash(previous: "t.prev_hash", tenantColumn: names.tenantColumn) { "t." + $0 }
        return """
            SELECT t.\(tenant)::text AS tenant, min(t.seq)::text AS seq, count(*)::text AS broken
            FROM (SELECT t.*, pg_catalog.row_number() OVER w AS n, pg_catalog.lag(t.hash) OVER w AS previous FROM \(names.table) AS t
                  WINDOW w AS (PARTITION BY t.\(tenant) ORDER BY t.seq)) AS t
            WHERE t.seq IS DISTINCT FROM t.n
               OR t.prev_hash IS DISTINCT FROM t.previous
               OR t.hash IS DISTINCT FROM \(hash)
               OR (t.redacted_at IS NULL AND t.values_hash IS DISTINCT FROM \(TrailHash.valuesHash(old: "t.old", new: "t.new")))
            GROUP BY t.\(tenant) ORDER BY 1
            """
    }

    func chainCheck(_ db: Connection, _ names: TrailNames) throws -> CheckResult {
        let sql = Self.chainQuery(names)
        let broken = try db.query(sql).named
        let entries = try db.query("SELECT count(*)::text || ' entries of ' || count(DISTINCT \(SQL.ident(names.tenantColumn)))::text || ' tenants' FROM \(names.table)").scalar ?? "?"
        let actual = broken.isEmpty ? "\(entries) recompute"
            : broken.map { "tenant \($0["tenant"] ?? "?"): broken at seq \($0["seq"] ?? "?") (\($0["broken"] ?? "?") entries do not recompute)" }.joined(separator: "; ")
        return check("trail-chain", spec.trailSchema + ".change_trail", "-", "CHAIN", "every tenant's change-trail chain recomputes", sql,
                     expected: "no broken entry", actual: actual, passed: broken.isEmpty)
    }

    func writeChecks(_ db: Connection, _ names: TrailNames) throws -> [CheckResult] {
        let existing = Set(try db.query("SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY ($1::text[])",
                                        [SQL.textArray(spec.roles.accessRoles + [spec.roles.owner])]).rows.compactMap { $0[0] })
        let roles = uniqued(spec.roles.accessRoles + [spec.roles.owner]).filter(existing.contains)
        let tenant = SQL.ident(names.tenantColumn)
        let attempts = [
            ("INSERT", "INSERT INTO \(names.table) (\(tenant), seq, at, acting_role, session_role, command, table_name, row_key, values_hash, hash) "
                + "SELECT \(tenant), seq + 1, at, acting_role, session_role, command, table_name, row_key, values_hash, hash FROM \(names.table) LIMIT 1"),
            ("UPDATE", "UPDATE \(names.table) SET new = NULL"),
            ("DELETE", "DELETE FROM \(names.table)"),
            ("TRUNCATE", "TRUNCATE \(names.table)"),
        ]
        var out: [CheckResult] = []
        try db.execute("BEGIN")
        defer { _ = try? db.execute("ROLLBACK") }
        try db.execute("SET LOCAL lock_timeout = \(SQL.literal(settings.lockTimeout)); SET LOCAL statement_timeout = \(SQL.literal(settings.statementTimeout))")
        for role in roles {
            for (command, statement) in attempts {
                let sql = "SET LOCAL ROLE \(SQL.ident(role));\n\(statement)"
                try db.execute("SAVEPOINT tw_trail")
                var error: PostgresError?
                do {
                    try db.execute("SET LOCAL ROLE \(SQL.ident(role))")
                    try db.execute(statement)
                } catch let failure as PostgresError { error = failure }
                try db.execute("ROLLBACK TO SAVEPOINT tw_trail; RELEASE SAVEPOINT tw_trail")
                out.append(check("trail-write-refused", spec.trailSchema + ".change_trail", role, command, "\(role) cannot \(command) the change trail", sql,
                                 expected: "42501", actual: error?.brief ?? "accepted", passed: error?.sqlState == "42501"))
            }
        }
        return out
    }
}
