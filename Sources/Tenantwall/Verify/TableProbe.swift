import PolicyGen
import Postgres

/// Every check for one table, in one transaction on one connection that is rolled back at the end: seeds
/// probe rows for each probe tenant, then, as each role the application uses and as each tenant in turn,
/// tries to read, write, move and upsert across the wall, and to reach the table around its policies
/// (COPY, views, partitions and chunks).
struct TableProbe {
    let spec: Spec
    let table: Table
    let connection: Connection
    /// Probe tenant ids, labelled A, B, C … in order.
    let tenants: [String]
    let settings: Verifier.Settings
    /// Whether this table also carries the admin-mode checks (they need seeded rows).
    let adminChecks: Bool

    var name: String { SQL.qualified(table.schema, table.name) }
    var scope: String { SQL.ident(table.scopeColumn(tenancy: spec.tenancy)!) }
    var type: String { spec.tenancy.type.rawValue }
    var session: ProbeSession {
        ProbeSession(connection: connection, spec: spec, secret: settings.secret, tenantRoles: tenantRoles)
    }
    /// `role` binding: one probe role per probe tenant, named uniquely per transaction so that workers
    /// probing at once never contend for a name.
    let tenantRoles: [String: String]

    init(spec: Spec, table: Table, connection: Connection, tenants: [String], settings: Verifier.Settings, adminChecks: Bool) {
        self.spec = spec
        self.table = table
        self.connection = connection
        self.tenants = tenants
        self.settings = settings
        self.adminChecks = adminChecks
        let run = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        tenantRoles = spec.tenancy.binding == .role
            ? Dictionary(uniqueKeysWithValues: tenants.enumerated().map { ($0.element, "tw_probe_\(run)_\($0.offset)") }) : [:]
    }
    func label(_ i: Int) -> String { String(UnicodeScalar(UInt8(65 + i % 26))) + (i >= 26 ? String(i / 26) : "") }

    /// Roles that act on the table as tenants: the app, read-only roles, and the admin outside admin mode.
    var actors: [String] {
        // With the role binding only tenant roles (members of the app role) carry a tenant.
        spec.tenancy.binding == .role ? [spec.roles.app] : uniqued([spec.roles.app] + spec.roles.readonly + [spec.roles.admin])
    }

    func run() throws -> [CheckResult] {
        var out: [CheckResult] = []
        try connection.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
        defer { _ = try? connection.execute("ROLLBACK") }
        try connection.execute("SET LOCAL lock_timeout = \(SQL.literal(settings.lockTimeout)); SET LOCAL statement_timeout = \(SQL.literal(settings.statementTimeout))")
        out.append(rowSecurityFlags())
        do {
            try seed()
        } catch let error as PostgresError {
            out.append(CheckResult(id: "seed", table: table.qualifiedName, role: "-", tenant: "-", command: "INSERT",
                                   title: "probe rows could be written", sql: insert(tenant: tenants[0], seed: 1),
                                   expected: "rows written (then rolled back)", actual: error.brief, passed: false))
            return out
        }
        let ungoverned = try ungovernedPrivileges()
        for role in actors {
            let commands = Set(table.commands(for: role))
            for (i, tenant) in tenants.enumerated() {
                let other = tenants[(i + 1) % tenants.count]
                out += try tenantChecks(role: role, commands: commands, actor: (label(i), tenant), victim: (label((i + 1) % tenants.count), other))
            }
            out += try noContextChecks(role: role, commands: commands)
            out += privilegeChecks(role: role, privileges: ungoverned)
        }
        out += try childChecks()
        out += try viewChecks()
        if adminChecks { out += try adminModeChecks() }
        return out
    }

    // MARK: seeding

    func seed() throws {
        let map = SQL.qualified(spec.tenancy.helperSchema, "tenant_roles")
        for (tenant, role) in tenantRoles.sorted(by: { $0.value < $1.value }) {
            try connection.execute("CREATE ROLE \(SQL.ident(role)) NOLOGIN; GRANT \(SQL.ident(spec.roles.app)) TO \(SQL.ident(role))")
            try connection.query("INSERT INTO \(map) (role_name, tenant) VALUES ($1, $2::\(type))", [role, tenant])
        }
        for (n, tenant) in tenants.enumerated() {
            for row in 0..<(table.isolation == .self ? 1 : 2) {
                try connection.execute(insert(tenant: tenant, seed: n * 10 + row + 1))
            }
        }
    }

