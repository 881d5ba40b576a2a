import PolicyGen
import Postgres
import Quoting

/// `INSERT … ON CONFLICT DO UPDATE` aimed at another tenant's key neither changes it nor returns it. The
/// victim's own row is proposed again with every value, its key included, so that the only conflict is the
/// primary key: a copy with a fresh identity would collide on another unique index and be refused for the
/// wrong reason.
struct UpsertOtherTenant: TableCheck {
    let info = CheckInfo(id: "upsert-other-tenant", tries: "`INSERT … ON CONFLICT (pk) DO UPDATE … RETURNING` with a copy of another tenant's row, key included",
                         passesWhen: "42501 (44000, the check option, on a walled table) or no effect: nothing returned, their row unchanged")
    let scope = CheckScope.tenant

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        // The key and columns as the table has them: a hand-built table's may differ from the spec's (an
        // identity GENERATED ALWAYS is proposed with OVERRIDING SYSTEM VALUE, so its key conflicts).
        let key = probe.rows.primaryKey
        guard target.commands.contains(.update), target.commands.contains(.insert), !key.isEmpty else { return [] }
        let theirs = probe.literal(target.victim.id)
        let fingerprint = "SELECT md5(COALESCE(string_agg(t::text, ',' ORDER BY t::text), '')) FROM \(probe.source) AS t WHERE \(probe.scope) = \(theirs)"
        let before = try probe.connection.query(fingerprint).scalar
        let columns = probe.rows.copyColumns(identities: true)
        let victimRow = try probe.connection.query("""
            SELECT \(columns.map { SQL.ident($0) + "::text" }.joined(separator: ", ")) FROM \(probe.source)
            WHERE \(probe.scope) = \(theirs) ORDER BY \(SQL.identList(key)) LIMIT 1
            """).rows.first ?? []
        let values = zip(columns, victimRow).map { column, value in probe.rows.copied(value, column: column) }
        let set = columns.first { !key.contains($0) }.map(SQL.ident) ?? SQL.ident(key[0])
        let sql = "INSERT INTO \(probe.name) (\(SQL.identList(columns)))\(probe.rows.overriding(columns)) VALUES (\(values.joined(separator: ", ")))"
            + " ON CONFLICT (\(SQL.identList(key))) DO UPDATE SET \(set) = EXCLUDED.\(set) RETURNING \(probe.scope)::text"
        let session = probe.session
        let citus = probe.spec.tenancy.citus
        let (attempt, after) = try session.act(target.role, .tenant(target.actor.id)) { () -> ((QueryResult?, PostgresError?), String?) in
            let attempt = session.attempt(sql)
            // On Citus the verifier may not read what the role touched in its transaction: the statement's
            // outcome (refused, or nothing of theirs returned) is the evidence there.
            return (attempt, citus ? before : try session.asVerifier { try session.read(fingerprint) })
        }
        let returned = attempt.0?.rows.compactMap { $0[0] }.filter { $0 != target.actor.id } ?? []
        let unchanged = after == before
        let refusedByAWall = attempt.1 == nil || probe.refusedByWall(attempt.1)
        var out = probe.result(info.id, target.role, target.actor.label, "INSERT", "INSERT … ON CONFLICT against another tenant's key neither updates nor returns it",
                               session.evidence, expected: "\(probe.wallCodes.joined(separator: " or ")) or no effect; the other tenant's row unchanged",
                               actual: (attempt.1?.brief ?? "\(attempt.0?.rows.count ?? 0) rows returned") + (unchanged ? ", their row unchanged" : ", THEIR ROW CHANGED"),
                               passed: returned.isEmpty && unchanged && refusedByAWall && victimRow.count == columns.count)
        out.tap = probe.tap(target.role, .tenant(target.actor.id), before: [fingerprint],
                            [.value("WITH q AS (\(sql)) SELECT count(*) FROM q AS r(t) WHERE r.t IS DISTINCT FROM \(SQL.literal(target.actor.id))")],
                            pass: "($1 = '0' OR \(probe.tapRefused("$1"))) AND pg_temp.tw_value(\(SQL.dollarQuoted(fingerprint))) = $b1",
                            "\(info.id) as \(target.role) (tenant \(target.actor.label)): another tenant's key neither updated nor returned")
        return [out]
    }
}
