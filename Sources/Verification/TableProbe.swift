import PolicyGen
import Postgres
import Quoting
import Tenantwall

/// The engine that runs the table checks (`VerifyChecks.table`, one file each in `Checks/`) on one table, in
/// one transaction on one connection that is rolled back at the end: seeds probe rows for each probe tenant,
/// then runs every check for each target its scope names (each role the application uses, each tenant in turn,
/// each context without a tenant, each partition or chunk, each view), and holds what the checks share: the
/// probe session, the probe rows' SQL, and the comparisons made as the verifier.
struct TableProbe {
    let spec: Spec
    let table: Table
    /// The column the table's rows belong to a tenant by (the tenant column, or the tenants table's key).
    let scopeColumn: String
    let connection: Connection
    /// Probe tenant ids, labelled A, B, C … in order.
    let tenants: [String]
    let settings: Verifier.Settings
    /// Whether this table also carries the admin-mode checks (they need seeded rows).
    let adminChecks: Bool

    var name: String { SQL.qualified(table.schema, table.name) }
    var scope: String { SQL.ident(scopeColumn) }
    var type: String { spec.tenancy.type.rawValue }
    let session: ProbeSession
    /// `role` binding: one probe role per probe tenant, named uniquely per transaction so that workers
    /// probing at once never contend for a name.
    let tenantRoles: [String: String]
    /// This probe's run id (probe role names; Citus: its `ProbeRegistry` rows).
    let runId: String

    /// Where a handler of its own connects (Citus: the probe rows are removed on Ctrl-C too).
    let conninfo: String
    /// The probe rows, made to fit the table as the live catalog has it (read when seeding begins).
    let rows: ProbeRows
    /// A walled hypertable's storage (`Table.storage`), when it exists: the verifier reads, seeds and lists
    /// chunks there, while the session names the table's name, the wall view.
    let storage: (schema: String, name: String)?

    init(spec: Spec, scoped: ScopedTable, connection: Connection, conninfo: String = "", tenants: [String], settings: Verifier.Settings, adminChecks: Bool) {
        self.spec = spec
        self.table = scoped.table
        self.scopeColumn = scoped.column
        self.connection = connection
        self.conninfo = conninfo
        self.tenants = tenants
        self.settings = settings
        self.adminChecks = adminChecks
        let run = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        runId = run
        tenantRoles = spec.tenancy.binding == .role
            ? Dictionary(uniqueKeysWithValues: tenants.enumerated().map { ($0.element, "tw_probe_\(run)_\($0.offset)") }) : [:]
        storage = Self.storage(of: scoped.table, spec: spec, connection)
        rows = ProbeRows(spec: spec, table: scoped.table, schema: scoped.schema, name: scoped.name, scopeColumn: scoped.column,
                         castScope: true, connection: connection, tenants: tenants, storage: storage)
        session = ProbeSession(connection: connection, spec: spec, secret: settings.scriptSecret ?? settings.secret, tenantRoles: tenantRoles,
                               tokenLifetime: settings.pgTAP ? 10 * 365 * 86400 : 600)
    }
    func label(_ i: Int) -> String { String(UnicodeScalar(UInt8(65 + i % 26))) + (i >= 26 ? String(i / 26) : "") }

    /// Roles that act on the table as tenants: the app, read-only roles, and the admin outside admin mode.
    var actors: [String] {
        // With the role binding only tenant roles (members of the app role) carry a tenant.
        // On Citus the admin role sees every tenant by membership (docs/citus.md): it is not a tenant there.
        spec.tenancy.binding == .role ? [spec.roles.app]
            : uniqued([spec.roles.app] + spec.roles.readonly + (spec.tenancy.citus ? [] : [spec.roles.admin]))
    }