    func insert(tenant: String, seed: Int, conflict: String = "") -> String {
        let scopeName = table.scopeColumn(tenancy: spec.tenancy)!
        let columns = table.columns.filter { $0.name == scopeName || $0.defaultValue == nil || table.primaryKey.contains($0.name) && $0.defaultValue != .function("identity") }
        let values = columns.map { column in
            column.name == scopeName ? SQL.literal(tenant) + "::" + type : ProbeValues.literal(forType: column.type, seed: seed)
        }
        return "INSERT INTO \(name) (\(SQL.identList(columns.map(\.name)))) VALUES (\(values.joined(separator: ", ")))\(conflict)"
    }

    func result(_ id: String, _ role: String, _ tenant: String, _ command: String, _ title: String, _ sql: String,
                expected: String, actual: String, passed: Bool) -> CheckResult {
        CheckResult(id: id, table: table.qualifiedName, role: role, tenant: tenant, command: command, title: title, sql: sql,
                    expected: expected, actual: actual, passed: passed)
    }

    // MARK: catalog

    func rowSecurityFlags() -> CheckResult {
        let sql = "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = \(SQL.literal(name))::regclass"
        let row = (try? connection.query(sql).rows.first) ?? nil
        let actual = row.map { "enabled=\($0[0] ?? "?") forced=\($0[1] ?? "?")" } ?? "table missing"
        return result("rls-enabled-forced", "-", "-", "CATALOG", "row-level security is enabled and forced", sql,
                      expected: "enabled=t forced=t", actual: actual, passed: actual == "enabled=t forced=t")
    }

    /// Privileges no policy governs. PostgreSQL 17 added MAINTAIN (VACUUM, ANALYZE, REINDEX, REFRESH, LOCK
    /// TABLE: a tenant could lock every tenant out of the table); older servers do not know the word.
    func ungovernedPrivileges() throws -> [String] {
        let version = Int(try connection.query("SELECT pg_catalog.current_setting('server_version_num')").scalar ?? "") ?? 0
        return ["TRUNCATE", "REFERENCES", "TRIGGER"] + (version >= 170000 ? ["MAINTAIN"] : [])
    }

    func privilegeChecks(role: String, privileges: [String]) -> [CheckResult] {
        privileges.map { privilege in
            let sql = "SELECT has_table_privilege(\(SQL.literal(role)), \(SQL.literal(name)), \(SQL.literal(privilege)))"
            let has = (try? connection.query(sql).scalar) ?? "?"
            return result("no-\(privilege.lowercased())", role, "-", privilege == "TRUNCATE" ? "TRUNCATE" : "CATALOG",
                          "\(role) cannot \(privilege) (RLS does not govern it)", sql, expected: "f", actual: has ?? "?", passed: has == "f")
        }
    }

    // MARK: as a tenant

