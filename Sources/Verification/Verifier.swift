import Catalog
import Citus
import Foundation
import Migrations
import PolicyGen
import Postgres
import Quoting
import Tenantwall

/// `tenantwall verify`: tries to cross every wall the spec promises, on a live database, and records the
/// evidence.
///
/// It opens several connections at once (one per worker) from a connection that bypasses RLS (superuser or
/// BYPASSRLS, able to `SET ROLE` to the spec's roles). Each table is probed in its own transaction that is
/// always rolled back, with short lock and statement timeouts, so it never commits a probe row, never
/// changes an existing one, and never blocks the application for long.
public final class Verifier {
    public struct Settings: Sendable {
        public var tenants = 3
        public var workers = 4
        public var lockTimeout = "2s"
        public var statementTimeout = "30s"
        /// The `signed` binding's secret, to mint probe tokens.
        public var secret: [UInt8]?
        /// Also write each check's pgTAP form (`verify --emit-pgtap`): see `PgTAPScript`.
        public var pgTAP = false
        /// The pgTAP script's own signing key (signed binding): the table probes sign with it and add it inside
        /// their transactions, as the script does.
        public var scriptSecret: [UInt8]?
        /// `verify --pooler`: a connection string through the application's pooler, for the cross-client probes
        /// (`PoolerChecks`).
        public var pooler: String?
        public init() {}
    }

    let spec: Spec
    let conninfo: String
    let settings: Settings
    let specFingerprint: String
    let progress: (String) -> Void
    /// What the user must hear even when stderr is not a terminal (leftover probe rows removed).
    let notice: (String) -> Void

    public init(spec: Spec, conninfo: String, settings: Settings = Settings(), specFingerprint: String = "", progress: @escaping (String) -> Void = { _ in },
                notice: ((String) -> Void)? = nil) {
        self.notice = notice ?? progress
        self.spec = spec
        self.conninfo = conninfo
        self.settings = settings
        self.specFingerprint = specFingerprint
        self.progress = progress
    }

    public var tenantIds: [String] { (0..<max(2, settings.tenants)).map { ProbeValues.tenant($0, type: spec.tenancy.type) } }

    public func run() throws -> VerifyReport {
        let started = Date()
        if spec.tenancy.binding == .signed && settings.secret == nil {
            throw ToolError("the spec binds tenants with signed tokens: give the signing secret (--secret-env NAME or --secret-file PATH) so verify can mint probe tokens")
        }
        let main = try Connection(conninfo)
        guard try main.bypassesRLS() else {
            throw ToolError("verify writes probe rows (always rolled back) and needs a connection that bypasses RLS: connect as a superuser or a role with BYPASSRLS that may SET ROLE to the spec's roles")
        }
        // One read of the catalog: the report's fingerprint of the database and the role checks.
        let catalog = try CatalogReader.read(main)
        let snapshot = CatalogSnapshot(catalog: catalog, spec: spec)
        let catalogText = snapshot.objects.keys.sorted().map { "\($0)\n\(snapshot.objects[$0]!)" }.joined(separator: "\n")
        let database = try main.query("SELECT current_database(), current_setting('server_version')").rows[0]

        var checks = try roleChecks(catalog) + coverageChecks(catalog) + contextLeakChecks(main) + workerLoginChecks(main) + rollupChecks(main) + walledChecks(main) + trailChecks(main)
        if let pooler = settings.pooler { checks += try poolerChecks(pooler) }
        // Citus: what killed runs left is removed, and the probe ids checked free, before any probe row commits.
        let leftovers = try leftoverChecks(main)
        checks += leftovers
        let tables = leftovers.contains { $0.status == .failed } ? [] : spec.scopedTables
        let adminTable = tables.first { $0.table.isolation == .tenant && $0.table.commands(for: spec.roles.admin).contains(.select) }?.qualifiedName
        // Tables whose probes write probe tenants into a common table run one after another (ProbeGroups).
        let groups = try ProbeGroups.of(tables, spec: spec, connection: main)
        let workers = max(1, min(settings.workers, groups.count))
        let connections = try (0..<workers).map { _ in try Connection(conninfo) }
        let lock = NSLock()
        var finished = 0
        checks += try WorkerPool.map(groups, workers: workers) { worker, group in
            try group.flatMap { table -> [CheckResult] in
                let results = try TableProbe(spec: spec, scoped: table, connection: connections[worker], conninfo: conninfo, tenants: tenantIds,
                                             settings: settings, adminChecks: table.qualifiedName == adminTable).run()
                let outcome = results.contains { $0.status == .failed } ? "FAILED" : results.contains { $0.status == .notProbed } ? "NOT PROBED" : "ok"
                lock.lock()
                finished += 1
                progress("[\(finished)/\(tables.count)] \(table.qualifiedName): \(outcome)")
                lock.unlock()
                return results
            }
        }.flatMap { $0 }
        checks.sort { ($0.table, $0.role, $0.tenant, $0.id) < ($1.table, $1.role, $1.tenant, $1.id) }
        let formatter = ISO8601DateFormatter()
        return VerifyReport(startedAt: formatter.string(from: started), durationMilliseconds: Int(Date().timeIntervalSince(started) * 1000),
                            database: database[0] ?? "?", serverVersion: database[1] ?? "?",
                            databaseFingerprint: Checksum.sha256Hex(Array(catalogText.utf8)), specFingerprint: specFingerprint,
                            specFiles: spec.files,
                            tenants: Dictionary(uniqueKeysWithValues: tenantIds.enumerated().map { (String(UnicodeScalar(UInt8(65 + $0.offset))), $0.element) }),
                            checks: checks)
    }

