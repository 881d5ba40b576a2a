import Deploy
import Foundation
import Identity
import LocalPostgres
import Migrations
import PolicyGen
import Postgres
import Quoting
import Tenantwall
import Verification
import XCTest

/// The example specs' application flows through PgBouncer in transaction mode, one server connection per
/// (database, user) and more clients than that: whatever one client leaves on the server connection, the
/// next one gets. Each test proves the clients really shared it (the same backend pid) before asserting that
/// nothing of the first one's tenant reached the second.
final class PoolerTests: XCTestCase {
    override func setUpWithError() throws {
        _ = try TestServer.shared  // no server is a failure, whether or not PgBouncer is installed
        guard LocalPooler.findBinary() != nil else {
            throw XCTSkip("no pgbouncer binary (apt-get install pgbouncer, or set PGBOUNCER): the pooler tests need one")
        }
    }

    func applied(_ model: String, _ change: (inout Spec) -> Void = { _ in }) throws -> (name: String, db: Connection, spec: Spec) {
        try AppliedExample.applied(model, prefix: "pool", change)
    }

    func loginRole(_ prefix: String, memberOf role: String, _ db: Connection) throws -> String {
        try AppliedExample.loginRole(prefix, memberOf: role, db)
    }

    func client(_ pooler: LocalPooler, _ database: String, _ user: String) throws -> Connection {
        try Connection(pooler.connectionString(database: database, user: user))
    }

    /// How many server connections PgBouncer holds for (database, user), from its admin console.
    func serverConnections(_ pooler: LocalPooler, _ database: String, _ user: String) throws -> Int {
        let console = try Connection(pooler.connectionString(database: "pgbouncer", user: TestServer.shared.superuser))
        return try console.execute("SHOW SERVERS").named.filter { $0["database"] == database && $0["user"] == user }.count
    }

    /// What a client sees of a table: `tenants:rows`, or `none`.
    func visible(_ connection: Connection, _ table: String) throws -> String {
        try connection.query("SELECT string_agg(DISTINCT tenant_id::text, ',' ORDER BY tenant_id::text) || ':' || count(*) FROM \(table)").scalar ?? "none"
    }

    // MARK: context binding (workflow-platform)

    /// With each helper install, and with the context held in the backend (`context_store: backend`).
    func testContextBindingNeverReachesTheNextClient() throws {
        for helpers in HelperInstall.allCases {
            try assertContextBindingNeverReachesTheNextClient("\(helpers)") { $0.tenancy.helpers = helpers }
        }
        try assertContextBindingNeverReachesTheNextClient("held") { $0.tenancy.helpers = .extension; $0.tenancy.contextStore = .backend }
    }

    func assertContextBindingNeverReachesTheNextClient(_ helpers: String, _ change: (inout Spec) -> Void) throws {
        let (name, db, spec) = try applied("workflow-platform", change)
        try db.execute("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'a', '{}'), (1, 'b', '{}'), (2, 'c', '{}')")
        let app = try loginRole("pool_wf_app", memberOf: spec.roles.app, db)
        let pooler = try LocalPooler.start(in: TestServer.shared, users: [app])
        defer { pooler.stop() }
        // Three clients connected at once, one server connection between them.
        let (a, b, c) = (try client(pooler, name, app), try client(pooler, name, app), try client(pooler, name, app))

        try a.execute("BEGIN")
        try a.query("SELECT tenantwall.set_tenant_context(1)")
        XCTAssertEqual(try visible(a, "public.workflows"), "1:2", "\(helpers): client A sees its tenant")
        try a.query("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'from A', '{}')")
        let backend = try a.query("SELECT pg_backend_pid()").scalar
        try a.execute("COMMIT")

        XCTAssertEqual(try b.query("SELECT pg_backend_pid()").scalar, backend, "\(helpers): B runs on A's server connection")
        XCTAssertNil(try b.query("SELECT tenantwall.current_tenant_id()").scalar, "\(helpers): no context reaches B")
        XCTAssertNil(try b.query("SELECT current_setting($1, true)", [spec.tenancy.setting]).scalar.flatMap { $0.isEmpty ? nil : $0 },
                     "\(helpers): the setting itself is gone")
        for table in spec.tables where table.isolation == .tenant && table.commands(for: spec.roles.app).contains(.select) {
            XCTAssertEqual(try b.query("SELECT count(*) FROM \(SQL.qualified(table.schema, table.name))").scalar, "0", "\(helpers): B sees nothing of \(table.qualifiedName)")
        }
        XCTAssertThrowsError(try b.query("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'from B', '{}')"), "\(helpers): B cannot write as A") {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42501", "\($0)")
        }
        try b.execute("BEGIN")
        try b.query("SELECT tenantwall.set_tenant_context(2)")
        XCTAssertEqual(try visible(b, "public.workflows"), "2:1", "\(helpers): B bound to its own tenant sees only it")
        try b.execute("COMMIT")

        XCTAssertEqual(try c.query("SELECT pg_backend_pid()").scalar, backend, "\(helpers): C too")
        XCTAssertEqual(try visible(c, "public.workflows"), "none", "\(helpers): nothing of A or B reaches C")
        XCTAssertEqual(try serverConnections(pooler, name, app), 1, "\(helpers): three clients, one server connection")
        XCTAssertEqual(try db.query("SELECT count(*) FROM public.workflows WHERE name = 'from A'").scalar, "1", "A's write committed")
    }