    func tenantChecks(role: String, commands: Set<Command>, actor: (label: String, id: String), victim: (label: String, id: String)) throws -> [CheckResult] {
        var out: [CheckResult] = []
        let me = ProbeSession.Context.tenant(actor.id)
        let pre = session.preamble(role, me)
        let own = SQL.literal(actor.id) + "::" + type, theirs = SQL.literal(victim.id) + "::" + type
        if commands.contains(.select) {
            let foreign = "SELECT \(scope)::text FROM \(name) WHERE \(scope) IS DISTINCT FROM \(own) LIMIT 5"
            let count = "SELECT count(*) FROM \(name) WHERE \(scope) = \(own)"
            let (leaked, mine) = try session.act(role, me) { (session.attempt(foreign), session.attempt(count)) }
            let leakedRows = leaked.result?.rows.count ?? 0
            let ownRows = Int(mine.result?.scalar ?? "0") ?? 0
            out.append(result("select-own-rows", role, actor.label, "SELECT", "SELECT returns only the session's tenant rows",
                              pre + "\n" + foreign + ";\n" + count + ";", expected: "0 rows of other tenants, own rows visible",
                              actual: leaked.error.map(\.brief) ?? mine.error.map(\.brief) ?? "\(leakedRows) rows of other tenants (\(leaked.result?.rows.compactMap { $0[0] }.joined(separator: ", ") ?? "")), \(ownRows) own rows",
                              passed: leaked.error == nil && leakedRows == 0 && ownRows > 0))
            let copy = "COPY \(name) (\(scope)) TO STDOUT"
            let copied = try session.act(role, me) { session.guarded { try connection.copyOut(copy) } }
            switch (copied.result, copied.error) {
            case (let text?, _):
                let values = text.split(separator: "\n").map(String.init)
                let others = values.filter { $0 != actor.id }.count
                out.append(result("copy-own-rows", role, actor.label, "COPY", "COPY … TO returns only the session's tenant rows", pre + "\n" + copy + ";",
                                  expected: "0 rows of other tenants", actual: "\(others) rows of other tenants, \(values.count - others) own",
                                  passed: others == 0))
            default:
                out.append(result("copy-own-rows", role, actor.label, "COPY", "COPY … TO returns only the session's tenant rows", pre + "\n" + copy + ";",
                                  expected: "0 rows of other tenants", actual: copied.error?.brief ?? "?", passed: false))
            }
        } else {
            let sql = "SELECT 1 FROM \(name) LIMIT 1"
            let attempt = try session.act(role, me) { session.attempt(sql) }
            out.append(result("select-not-granted", role, actor.label, "SELECT", "\(role) has no SELECT and is refused", pre + "\n" + sql + ";",
                              expected: "42501", actual: attempt.error?.brief ?? "\(attempt.result?.rows.count ?? 0) rows", passed: attempt.error?.sqlState == "42501"))
        }
        if commands.contains(.insert) {
            let foreign = insert(tenant: victim.id, seed: 900)
            let attempt = try session.act(role, me) { session.attempt(foreign) }
            out.append(result("insert-other-tenant", role, actor.label, "INSERT", "INSERT of another tenant's row is rejected", pre + "\n" + foreign + ";",
                              expected: "42501 (row-level security)", actual: attempt.error?.brief ?? "row accepted", passed: attempt.error?.sqlState == "42501"))
            // The positive control: a wall that refuses everyone hides a broken policy as well as a leak.
            // (Tenants tables take new rows in admin mode only.)
            if table.isolation == .tenant {
                let mine = insert(tenant: actor.id, seed: 901)
                let allowed = try session.act(role, me) { session.attempt(mine) }
                out.append(result("insert-own-tenant", role, actor.label, "INSERT", "INSERT of the session's own row is accepted (the wall is not a wall to everyone)",
                                  pre + "\n" + mine + ";", expected: "accepted", actual: allowed.error?.brief ?? "accepted", passed: allowed.error == nil))
            }
        }
        // UPDATE and DELETE without a WHERE clause: a statement that reads no column is checked against the
        // UPDATE or DELETE policy alone. With a WHERE clause PostgreSQL adds the SELECT policy too, which would
        // hide a broken UPDATE or DELETE policy behind an intact SELECT one. Each passes when the other tenants'
        // rows are exactly as they were (read as the verifier, in the same savepoint) and the statement either
        // ran or was refused by a wall (42501); any other error proves nothing.
        func othersUnchanged(_ id: String, _ command: String, _ title: String, _ sql: String) throws {
            let others = "SELECT count(*) || ' ' || md5(COALESCE(string_agg(t::text, ',' ORDER BY t::text), '')) FROM \(name) AS t WHERE \(scope) IS DISTINCT FROM \(own)"
            let before = try connection.query(others).scalar
            let (attempt, after) = try session.act(role, me) { () -> ((QueryResult?, PostgresError?), String?) in
                let attempt = session.attempt(sql)
                try connection.execute("RESET ROLE")
                return (attempt, try connection.query(others).scalar)
            }
            let unchanged = after == before
            let refusedByAWall = attempt.1 == nil || attempt.1?.sqlState == "42501"
            out.append(result(id, role, actor.label, command, title, pre + "\n" + sql + ";",
                              expected: "other tenants' rows unchanged (42501 or only own rows touched)",
                              actual: (attempt.1?.brief ?? "\(attempt.0?.affectedRows ?? 0) rows") + (unchanged ? ", other tenants' rows unchanged" : ", OTHER TENANTS' ROWS CHANGED"),
                              passed: unchanged && refusedByAWall))
        }
        if commands.contains(.update) {
            try othersUnchanged("update-move-row", "UPDATE", "UPDATE that moves the session's rows to another tenant is rejected",
                                "UPDATE \(name) SET \(scope) = \(theirs)")
            try othersUnchanged("update-other-tenant", "UPDATE", "UPDATE with no WHERE changes no other tenant's row",
                                "UPDATE \(name) SET \(scope) = \(own)")
            if commands.contains(.insert), !table.primaryKey.isEmpty {
                out.append(try upsert(role: role, commands: commands, actor: actor, victim: victim))
            }
        }
        if commands.contains(.delete) {
            try othersUnchanged("delete-other-tenant", "DELETE", "DELETE with no WHERE removes no other tenant's row", "DELETE FROM \(name)")
        }
        return out
    }