    func check(_ id: String, _ table: String, _ role: String, _ command: String, _ title: String, _ sql: String,
               expected: String, actual: String, passed: Bool) -> CheckResult {
        CheckResult(id: id, table: table, role: role, tenant: "-", command: command, title: title, sql: sql, expected: expected, actual: actual, passed: passed)
    }

    /// Roles the application uses must not bypass RLS: not superuser, not BYPASSRLS, not able to become one,
    /// not the owner of a protected table. Judged on the catalog verify read once; the SQL each check shows is the
    /// query that reproduces its evidence by hand.
    func roleChecks(_ catalog: DatabaseCatalog) -> [CheckResult] {
        let sql = """
            SELECT r.rolname AS role, r.rolsuper AS superuser, r.rolbypassrls AS bypassrls,
                   (SELECT string_agg(b.rolname, ',') FROM pg_roles AS b
                    WHERE (b.rolsuper OR b.rolbypassrls) AND b.oid <> r.oid AND pg_has_role(r.oid, b.oid, 'MEMBER')) AS bypassing_roles
            FROM pg_roles AS r WHERE r.rolname = ANY ($1::text[]) ORDER BY 1
            """
        let roles = uniqued(spec.roles.accessRoles)
        var out: [CheckResult] = []
        for role in roles {
            guard let row = catalog.role(role) else {
                out.append(check("role-exists", "-", role, "ROLE", "role \(role) exists", sql, expected: "exists", actual: "missing", passed: false))
                continue
            }
            let memberships = row.bypassMemberships.isEmpty ? nil : "member of " + row.bypassMemberships.joined(separator: ",")
            let bypass = row.superuser ? "superuser" : row.bypassRLS ? "BYPASSRLS" : memberships
            out.append(check("role-no-bypass", "-", role, "ROLE", "\(role) cannot bypass row-level security", sql,
                             expected: "not superuser, not BYPASSRLS, not a member of one", actual: bypass ?? "does not bypass", passed: bypass == nil))
        }
        let owners = """
            SELECT n.nspname || '.' || c.relname AS "table", pg_get_userbyid(c.relowner) AS owner, c.relforcerowsecurity AS forced FROM pg_class AS c
            JOIN pg_namespace AS n ON n.oid = c.relnamespace
            JOIN unnest($1::text[], $2::text[]) AS s(nsp, rel) ON s.nsp = n.nspname AND s.rel = c.relname
            """
        for table in spec.tables.compactMap({ catalog.table($0.qualifiedName) }) where roles.contains(table.owner) {
            out.append(check("role-owns-table", table.qualified, table.owner, "ROLE", "\(table.owner) does not own \(table.qualified) (an owner can turn FORCE off)", owners,
                             expected: "owned by \(spec.roles.owner)", actual: "owned by \(table.owner), force=\(table.forced ? "t" : "f")", passed: false))
        }
        return out
    }

    /// Citus: the coordinator logs in to the workers as the session's role, so the access roles can log in; only
    /// the cluster's own connections may. Each is tried straight at each worker, from here: a login that
    /// succeeds is a finding (an application could name shards, list them, and write a row into a shard that
    /// holds other tenants' hash range), whose remedy is pg_hba on the workers.
    func workerLoginChecks(_ db: Connection) throws -> [CheckResult] {
        guard spec.tenancy.citus, try CitusPlacements.installed(db) else { return [] }
        let workers = try db.query("SELECT nodename AS host, nodeport::text AS port FROM pg_catalog.pg_dist_node WHERE noderole = 'primary' AND groupid <> 0 ORDER BY 1, 2").named
        let database = try db.query("SELECT pg_catalog.current_database()").scalar ?? ""
        var out: [CheckResult] = []
        for worker in workers {
            let host = worker["host"] ?? "", port = worker["port"] ?? ""
            for role in uniqued(spec.roles.accessRoles) {
                let conninfo = ConnectionString.with(conninfo, [("host", host), ("port", port), ("dbname", database), ("user", role)])
                var actual = "logged in"
                do { _ = try Connection(conninfo) } catch let error as PostgresError { actual = "refused: " + (error.sqlState ?? "") + " " + error.message }
                out.append(check("worker-direct-login", "-", role, "ROLE", "\(role) cannot log in to worker \(host):\(port) directly",
                                 "-- psql \"host=\(host) port=\(port) dbname=\(database) user=\(role)\"", expected: "refused (pg_hba on the worker admits the coordinator only)",
                                 actual: actual == "logged in" ? "logged in: restrict \(role) to the coordinator's connections in the worker's pg_hba.conf" : actual,
                                 passed: actual != "logged in"))
            }
        }
        return out
    }