    /// Admin mode lives in one transaction: not in the next client's, even when the first one copies its token
    /// into a session setting on the shared connection.
    func testAdminModeIsNeverCarriedOver() throws {
        for helpers in HelperInstall.allCases { try assertAdminModeIsNeverCarriedOver(helpers) }
    }

    func assertAdminModeIsNeverCarriedOver(_ helpers: HelperInstall) throws {
        let (name, db, spec) = try applied("workflow-platform") { $0.tenancy.helpers = helpers }
        try db.execute("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'a', '{}'), (2, 'b', '{}')")
        let admin = try loginRole("pool_wf_admin", memberOf: spec.roles.admin, db)
        let pooler = try LocalPooler.start(in: TestServer.shared, users: [admin])
        defer { pooler.stop() }
        let (x, y) = (try client(pooler, name, admin), try client(pooler, name, admin))

        try x.execute("BEGIN")
        try x.query("SELECT tenantwall.enable_admin_mode('pooler test')")
        XCTAssertEqual(try x.query("SELECT count(DISTINCT tenant_id)::text FROM public.workflows").scalar, "2", "\(helpers): admin mode sees every tenant")
        let token = try XCTUnwrap(try x.query("SELECT current_setting($1)", [HelperCore.adminTokenSetting]).scalar)
        try x.query("SELECT set_config($1, $2, false)", [HelperCore.adminTokenSetting, token])
        let backend = try x.query("SELECT pg_backend_pid()").scalar
        try x.execute("COMMIT")

        XCTAssertEqual(try y.query("SELECT pg_backend_pid()").scalar, backend, "\(helpers): Y runs on X's server connection")
        XCTAssertEqual(try y.query("SELECT current_setting($1, true)", [HelperCore.adminTokenSetting]).scalar, token,
                       "\(helpers): the copied token did reach Y: the wall below is not vacuous")
        XCTAssertEqual(try y.query("SELECT tenantwall.admin_mode_enabled()::text").scalar, "false", "\(helpers): admin mode is not carried over")
        XCTAssertEqual(try visible(y, "public.workflows"), "none", "\(helpers): Y sees no tenant")
    }

    /// `scope: session` is exactly the leak a transaction-mode pooler turns into a breach: the next client of the
    /// server connection is the previous client's tenant. The same flow with transaction scope leaks nothing.
    func testSessionScopeLeaksThroughThePoolerAndTransactionScopeDoesNot() throws {
        XCTAssertEqual(try nextClientSees(.session), "1:2", "session scope: B reads A's tenant")
        XCTAssertEqual(try nextClientSees(.transaction), "none", "transaction scope: B reads nothing")
    }