    /// `INSERT … ON CONFLICT DO UPDATE` aimed at another tenant's key neither changes it nor returns it.
    func upsert(role: String, commands: Set<Command>, actor: (label: String, id: String), victim: (label: String, id: String)) throws -> CheckResult {
        let pre = session.preamble(role, .tenant(actor.id))
        let theirs = SQL.literal(victim.id) + "::" + type
        let fingerprint = "SELECT md5(COALESCE(string_agg(t::text, ',' ORDER BY t::text), '')) FROM \(name) AS t WHERE \(scope) = \(theirs)"
        let before = try connection.query(fingerprint).scalar
        // The victim's own row, proposed again with every value (its key included, identity or not), so the only
        // conflict is the primary key: a copy with a fresh identity would collide on another unique index instead
        // and be refused for the wrong reason.
        let columns = table.columns
        let victimRow = try connection.query("""
            SELECT \(columns.map { SQL.ident($0.name) + "::text" }.joined(separator: ", ")) FROM \(name)
            WHERE \(scope) = \(theirs) ORDER BY \(SQL.identList(table.primaryKey)) LIMIT 1
            """).rows.first ?? []
        let values = zip(columns, victimRow).map { column, value in
            value.map { SQL.literal($0) + "::" + (TypeName.normalize(column.type) ?? column.type) } ?? "NULL"
        }
        let set = columns.first { !table.primaryKey.contains($0.name) }.map { SQL.ident($0.name) } ?? SQL.ident(table.primaryKey[0])
        let sql = "INSERT INTO \(name) (\(SQL.identList(columns.map(\.name)))) VALUES (\(values.joined(separator: ", ")))"
            + " ON CONFLICT (\(SQL.identList(table.primaryKey))) DO UPDATE SET \(set) = EXCLUDED.\(set) RETURNING \(scope)::text"
        let (attempt, after) = try session.act(role, .tenant(actor.id)) { () -> ((QueryResult?, PostgresError?), String?) in
            let attempt = session.attempt(sql)
            try connection.execute("RESET ROLE")
            return (attempt, try? connection.query(fingerprint).scalar)
        }
        let returned = attempt.0?.rows.compactMap { $0[0] }.filter { $0 != actor.id } ?? []
        let unchanged = after == before
        let refusedByAWall = attempt.1 == nil || attempt.1?.sqlState == "42501"
        return result("upsert-other-tenant", role, actor.label, "INSERT", "INSERT … ON CONFLICT against another tenant's key neither updates nor returns it",
                      pre + "\n" + sql + ";", expected: "42501 or no effect; the other tenant's row unchanged",
                      actual: (attempt.1?.brief ?? "\(attempt.0?.rows.count ?? 0) rows returned") + (unchanged ? ", their row unchanged" : ", THEIR ROW CHANGED"),
                      passed: returned.isEmpty && unchanged && refusedByAWall && victimRow.count == columns.count)
    }

    // MARK: without a tenant

    func noContextChecks(role: String, commands: Set<Command>) throws -> [CheckResult] {
        var out: [CheckResult] = []
        for context in [ProbeSession.Context.none, .empty, .malformed] {
            let pre = session.preamble(role, context)
            if commands.contains(.select) {
                let sql = "SELECT count(*) FROM \(name)"
                let attempt = try session.act(role, context) { session.attempt(sql) }
                let revealing = attempt.error.map { e in tenants.contains { e.message.contains($0) || (e.detail ?? "").contains($0) } } ?? false
                let count = attempt.result?.scalar ?? "?"
                out.append(result("select-\(context.label)-context", role, context.label, "SELECT", "with \(context.label == "none" ? "no" : "a" + (context.label == "empty" ? "n empty" : " malformed")) context, SELECT returns nothing",
                                  pre + "\n" + sql + ";", expected: "0 rows (or an error that names no data)",
                                  actual: attempt.error?.brief ?? "\(count) rows", passed: (attempt.error == nil && count == "0") || (attempt.error != nil && !revealing)))
            }
            if commands.contains(.insert) {
                let sql = insert(tenant: tenants[0], seed: 902)
                let attempt = try session.act(role, context) { session.attempt(sql) }
                out.append(result("insert-\(context.label)-context", role, context.label, "INSERT", "with \(context.label) context, INSERT is rejected",
                                  pre + "\n" + sql + ";", expected: "rejected", actual: attempt.error?.brief ?? "row accepted", passed: attempt.error != nil))
            }
        }
        return out
    }