    func run() throws -> [CheckResult] {
        var out: [CheckResult] = []
        let citus = spec.tenancy.citus
        if citus {
            // Citus: the probe rows of the probe tenants (ids no real tenant has) are committed first and
            // deleted at the end; every probe is then a transaction of its own, rolled back.
            try connection.execute("SET lock_timeout = \(SQL.literal(settings.lockTimeout)); SET statement_timeout = \(SQL.literal(settings.statementTimeout))")
        } else {
            // One snapshot for the whole probe: the checks compare other tenants' rows before and after an
            // attempt, and on a database serving traffic a client's commit in between would read as a change
            // the probe made (LoadTests). The attempts only ever reach probe rows while the walls hold.
            try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            try connection.execute("SET LOCAL lock_timeout = \(SQL.literal(settings.lockTimeout)); SET LOCAL statement_timeout = \(SQL.literal(settings.statementTimeout))")
        }
        // Citus: the committed probe rows go however the run ends; on Ctrl-C from a connection of the handler's
        // own (this one may be inside libpq).
        let interrupted = citus ? Interruption.onInterrupt { [conninfo, self] in
            _ = try? Connection(conninfo).execute(probeRowRemoval)
        } : nil
        defer {
            interrupted.map(Interruption.remove)
            if citus { removeProbeRows() } else { _ = try? connection.execute("ROLLBACK") }
        }
        let checks = VerifyChecks.table
        for check in checks where check.scope == .table { out += try check.run(self, ProbeTarget()) }
        do {
            let seeded = try seed()
            if settings.pgTAP {
                var record = CheckResult(id: PgTAPScript.seedId, table: table.qualifiedName, role: "-", tenant: "-", command: "SEED", title: "probe rows",
                                         sql: "", expected: "", actual: "", passed: true)
                record.tap = seeded.map { $0 + ";" }.joined(separator: "\n")
                out.append(record)
            }
        } catch let failure as ProbeRows.Failure {
            // Not a wall that failed: no wall of this table was tried. Said as its own outcome, with the reason.
            out.append(CheckResult.notProbed(table: table.qualifiedName, sql: failure.statement + ";", reason: failure.error.brief))
            return out
        }
        for role in actors {
            let commands = Set(table.commands(for: role))
            for (i, tenant) in tenants.enumerated() {
                let next = (i + 1) % tenants.count
                let target = ProbeTarget(role: role, commands: commands, actor: (label(i), tenant), victim: (label(next), tenants[next]))
                for check in checks where check.scope == .tenant { out += try check.run(self, target) }
            }
            for context in [ProbeSession.Context.none, .empty, .malformed] {
                for check in checks where check.scope == .noContext { out += try check.run(self, ProbeTarget(role: role, commands: commands, context: context)) }
            }
            for check in checks where check.scope == .role { out += try check.run(self, ProbeTarget(role: role, commands: commands)) }
        }
        // A walled table's compressed chunks too: they hold every tenant's rows, compressed.
        for (child, compressed) in try children().map({ ($0, false) }) + compressedChunks().map({ ($0, true) }) {
            for role in actors {
                for check in checks where check.scope == .child { out += try check.run(self, ProbeTarget(role: role, child: child, compressed: compressed)) }
            }
        }
        for (view, materialized) in try views() {
            for role in actors where (try? connection.query("SELECT has_table_privilege($1, $2, 'SELECT')", [role, view]).flag) == true {
                for check in checks where check.scope == .view { out += try check.run(self, ProbeTarget(role: role, view: (view, materialized))) }
            }
        }
        if adminChecks {
            for check in checks where check.scope == .admin { out += try check.run(self, ProbeTarget()) }
        }
        return out
    }

    // MARK: seeding

    /// Writes the probe rows (and, in the role binding, the probe tenant roles; and the rows in other tables
    /// the probe rows point at, `ProbeRows.prepare`), reading the live table first; returns what it ran. A
    /// statement that fails is thrown as a `ProbeRows.Failure` naming it.
    @discardableResult
    func seed() throws -> [String] {
        do {
            try rows.load()
        } catch let error as PostgresError {
            throw ProbeRows.Failure(statement: "-- reading \(table.qualifiedName) from the catalog", error: error)
        }
        var statements: [String] = []
        func run(_ statement: String) throws {
            do { try connection.execute(statement) } catch let error as PostgresError { throw ProbeRows.Failure(statement: statement, error: error) }
            statements.append(statement)
        }
        let write = {
            if self.settings.pgTAP, self.spec.tenancy.binding == .signed, let secret = self.settings.scriptSecret {
                try run(PgTAPScript.keyInsert(self.spec, secret: secret))
            }
            let map = SQL.qualified(self.spec.tenancy.helperSchema, "tenant_roles")
            for (tenant, role) in self.tenantRoles.sorted(by: { $0.value < $1.value }) {
                try run("CREATE ROLE \(SQL.ident(role)) NOLOGIN")
                try run("GRANT \(SQL.ident(self.spec.roles.app)) TO \(SQL.ident(role))")
                try run("INSERT INTO \(map) (role_name, tenant) VALUES (\(SQL.literal(role)), \(self.literal(tenant)))")
            }
            for (n, tenant) in self.tenants.enumerated() {
                statements += try self.rows.prepare(tenant)
                for row in 0..<(self.table.isolation == .self ? 1 : 2) {
                    try run(self.rows.insert(tenant: tenant, seed: n * 10 + row + 1, intoSource: true))
                }
            }
        }
        if spec.tenancy.citus {
            // A failure inside rolls the transaction back; the commit can fail too (a deferred constraint). The
            // registry rows commit with the probe rows, so a run killed later is found by the next one.
            let record = { for entry in self.registryEntries { try ProbeRegistry.record(self.connection, entry) } }
            do { try connection.transaction { try write(); try record() } } catch let error as PostgresError { throw ProbeRows.Failure(statement: "COMMIT", error: error) }
        } else {
            try write()
        }
        return statements
    }