    func nextClientSees(_ scope: ContextScope) throws -> String {
        let (name, db, spec) = try applied("workflow-platform") { $0.tenancy.scope = scope }
        try db.execute("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'a', '{}'), (1, 'b', '{}'), (2, 'c', '{}')")
        let app = try loginRole("pool_wf_app", memberOf: spec.roles.app, db)
        let pooler = try LocalPooler.start(in: TestServer.shared, users: [app])
        defer { pooler.stop() }
        let (a, b) = (try client(pooler, name, app), try client(pooler, name, app))
        try a.transaction { try a.query("SELECT tenantwall.set_tenant_context(1)") }
        let backend = try a.query("SELECT pg_backend_pid()").scalar
        XCTAssertEqual(try b.query("SELECT pg_backend_pid()").scalar, backend, "\(scope): B runs on A's server connection")
        return try visible(b, "public.workflows")
    }

    // MARK: verify --pooler

    /// verify's cross-client probes through a real transaction-mode pooler: they pass on the example, the admin
    /// probe runs only for a user that may enable admin mode, and a `scope: session` spec fails with its remedy.
    func testVerifyProbesThroughThePooler() throws {
        let (name, db, spec) = try applied("workflow-platform")
        let app = try loginRole("pool_wf_app", memberOf: spec.roles.app, db), admin = try loginRole("pool_wf_admin", memberOf: spec.roles.admin, db)
        let pooler = try LocalPooler.start(in: TestServer.shared, users: [app, admin])
        defer { pooler.stop() }
        func poolerChecks(_ spec: Spec, _ user: String) throws -> [String: CheckResult] {
            var settings = Verifier.Settings()
            settings.pooler = pooler.connectionString(database: name, user: user)
            let report = try Verifier(spec: spec, conninfo: TestServer.shared.connectionString(database: name), settings: settings).run()
            return Dictionary(uniqueKeysWithValues: report.checks.filter { $0.id.hasPrefix("pooler-") }.map { ($0.id, $0) })
        }
        let asApp = try poolerChecks(spec, app)
        XCTAssertEqual(asApp["pooler-context-next-client"]?.status, .passed, "\(String(describing: asApp["pooler-context-next-client"]))")
        XCTAssertEqual(asApp["pooler-admin-next-client"]?.status, .skipped, "the app may not enable admin mode")
        let asAdmin = try poolerChecks(spec, admin)
        XCTAssertEqual(asAdmin["pooler-admin-next-client"]?.status, .passed, "\(String(describing: asAdmin["pooler-admin-next-client"]))")
        XCTAssertEqual(try db.query("SELECT count(*) FROM tenantwall.admin_mode_log WHERE reason = 'tenantwall verify --pooler'").scalar, "1", "the one committed probe row")

        var session = spec
        session.tenancy.scope = .session
        try LiveDatabase(connection: db).apply(session)
        let leaking = try XCTUnwrap(try poolerChecks(session, app)["pooler-context-next-client"])
        XCTAssertEqual(leaking.status, .failed)
        XCTAssertTrue(leaking.actual.contains("reached the next client") && leaking.actual.contains("scope: transaction"), leaking.actual)
        try LiveDatabase(connection: db).apply(spec)

        let cli = try TenantwallProcess.run(["verify", "--spec", TestServer.path("policies/workflow-platform"), "--database", TestServer.shared.connectionString(database: name),
                                             "--pooler", pooler.connectionString(database: name, user: app), "--format", "json"])
        let failed = (try? JSONDecoder().decode(VerifyReport.self, from: Data(cli.stdout.utf8)))?.checks.filter { $0.status == .failed }.map { "\($0.table) \($0.id) \($0.role): \($0.actual)" }
        XCTAssertEqual(cli.status, 0, cli.stderr + "\n" + (failed ?? [String(cli.stdout.prefix(3000))]).joined(separator: "\n"))
        XCTAssertTrue(cli.stdout.contains("pooler-context-next-client"), "the CLI runs the pooler probes")
    }

    // MARK: signed binding (support-desk)

    func testSignedBindingNeverReachesTheNextClient() throws {
        for helpers in HelperInstall.allCases { try assertSignedBindingNeverReachesTheNextClient(helpers) }
    }