    /// Tables that hold the tenant column but that the spec does not cover, judged on the catalog verify read once
    /// (the SQL shown reproduces it).
    func coverageChecks(_ catalog: DatabaseCatalog) -> [CheckResult] {
        let sql = """
            SELECT n.nspname || '.' || c.relname FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid
            JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE a.attname = $1 AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND NOT c.relispartition
              AND NOT EXISTS (SELECT 1 FROM pg_inherits AS i WHERE i.inhrelid = c.oid)
              AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'tenantwall_migrations', '_timescaledb_internal', '_timescaledb_catalog')
              -- pg_partman's template tables hold no rows and are not granted to anyone.
              AND NOT (c.relname LIKE 'template!_%' ESCAPE '!' AND n.oid = (SELECT extnamespace FROM pg_extension WHERE extname = 'pg_partman'))
            ORDER BY 1
            """
        // A walled table's rows live in its storage, which the spec covers under the table's name.
        let covered = Set(spec.tables.map(\.qualifiedName) + spec.tables.filter(\.isWalled).map { t in
            let storage = t.storage(tenancy: spec.tenancy)
            return storage.schema + "." + storage.name
        } + (spec.hasTrail ? [spec.trailSchema + ".change_trail"] : []))
        let skipped: Set<String> = ["tenantwall_migrations", "_timescaledb_internal", "_timescaledb_catalog"]
        let uncovered = catalog.tables.filter { t in
            ["r", "p"].contains(t.kind) && t.parents.isEmpty && !t.isPartition && t.columns.contains(spec.tenancy.column) && !skipped.contains(t.schema)
                && !(t.name.hasPrefix("template_") && t.name.count > "template_".count && t.schema == catalog.extensions["pg_partman"])
                && !covered.contains(t.qualified)
        }
        return uncovered.map(\.qualified).sorted(by: <).map { table in
            check("table-covered", table, "-", "CATALOG", "\(table) has the tenant column '\(spec.tenancy.column)' but the spec does not cover it", sql,
                  expected: "covered by the spec", actual: "not covered", passed: false)
        }
    }

    /// A context set in one transaction must be gone in the next when the spec says transaction-local:
    /// otherwise a pooled connection hands one tenant's context to the next client.
    func contextLeakChecks(_ db: Connection) throws -> [CheckResult] {
        if spec.tenancy.binding == .role {
            var note = check("context-transaction-local", "-", spec.roles.app, "CONTEXT", "binding 'role': the tenant comes from the session's role, not a setting",
                             "-", expected: "-", actual: "not applicable", passed: true)
            note.skipped = true
            return [note]
        }
        let helpers = spec.tenancy.helperSchema, tenant = tenantIds[0]
        let (cast, value) = ProbeSession(connection: db, spec: spec, secret: settings.secret).contextArgument(tenant)
        let set = "SELECT \(SQL.qualified(helpers, "set_tenant_context"))(\(SQL.literal(value))::\(cast))"
        let read = "SELECT \(SQL.qualified(helpers, "current_tenant_id"))()::text"
        let sql = "SET ROLE \(SQL.ident(spec.roles.app));\nBEGIN; \(set); COMMIT;\n\(read);"
        var actual = "?"
        do {
            try db.execute("SET ROLE \(SQL.ident(spec.roles.app))")
            defer {
                _ = try? db.execute("RESET ROLE")
                _ = try? db.execute("SELECT \(SQL.qualified(helpers, "clear_tenant_context"))()")
            }
            try db.execute("BEGIN")
            try db.execute(set)
            try db.execute("COMMIT")
            actual = try db.query(read).scalar.map { "context \($0) survived the transaction" } ?? "no context after the transaction"
        } catch let error as PostgresError {
            _ = try? db.execute("ROLLBACK")
            actual = error.brief
        }
        let title = spec.tenancy.scope == .transaction
            ? "a tenant context does not outlive its transaction (pooled connections)"
            : "a tenant context does not outlive its transaction (the spec asks for session scope: unsafe behind a pooler)"
        var out = [check("context-transaction-local", "-", spec.roles.app, "CONTEXT", title, sql,
                         expected: "no context after the transaction", actual: actual, passed: actual == "no context after the transaction")]
        out += try sessionSettingChecks(db)
        if spec.tenancy.binding == .context {
            // Said in every report, as the issue asks: this is what the context binding trusts.
            var note = check("binding-trusts-application", "-", spec.roles.app, "CONTEXT",
                             "binding 'context': \(spec.roles.app) can set any tenant id (the signed binding removes this)", set,
                             expected: "-", actual: "the application role can choose any tenant", passed: true)
            note.skipped = true
            out.append(note)
        }
        return out
    }
}