    /// Citus: deletes the committed probe rows (only the probe tenants' ids, which no real tenant has), then
    /// those written into other tables for them, the last written first.
    func removeProbeRows() {
        _ = try? connection.execute("RESET ROLE")
        _ = try? connection.execute(probeRowRemoval)
    }

    var probeRowRemoval: String { ProbeRegistry.removal(run: runId, registryEntries) }

    /// The tables this probe writes probe rows into, in deletion order: the probed table, then those written
    /// into for it, the last written first.
    var registryEntries: [ProbeRegistry.Entry] {
        let written = [(rows.schema, rows.name, scopeColumn)] + rows.ledger.tables.reversed().map { ($0.schema, $0.name, $0.column) }
        return written.enumerated().map { position, table in
            ProbeRegistry.Entry(run: runId, schema: table.0, table: table.1, column: table.2, tenants: tenants, position: position)
        }
    }

    /// The probe rows a tenant owns in this table (what a statement limited to it may touch).
    var ownRows: Int { table.isolation == .self ? 1 : 2 }

    /// A probe row of `tenant` (`ProbeRows`): the seeded rows, and the INSERT the write checks try.
    func insert(tenant: String, seed: Int) -> String { rows.insert(tenant: tenant, seed: seed) }

    func result(_ id: String, _ role: String, _ tenant: String, _ command: String, _ title: String, _ sql: String,
                expected: String, actual: String, passed: Bool) -> CheckResult {
        CheckResult(id: id, table: table.qualifiedName, role: role, tenant: tenant, command: command, title: title, sql: sql,
                    expected: expected, actual: actual, passed: passed)
    }

    /// A tenant id as a typed literal.
    func literal(_ id: String) -> String { SQL.literal(id) + "::" + type }

    // MARK: what checks share

    /// Runs `sql` as the target's role and tenant, with no WHERE: passes when the other tenants' rows are
    /// exactly as they were (read as the verifier, in the same savepoint) and the statement either ran or was
    /// refused by a wall (42501); any other error proves nothing.
    func othersUnchanged(_ id: String, _ target: ProbeTarget, _ command: String, _ title: String, _ sql: String) throws -> CheckResult {
        let others = "SELECT count(*) || ' ' || md5(COALESCE(string_agg(t::text, ',' ORDER BY t::text), '')) FROM \(source) AS t WHERE \(scope) IS DISTINCT FROM \(literal(target.actor.id))"
        if spec.tenancy.citus {
            // Citus refuses the verifier's read of placements the role just changed in the same transaction:
            // the statement's own count says how many rows it touched; no more than the session's own may be.
            // Citus itself refuses to change a distribution column (0A000), a wall too.
            let attempt = try session.act(target.role, .tenant(target.actor.id)) { session.attempt(sql) }
            let touched = attempt.result?.affectedRows ?? 0
            let refusedByAWall = attempt.error == nil || ["42501", "0A000"].contains(attempt.error?.sqlState ?? "")
            return result(id, target.role, target.actor.label, command, title, session.evidence,
                          expected: "42501 (or Citus's 0A000), or only the session's \(ownRows) rows touched",
                          actual: attempt.error?.brief ?? "\(touched) rows touched", passed: refusedByAWall && touched <= ownRows)
        }
        let before = try connection.query(others).scalar
        let (attempt, after) = try session.act(target.role, .tenant(target.actor.id)) { () -> ((QueryResult?, PostgresError?), String?) in
            let attempt = session.attempt(sql)
            return (attempt, try session.asVerifier { try session.read(others) })
        }
        let unchanged = after == before
        let refusedByAWall = attempt.1 == nil || refusedByWall(attempt.1)
        var out = result(id, target.role, target.actor.label, command, title, session.evidence,
                         expected: "other tenants' rows unchanged (\(wallCodes.joined(separator: " or ")) or only own rows touched)",
                         actual: (attempt.1?.brief ?? "\(attempt.0?.affectedRows ?? 0) rows") + (unchanged ? ", other tenants' rows unchanged" : ", OTHER TENANTS' ROWS CHANGED"),
                         passed: unchanged && refusedByAWall)
        out.tap = tap(target.role, .tenant(target.actor.id), before: [others], [.run(sql)],
                      pass: "($1 NOT LIKE 'ERR:%' OR \(tapRefused("$1"))) AND pg_temp.tw_value(\(SQL.dollarQuoted(others))) = $b1", "\(id) as \(target.role) (tenant \(target.actor.label)): \(title)")
        return out
    }