    func assertSignedBindingNeverReachesTheNextClient(_ helpers: HelperInstall) throws {
        let (name, db, spec) = try applied("support-desk") { $0.tenancy.helpers = helpers }
        let (orgA, orgB) = ("0a000000-0000-4000-8000-00000000000a", "0b000000-0000-4000-8000-00000000000b")
        try db.query("INSERT INTO public.tickets (org_id, subject) VALUES ($1, 'a1'), ($1, 'a2'), ($2, 'b1')", [orgA, orgB])
        let secret = Array("pooler-tests-secret-0123456789abcdef".utf8)
        try SigningKeys.rotate(db, spec: spec, secret: secret, id: "pool", overlap: 0)
        let token = { (org: String) in
            try JWT.sign(JWT.claims(path: spec.tenancy.claim, value: org, expires: Date().addingTimeInterval(300)), secret: secret)
        }
        let api = try loginRole("pool_desk_api", memberOf: spec.roles.app, db)
        let pooler = try LocalPooler.start(in: TestServer.shared, users: [api])
        defer { pooler.stop() }
        let (a, b) = (try client(pooler, name, api), try client(pooler, name, api))
        let tickets = "SELECT string_agg(DISTINCT org_id::text, ',') || ':' || count(*) FROM public.tickets"

        try a.execute("BEGIN")
        try a.query("SELECT desk.set_tenant_context($1)", [try token(orgA)])
        XCTAssertEqual(try a.query(tickets).scalar, "\(orgA):2", "\(helpers): A's token binds A")
        let backend = try a.query("SELECT pg_backend_pid()").scalar
        try a.execute("COMMIT")

        XCTAssertEqual(try b.query("SELECT pg_backend_pid()").scalar, backend, "\(helpers): B runs on A's server connection")
        XCTAssertNil(try b.query("SELECT desk.current_tenant_id()").scalar, "\(helpers): A's verified tenant does not reach B")
        XCTAssertEqual(try b.query(tickets).scalar ?? "none", "none", "\(helpers): B sees no ticket")
        try b.execute("BEGIN")
        try b.query("SELECT desk.set_tenant_context($1)", [try token(orgB)])
        XCTAssertEqual(try b.query(tickets).scalar, "\(orgB):1", "\(helpers): B's own token binds only B")
        try b.execute("COMMIT")
    }

    // MARK: role binding (clinic-portal)

    /// A login role per tenant: PgBouncer pools per user, so two clinics never share a server connection, and
    /// whatever a clinic's client leaves on its own connection binds nothing for anyone.
    func testRoleBindingPoolsPerTenant() throws {
        let (name, db, spec) = try applied("clinic-portal") { $0.tenancy.tenantRolePrefix = "pc\(getpid())_" }
        let provisioning = Provisioning(spec: spec, connection: db)
        for id in ["1", "2"] { try provisioning.add(id: id, values: ["name": "clinic \(id)"]) }
        defer { for id in ["1", "2"] { _ = try? provisioning.remove(id: id) } }
        try db.execute("INSERT INTO public.patients (clinic_id, full_name) VALUES (1, 'p1'), (1, 'p2'), (2, 'p3')")
        let (one, two) = (provisioning.tenantRole("1"), provisioning.tenantRole("2"))
        let pooler = try LocalPooler.start(in: TestServer.shared, users: [one, two])
        defer { pooler.stop() }
        let patients = "SELECT string_agg(DISTINCT clinic_id::text, ',') || ':' || count(*) FROM public.patients"
        let (a, b, c) = (try client(pooler, name, one), try client(pooler, name, one), try client(pooler, name, two))

        XCTAssertEqual(try a.query(patients).scalar, "1:2")
        // A naive session setting left on clinic 1's connection: the role binding reads no setting.
        try a.query("SELECT set_config($1, '2', false)", [spec.tenancy.setting])
        let backendOne = try a.query("SELECT pg_backend_pid()").scalar
        XCTAssertEqual(try b.query("SELECT pg_backend_pid()").scalar, backendOne, "B shares A's server connection")
        XCTAssertEqual(try b.query(patients).scalar, "1:2", "the leftover setting binds nothing")
        XCTAssertEqual(try c.query(patients).scalar, "2:1")
        XCTAssertNotEqual(try c.query("SELECT pg_backend_pid()").scalar, backendOne, "clinic 2 never gets clinic 1's server connection")
        XCTAssertEqual(try serverConnections(pooler, name, one), 1)
        XCTAssertEqual(try serverConnections(pooler, name, two), 1)
    }
}