    // MARK: around the policies

    /// Partitions and chunks named directly, as every role that acts as a tenant: a read returns nothing, an
    /// INSERT of a row inside the child's range is refused with 42501 (a privilege or row-security refusal, never
    /// a range or key check that only fails by luck), and an UPDATE or DELETE is refused or touches nothing of
    /// the rows the child holds.
    func childChecks() throws -> [CheckResult] {
        let children = try connection.query("""
            SELECT c.oid::regclass::text FROM pg_catalog.pg_inherits AS i JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
            WHERE i.inhparent = $1::regclass AND c.relkind IN ('r', 'p') ORDER BY c.oid
            """, [name]).rows.compactMap { $0[0] }
        var out: [CheckResult] = []
        let scopeName = table.scopeColumn(tenancy: spec.tenancy)!
        for child in children {
            let held = try connection.query("SELECT count(*) FROM \(child)").scalar ?? "?"
            let write = try childInsert(child, scopeName: scopeName)
            let statements = [
                ("partition-read", "SELECT", "SELECT count(*) FROM \(child)", "naming \(child) directly returns nothing"),
                ("partition-write", "INSERT", write, "\(child) accepts no direct INSERT of a row in its range"),
                ("partition-update", "UPDATE", "UPDATE \(child) SET \(scope) = \(scope)", "\(child) accepts no direct UPDATE"),
                ("partition-delete", "DELETE", "DELETE FROM \(child)", "\(child) accepts no direct DELETE"),
            ]
            for role in actors {
                let pre = session.preamble(role, .tenant(tenants[0]))
                for (id, command, sql, title) in statements {
                    let attempt = try session.act(role, .tenant(tenants[0])) { session.attempt(sql) }
                    let touched = command == "SELECT" ? attempt.result?.scalar.flatMap { Int($0) } : attempt.result?.affectedRows
                    let refused = attempt.error?.sqlState == "42501"
                    let passed = refused || (command != "INSERT" && touched == 0)
                    let actual = attempt.error?.brief ?? (command == "INSERT" ? "row accepted" : "\(touched.map(String.init) ?? "?") rows \(command == "SELECT" ? "returned" : "changed")")
                    out.append(result(id, role, "A", command, title, pre + "\n" + sql + ";",
                                      expected: command == "INSERT" ? "42501" : "42501 or 0 rows (it holds \(held))", actual: actual, passed: passed))
                }
            }
        }
        return out
    }

    /// An INSERT into `child` of a row its range accepts: a row it holds (read as the verifier, another tenant's
    /// by preference) moved to tenant A, unless the tenant column partitions the hypertable too; tenant A's probe
    /// row when the child is empty.
    func childInsert(_ child: String, scopeName: String) throws -> String {
        let columns = table.columns.filter { $0.defaultValue != .function("identity") || table.primaryKey.contains($0.name) }
        let tenantA = SQL.literal(tenants[0]) + "::" + type
        let sample = try connection.query("""
            SELECT \(columns.map { SQL.ident($0.name) + "::text" }.joined(separator: ", ")) FROM \(child)
            ORDER BY \(SQL.ident(scopeName)) = \(tenantA) LIMIT 1
            """).rows.first
        guard let sample else {
            return insert(tenant: tenants[0], seed: 903).replacingOccurrences(of: "INSERT INTO \(name) ", with: "INSERT INTO \(child) ")
        }
        let keepsTenant = table.hypertable?.spacePartitions != nil
        let values = zip(columns, sample).map { column, value -> String in
            if column.name == scopeName && !keepsTenant { return tenantA }
            return value.map { SQL.literal($0) + "::" + (TypeName.normalize(column.type) ?? column.type) } ?? "NULL"
        }
        return "INSERT INTO \(child) (\(SQL.identList(columns.map(\.name)))) VALUES (\(values.joined(separator: ", ")))"
    }