    /// A statement naming a partition or chunk directly, as tenant A: a read returns nothing, an INSERT is
    /// refused with 42501 (a privilege or row-security refusal, never a range or key check that only fails by
    /// luck), an UPDATE or DELETE is refused or touches nothing.
    func childAttempt(_ id: String, _ target: ProbeTarget, _ command: String, _ sql: String, _ title: String) throws -> CheckResult {
        let held = try connection.query("SELECT count(*) FROM \(target.child)").scalar ?? "?"
        let attempt = try session.act(target.role, .tenant(tenants[0])) { session.attempt(sql) }
        let touched = command == "SELECT" ? attempt.result?.scalar.flatMap { Int($0) } : attempt.result?.affectedRows
        let refused = attempt.error?.sqlState == "42501"
        let actual = attempt.error?.brief ?? (command == "INSERT" ? "row accepted" : "\(touched.map(String.init) ?? "?") rows \(command == "SELECT" ? "returned" : "changed")")
        var out = result(id, target.role, "A", command, title, session.evidence,
                         expected: command == "INSERT" ? "42501" : "42501 or 0 rows (it holds \(held))", actual: actual,
                         passed: refused || (command != "INSERT" && touched == 0))
        out.tap = tap(target.role, .tenant(tenants[0]), [command == "SELECT" ? .value(sql) : .run(sql)],
                      pass: command == "INSERT" ? "$1 = 'ERR:42501'" : "($1 = '0' OR $1 = 'ERR:42501')", "\(id) as \(target.role): \(title)")
        return out
    }

    /// An INSERT into `child` of a row its range accepts: a row it holds (read as the verifier, another tenant's
    /// by preference) moved to tenant A, unless the tenant column partitions the hypertable too; tenant A's probe
    /// row when the child is empty.
    func childInsert(_ child: String, compressed: Bool = false) throws -> String {
        // A compressed chunk's columns hold compressed data: a row of the table's shape would fail on its types
        // before any wall is tried. DEFAULT VALUES is refused by the privilege check (42501) first.
        if compressed { return "INSERT INTO \(child) DEFAULT VALUES" }
        let scopeName = scopeColumn
        let columns = rows.copyColumns(identities: false)
        let tenantA = literal(tenants[0])
        let sample = try connection.query("""
            SELECT \(columns.map { SQL.ident($0) + "::text" }.joined(separator: ", ")) FROM \(child)
            ORDER BY \(SQL.ident(scopeName)) = \(tenantA) LIMIT 1
            """).rows.first
        guard let sample else {
            return insert(tenant: tenants[0], seed: 903).replacingOccurrences(of: "INSERT INTO \(name) ", with: "INSERT INTO \(child) ")
        }
        let keepsTenant = table.hypertable?.spacePartitions != nil
        let values = zip(columns, sample).map { column, value -> String in
            if column == scopeName && !keepsTenant { return tenantA }
            return rows.copied(value, column: column)
        }
        return "INSERT INTO \(child) (\(SQL.identList(columns)))\(rows.overriding(columns)) VALUES (\(values.joined(separator: ", ")))"
    }

