import PolicyGen
import Postgres
import Quoting

/// The change trail's positive control (`audit_trail:`): a change by an access role, as a tenant, is in that
/// tenant's trail, with its old and new values, in the same transaction (all rolled back with the savepoint).
struct TrailRecordsChange: TableCheck {
    let info = CheckInfo(id: "trail-records-change", tries: "on a trailed table, `UPDATE t SET <column> = <column>` of the session's own probe rows (or, without UPDATE, `INSERT` of its own row), then the change trail read as the verifier in the same savepoint",
                         passesWhen: "an entry for the session's tenant, this table and command, naming the acting role, with the old and new values (an INSERT: the new)")
    let scope = CheckScope.tenant

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        let spec = probe.spec
        guard spec.trailColumns(probe.table) != nil else { return [] }
        let column = try probe.trailedSelfUpdateColumn()
        let update = target.commands.contains(.update) && column != nil
        guard update || target.commands.contains(.insert) && probe.table.isolation == .tenant else { return [] }
        let names = TrailNames(spec: spec)
        let sql = update ? "UPDATE \(probe.name) SET \(SQL.ident(column!)) = \(SQL.ident(column!)) WHERE \(probe.scope) = \(probe.literal(target.actor.id))"
            : probe.insert(tenant: target.actor.id, seed: 903)
        let command = update ? "UPDATE" : "INSERT"
        let values = update ? "old IS NOT NULL AND new IS NOT NULL" : "new IS NOT NULL"
        let acting = probe.session.effectiveRole(target.role, .tenant(target.actor.id))
        let read = "SELECT count(*) FROM \(names.table) WHERE \(SQL.ident(names.tenantColumn))::text = \(SQL.literal(target.actor.id)) AND table_name = \(SQL.literal(probe.table.qualifiedName))"
            + " AND command = \(SQL.literal(command)) AND acting_role = \(SQL.literal(acting)) AND \(values)"
        let session = probe.session
        let (attempt, entries) = try session.act(target.role, .tenant(target.actor.id)) { () -> (String?, String?) in
            let attempt = session.attempt(sql)
            // On Citus the session reads its own entries itself (through the trail's policy): Citus refuses another
            // user the placements this one changed in the transaction.
            let entries = spec.tenancy.citus ? session.attempt(read).result?.scalar : try session.asVerifier { try session.read(read) }
            return (attempt.error?.brief ?? "\(attempt.result?.affectedRows ?? 0) rows", entries)
        }
        let count = Int(entries ?? "") ?? 0
        return [probe.result(info.id, target.role, target.actor.label, command, "a \(command) as the tenant is in its change trail with old and new values",
                             session.evidence, expected: "≥ 1 entry", actual: "\(attempt ?? "?"); \(count) trail entries", passed: count > 0)]
    }
}

extension TableProbe {
    /// A column of this trailed table that an UPDATE may set to itself: trailed, not the scope or the key, not
    /// identity or generated; nil when there is none.
    func trailedSelfUpdateColumn() throws -> String? {
        guard let columns = spec.trailColumns(table) else { return nil }
        return try connection.query("""
            SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = \(SQL.literal(source))::regclass AND attnum > 0 AND NOT attisdropped
              AND attidentity = '' AND attgenerated = '' AND attname = ANY ($1::text[]) ORDER BY attnum LIMIT 1
            """, [SQL.textArray(columns.filter { $0 != scopeColumn && !table.primaryKey.contains($0) })]).scalar
    }
}

/// The trail's wall: a tenant reads its own entries and no other tenant's. The victim's entry is written by the
/// verifier (as the trigger would), in a savepoint rolled back after the read; on Citus, which refuses a session
/// the placements another user changed in its transaction, by the victim's own change as the same role, the
/// way the trail writes every entry, in the act (rolled back).
struct TrailOtherTenantRead: TableCheck {
    let info = CheckInfo(id: "trail-other-tenant-read", tries: "reads another tenant's change-trail entry (written by the verifier in a rolled-back savepoint) as each access role with the session's own tenant",
                         passesWhen: "0 of the other tenant's entries returned")
    let scope = CheckScope.tenant

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        let spec = probe.spec
        guard spec.trailColumns(probe.table) != nil, spec.tenancy.binding != .role || target.role == spec.roles.app else { return [] }
        // Once per role and tenant, on the first trailed table only: the trail is one table. On Citus the first the
        // role may UPDATE, whose change writes the victim's entry.
        let first = spec.tenancy.citus
            ? spec.trailedTables.first { $0.table.isolation == .tenant && $0.table.commands(for: target.role).contains(.update) }
            : spec.trailedTables.first
        guard first?.qualifiedName == probe.table.qualifiedName else { return [] }
        let names = TrailNames(spec: spec)
        let tenant = SQL.ident(names.tenantColumn)
        let victim = probe.literal(target.victim.id)
        let seed = """
            INSERT INTO \(names.table) (\(tenant), seq, at, acting_role, session_role, command, table_name, row_key, new, values_hash, hash)
            VALUES (\(victim), 1000000000, pg_catalog.now(), CURRENT_USER, SESSION_USER, 'UPDATE', \(SQL.literal(probe.table.qualifiedName)), '{}', '{"probe": true}',
                    '\\x00'::bytea, '\\x00'::bytea)
            """
        let read = "SELECT count(*) FROM \(names.table) WHERE \(tenant)::text = \(SQL.literal(target.victim.id))"
        let connection = probe.connection
        let session = probe.session
        let attempt: (result: QueryResult?, error: PostgresError?)
        if spec.tenancy.citus {
            guard target.commands.contains(.update), let column = try probe.trailedSelfUpdateColumn() else { return [] }
            let change = "UPDATE \(probe.name) SET \(SQL.ident(column)) = \(SQL.ident(column)) WHERE \(probe.scope) = \(victim)"
            attempt = try session.act(target.role, .tenant(target.victim.id)) {
                let written = session.attempt(change)
                if let error = written.error { return (nil, error) }
                for statement in session.preamble(target.role, .tenant(target.actor.id)) { try session.run(statement) }
                return session.attempt(read)
            }
        } else {
            try connection.execute("SAVEPOINT tw_trail_read")
            defer { _ = try? connection.execute("ROLLBACK TO SAVEPOINT tw_trail_read; RELEASE SAVEPOINT tw_trail_read") }
            try connection.execute(seed)
            attempt = try session.act(target.role, .tenant(target.actor.id)) { session.attempt(read) }
        }
        let seen = attempt.result?.scalar.flatMap { Int($0) }
        return [probe.result(info.id, target.role, target.actor.label, "SELECT", "tenant \(target.actor.label) cannot read tenant \(target.victim.label)'s change trail",
                             seed + ";\n" + session.evidence, expected: "0 rows (or 42501)",
                             actual: attempt.error?.brief ?? "\(seen.map(String.init) ?? "?") rows", passed: seen == 0 || attempt.error?.sqlState == "42501")]
    }
}