    /// Views over the table that an access role can read must not show rows without a tenant context
    /// (a view runs as its owner unless `security_invoker`); materialized views never apply RLS.
    func viewChecks() throws -> [CheckResult] {
        let views = try connection.query("""
            SELECT DISTINCT v.oid::regclass::text, v.relkind::text
            FROM pg_catalog.pg_depend AS d JOIN pg_catalog.pg_rewrite AS r ON r.oid = d.objid JOIN pg_catalog.pg_class AS v ON v.oid = r.ev_class
            WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refobjid = $1::regclass AND v.oid <> $1::regclass AND v.relkind IN ('v', 'm')
            ORDER BY 1
            """, [name]).rows
        var out: [CheckResult] = []
        for view in views {
            guard let viewName = view[0] else { continue }
            for role in actors where (try? connection.query("SELECT has_table_privilege($1, $2, 'SELECT')", [role, viewName]).scalar) == "t" {
                let sql = "SELECT count(*) FROM \(viewName)"
                let attempt = try session.act(role, .none) { session.attempt(sql) }
                let materialized = view[1] == "m"
                out.append(result("view-without-context", role, "none", "SELECT",
                                  materialized ? "materialized view \(viewName) over \(table.qualifiedName) is not readable (it never applies RLS)"
                                               : "view \(viewName) over \(table.qualifiedName) shows nothing without a tenant context",
                                  session.preamble(role, .none) + "\n" + sql + ";", expected: "0 rows",
                                  actual: attempt.error?.brief ?? "\(attempt.result?.scalar ?? "?") rows",
                                  passed: !materialized && (attempt.error != nil || attempt.result?.scalar == "0")))
            }
        }
        return out
    }

    // MARK: admin mode

    func adminModeChecks() throws -> [CheckResult] {
        var out: [CheckResult] = []
        let r = spec.roles
        let forge = "SET LOCAL \(HelperCore.adminTokenSetting) = '00000000-0000-4000-8000-000000000001'"
        let enabled = "SELECT \(SQL.qualified(spec.tenancy.helperSchema, "admin_mode_enabled"))()::text"
        let enable = "SELECT \(SQL.qualified(spec.tenancy.helperSchema, "enable_admin_mode"))('tenantwall verify')"
        let probeIds = tenants.map { SQL.literal($0) + "::" + type }.joined(separator: ", ")
        let distinct = "SELECT count(DISTINCT \(scope))::text FROM \(name) WHERE \(scope) IN (\(probeIds))"
        if table.commands(for: r.app).contains(.select) {
            let seen = try session.act(r.app, .tenant(tenants[0])) { () -> String in
                try connection.execute(forge)
                return (try? connection.query(distinct).scalar ?? "?") ?? "error"
            }
            out.append(result("admin-forged-token-app", r.app, "A", "ADMIN", "a forged admin token gives the application role nothing",
                              session.preamble(r.app, .tenant(tenants[0])) + "\n" + forge + ";\n" + distinct + ";", expected: "1 tenant visible",
                              actual: "\(seen) tenant(s) visible", passed: seen == "1"))
        }
        let forged = try session.act(r.admin, .tenant(tenants[0])) { () -> String in
            try connection.execute(forge)
            return (try? connection.query(enabled).scalar ?? "?") ?? "error"
        }
        out.append(result("admin-forged-token-admin", r.admin, "A", "ADMIN", "a forged admin token is not admin mode, even for the admin role",
                          session.preamble(r.admin, .tenant(tenants[0])) + "\n" + forge + ";\n" + enabled + ";", expected: "false",
                          actual: forged, passed: forged == "false"))
        for role in uniqued([r.app] + r.readonly) {
            let attempt = try session.act(role, .tenant(tenants[0])) { session.attempt(enable) }
            out.append(result("admin-enable-nonmember", role, "A", "ADMIN", "\(role), not a member of \(r.admin), cannot enable admin mode",
                              session.preamble(role, .tenant(tenants[0])) + "\n" + enable + ";", expected: "42501",
                              actual: attempt.error?.brief ?? "admin mode enabled", passed: attempt.error?.sqlState == "42501"))
        }
        if table.commands(for: r.admin).contains(.select) {
            let seen = try session.act(r.admin, .tenant(tenants[0])) { () -> String in
                let on = session.attempt(enable)
                if let error = on.error { return error.brief }
                return (try? connection.query(distinct).scalar ?? "?") ?? "error"
            }
            out.append(result("admin-mode-sees-all", r.admin, "A", "ADMIN", "the admin role in admin mode sees every tenant",
                              session.preamble(r.admin, .tenant(tenants[0])) + "\n" + enable + ";\n" + distinct + ";",
                              expected: "\(tenants.count) tenants visible", actual: "\(seen) tenant(s) visible", passed: seen == String(tenants.count)))
        }
        return out
    }
}