    /// Views and materialized views that read the table, or a walled table's storage (a view over the storage
    /// that a role can read goes round the wall view).
    func views() throws -> [(String, Bool)] {
        try connection.query("""
            SELECT DISTINCT v.oid::regclass::text AS view, v.relkind = 'm' AS materialized
            FROM pg_catalog.pg_depend AS d JOIN pg_catalog.pg_rewrite AS r ON r.oid = d.objid JOIN pg_catalog.pg_class AS v ON v.oid = r.ev_class
            WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refobjid IN ($1::regclass, $2::regclass)
              AND v.oid NOT IN ($1::regclass, $2::regclass) AND v.relkind IN ('v', 'm')
            ORDER BY 1
            """, [name, source]).named.compactMap { row in row["view"].map { ($0, row.bool("materialized")) } }
    }

    /// How many probe tenants the session sees (admin-mode checks).
    var distinctProbeTenants: String {
        "SELECT count(DISTINCT \(scope))::text FROM \(name) WHERE \(scope) IN (\(tenants.map(literal).joined(separator: ", ")))"
    }

    var enableAdminMode: String { "SELECT \(SQL.qualified(spec.tenancy.helperSchema, "enable_admin_mode"))('tenantwall verify')" }

    // MARK: pgTAP

    /// What a pgTAP block captures as the session, into numbered slots: a scalar query's first value, the
    /// number of rows a query returns, or the rows a statement touched ("ERR:<SQLSTATE>" when it fails).
    enum TapCapture {
        case value(String), count(String), run(String)
        /// A statement of the session's own that must succeed (a hand-typed SET, say), captured in no slot.
        case exec(String)
    }

    /// The check's pgTAP block (nil unless `verify --emit-pgtap`): `before` runs as the verifier into slots
    /// b1, b2 …; then, as `role` with `context`, each capture into slots 1, 2 …; back as the verifier, `pass`
    /// (SQL over `$1`, `$b1` …) is the test.
    func tap(_ role: String, _ context: ProbeSession.Context, before: [String] = [], _ captures: [TapCapture], pass: String, _ description: String) -> String? {
        guard settings.pgTAP else { return nil }
        func slot(_ k: String) -> String { "(SELECT v FROM pg_temp.tw_r WHERE k = '\(k)')" }
        var lines = ["SAVEPOINT tw_check;"]
        for (i, sql) in before.enumerated() { lines.append("INSERT INTO pg_temp.tw_r VALUES ('b\(i + 1)', pg_temp.tw_value(\(SQL.dollarQuoted(sql))));") }
        lines += session.preamble(role, context).map { $0 + ";" }
        var slots = 0
        for capture in captures {
            let call: String
            switch capture {
            case .value(let sql): call = "pg_temp.tw_value(\(SQL.dollarQuoted(sql)))"
            case .count(let sql): call = "pg_temp.tw_value(\(SQL.dollarQuoted("SELECT count(*) FROM (\(sql)) AS q")))"
            case .run(let sql): call = "pg_temp.tw_run(\(SQL.dollarQuoted(sql)))"
            case .exec(let sql): lines.append(sql + ";"); continue
            }
            slots += 1
            lines.append("INSERT INTO pg_temp.tw_r VALUES ('\(slots)', \(call));")
        }
        lines.append("RESET ROLE;")
        var condition = pass
        for i in (0..<before.count).reversed() { condition = condition.replacingOccurrences(of: "$b\(i + 1)", with: slot("b\(i + 1)")) }
        for i in (0..<slots).reversed() { condition = condition.replacingOccurrences(of: "$\(i + 1)", with: slot("\(i + 1)")) }
        lines.append("SELECT ok(COALESCE(\(condition), false), \(SQL.literal(table.qualifiedName + ": " + description)));")
        lines.append("ROLLBACK TO SAVEPOINT tw_check;")
        return lines.joined(separator: "\n")
    }

    /// A pgTAP block with no session: a catalog condition as the verifier.
    func tapCatalog(_ condition: String, _ description: String) -> String? {
        guard settings.pgTAP else { return nil }
        return "SELECT ok(COALESCE(\(condition), false), \(SQL.literal(table.qualifiedName + ": " + description)));"
    }
}
