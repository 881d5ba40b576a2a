import Demo
import Deploy
import Identity
import LocalPostgres
import PolicyGen
import Postgres
import Quoting
import Tenantwall
import Verification
import XCTest

/// Every example spec, applied to a fresh database on a real server: the catalog says what the spec says,
/// and the application role cannot cross the wall.
final class ExampleSpecTests: XCTestCase {
    func load(_ model: String) throws -> Spec { try SpecFiles.load([TestServer.path("policies/" + model)]) }

    /// Runs the verifier on a database and fails the test for every failed check.
    func assertWallsHold(_ spec: Spec, _ database: String, _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        var settings = Verifier.Settings()
        if spec.tenancy.binding == .signed {
            // The signed examples: verify mints its probe tokens with a key of the test's own.
            let secret = Array("example-spec-tests-secret-0123456789".utf8)
            try SigningKeys.rotate(try Connection(TestServer.shared.connectionString(database: database)), spec: spec, secret: secret, id: "tests", overlap: 0)
            settings.secret = secret
        }
        let report = try Verifier(spec: spec, conninfo: TestServer.shared.connectionString(database: database), settings: settings).run()
        XCTAssertGreaterThan(report.checks.count, 10, file: file, line: line)
        for check in report.failed {
            XCTFail("\(label): \(check.table): \(check.id) as \(check.role) (\(check.tenant)): expected \(check.expected), got \(check.actual)", file: file, line: line)
        }
        // A table that could not be probed is no failed check, but its walls were not tried either.
        for check in report.notProbed {
            XCTFail("\(label): \(check.table): \(check.actual)", file: file, line: line)
        }
    }

    var lastDatabase = ""

    /// The model applied to a fresh database; `helpers` overrides the spec's (the inline path must hold every
    /// wall the native one does, and only it runs the core's SQL as this checkout has it).
    func applied(_ model: String, helpers: HelperInstall? = nil) throws -> (Spec, Connection) {
        let (name, connection) = try TestServer.freshDatabase()
        lastDatabase = name
        var notes: [String] = []
        var loaded = try load(model)
        if let helpers { loaded.tenancy.helpers = helpers }
        let spec = try ServerCapabilities(connection: connection).adapt(loaded, notes: &notes)
        try TestServer.requireExtensions(spec, connection)
        for note in notes { print("note (\(model)): \(note)") }
        try LiveDatabase(connection: connection).apply(spec)
        return (spec, connection)
    }

    /// Every example in policies/: one per binding (context, signed, role), on TimescaleDB, pg_partman and
    /// native partitions.
    static let models = ["analytics-warehouse", "clinic-portal", "k8s-cost-monitor", "support-desk", "workflow-platform"]

    func testEveryExampleAppliesIdempotentlyAndHoldsItsWalls() throws {
        for model in Self.models {
            let spec: Spec, connection: Connection
            do { (spec, connection) = try applied(model) } catch let skip as XCTSkip { print("note (\(model)): skipped: \(skip)"); continue }
            XCTAssertTrue(try LiveDatabase(connection: connection).plan(spec).isEmpty, "\(model): second plan is empty")
            // Applying the full generated script a second time succeeds and changes nothing.
            let before = try LiveDatabase(connection: connection).snapshot(spec)
            try connection.transaction { try connection.execute(Generator(spec: spec).script()) }
            XCTAssertEqual(try LiveDatabase(connection: connection).snapshot(spec), before, "\(model): re-running the script changes nothing")
            try assertWallsHold(spec, lastDatabase, model)
            try assertCatalog(spec, connection, model)
        }
    }

    func assertCatalog(_ spec: Spec, _ db: Connection, _ model: String) throws {
        for table in spec.tables {
            // A walled hypertable: its storage carries no RLS (TimescaleDB refuses it with compression), its name is a view.
            let storage = table.storage(tenancy: spec.tenancy)
            let flags = try db.query("SELECT relrowsecurity::text, relforcerowsecurity::text FROM pg_class WHERE oid = $1::regclass",
                                     [SQL.qualified(storage.schema, storage.name)]).rows[0]
            let expected = table.isolation == .exempt || table.isWalled ? ["false", "false"] : ["true", "true"]
            XCTAssertEqual(flags.compactMap { $0 }, expected, "\(model): RLS flags of \(table.qualifiedName)")
        }
        let publicPolicies = try db.query("SELECT count(*) FROM pg_policy WHERE 0 = ANY (polroles)").scalar
        XCTAssertEqual(publicPolicies, "0", "\(model): no policy is granted to PUBLIC")
        let helpers = try db.query("""
            SELECT provolatile::text || proparallel::text || prosecdef::text FROM pg_proc
            WHERE pronamespace = $1::regnamespace AND proname = 'current_tenant_id'
            """, [SQL.ident(spec.tenancy.helperSchema)]).scalar
        XCTAssertEqual(helpers, "ssfalse", "\(model): current_tenant_id() is STABLE, PARALLEL SAFE, not SECURITY DEFINER")
        let forbidden = try db.query("""
            SELECT count(*) FROM pg_class AS c CROSS JOIN LATERAL aclexplode(c.relacl) AS a
            WHERE a.grantee IN (SELECT oid FROM pg_roles WHERE rolname = ANY ($1::text[]))
              AND a.privilege_type IN ('TRUNCATE', 'REFERENCES', 'TRIGGER')
            """, ["{" + spec.roles.accessRoles.joined(separator: ",") + "}"]).scalar
        XCTAssertEqual(forbidden, "0", "\(model): access roles hold no TRUNCATE, REFERENCES or TRIGGER")
        let bypass = try db.query("SELECT count(*) FROM pg_roles WHERE rolname = ANY ($1::text[]) AND (rolsuper OR rolbypassrls)",
                                  ["{" + spec.roles.accessRoles.joined(separator: ",") + "}"]).scalar
        XCTAssertEqual(bypass, "0")
        let app = spec.roles.app
        for table in spec.tables {
            // Table-level privileges, or (hypertables) column-level ones on every column and none at table level.
            if table.isWalled {
                let storage = table.storage(tenancy: spec.tenancy)
                let open = try db.query("SELECT count(*) FROM aclexplode((SELECT relacl FROM pg_class WHERE oid = $1::regclass)) WHERE grantee <> (SELECT relowner FROM pg_class WHERE oid = $1::regclass)",
                                        [SQL.qualified(storage.schema, storage.name)]).scalar
                XCTAssertEqual(open, "0", "\(model): the storage of \(table.qualifiedName) grants nothing")
            }
            let level = table.hypertable == nil || table.isWalled
                ? "SELECT relacl FROM pg_class WHERE oid = $1::regclass"
                : "SELECT attacl FROM pg_attribute WHERE attrelid = $1::regclass AND attnum = 1"
            let privileges = try db.query("""
                SELECT string_agg(privilege_type, ',' ORDER BY privilege_type) FROM aclexplode((\(level)))
                WHERE grantee = (SELECT oid FROM pg_roles WHERE rolname = $2)
                """, [SQL.qualified(table.schema, table.name), app]).scalar ?? ""
            if table.hypertable != nil && !table.isWalled {
                let tableLevel = try db.query("SELECT count(*) FROM aclexplode((SELECT relacl FROM pg_class WHERE oid = $1::regclass)) WHERE grantee <> (SELECT relowner FROM pg_class WHERE oid = $1::regclass)",
                                              [SQL.qualified(table.schema, table.name)]).scalar
                XCTAssertEqual(tableLevel, "0", "\(model): \(table.qualifiedName) is a hypertable: no table-level grant, which new chunks would copy")
                let everyColumn = try db.query("SELECT bool_and(has_column_privilege($2, $1::regclass, attnum, 'SELECT'))::text FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped",
                                               [SQL.qualified(table.schema, table.name), app]).scalar
                XCTAssertEqual(everyColumn, "true", "\(model): \(app) reads every column of \(table.qualifiedName)")
            }
            let expected = table.commands(for: app).map(\.sql).sorted().joined(separator: ",")
            XCTAssertEqual(privileges, expected, "\(model): \(app) on \(table.qualifiedName) has exactly the spec's grants")
        }
    }

    func testHandEditedPolicyIsADifferenceAndApplyRestoresIt() throws {
        let (spec, db) = try applied("workflow-platform")
        try db.execute(#"ALTER POLICY tw_tenant_select ON public.workflows USING (true)"#)
        try db.execute(#"CREATE POLICY sneaky ON public.executions FOR SELECT TO wf_app USING (true)"#)
        try db.execute(#"GRANT TRUNCATE ON public.audit_logs TO wf_app"#)
        let plan = try LiveDatabase(connection: db).plan(spec)
        XCTAssertEqual(Set(plan.differences.map(\.object)), ["policies public.workflows", "policies public.executions", "grants public.audit_logs"])
        let script = plan.script(header: [])
        XCTAssertTrue(script.contains("CREATE POLICY \"tw_tenant_select\" ON \"public\".\"workflows\""))
        try LiveDatabase(connection: db).apply(spec)
        XCTAssertTrue(try LiveDatabase(connection: db).plan(spec).isEmpty)
        XCTAssertEqual(try db.query("SELECT count(*) FROM pg_policy WHERE polname = 'sneaky'").scalar, "0")
    }

    func testServerErrorNamesSQLStateAndLine() throws {
        let (_, db) = try TestServer.freshDatabase()
        let spec = try SpecLoader.load([("x.yaml", """
            roles: {owner: o1, app: a1, admin: d1}
            tables:
              - name: t
                isolation: tenant
                columns: {tenant_id: uuid, n: integer}
                restrict: "no_such_function(n) > 0"
            """)])
        XCTAssertThrowsError(try LiveDatabase(connection: db).apply(spec)) { error in
            guard let error = error as? StatementError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.underlying.sqlState, "42883")
            XCTAssertEqual(error.object, "policies public.t")
            XCTAssertTrue(error.description.contains("function no_such_function(integer) does not exist (SQLSTATE 42883)"), error.description)
            XCTAssertTrue(error.description.contains("CREATE POLICY \"tw_restrict\""), error.description)
        }
        XCTAssertEqual(try db.query("SELECT count(*) FROM pg_class WHERE relname = 't'").scalar, "0", "nothing applied")
    }

    func testServerErrorPositionPointsIntoTheStatement() throws {
        let (_, db) = try TestServer.freshDatabase()
        XCTAssertThrowsError(try db.execute("SELECT 1;\nSELECT nope\n  FROM missing_table")) { error in
            guard let error = error as? PostgresError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.sqlState, "42P01")
            XCTAssertEqual(error.lineAndColumn?.line, 3)
            XCTAssertEqual(error.lineAndColumn?.column, 8)
            XCTAssertTrue(error.description.contains("LINE 3:   FROM missing_table"), error.description)
        }
    }

    func testPlanChangesNothingInTheDatabase() throws {
        let (_, db) = try TestServer.freshDatabase()
        let spec = try load("workflow-platform")
        let plan = try LiveDatabase(connection: db).plan(spec)
        XCTAssertFalse(plan.isEmpty)
        XCTAssertEqual(try db.query("SELECT count(*) FROM pg_class WHERE relname = 'workflows'").scalar, "0", "plan rolled back")
    }

    func testContextIsTransactionLocalAndFailsClosed() throws {
        for helpers in HelperInstall.allCases { try assertContextIsTransactionLocalAndFailsClosed(helpers) }
    }

    func assertContextIsTransactionLocalAndFailsClosed(_ helpers: HelperInstall) throws {
        let (spec, db) = try applied("workflow-platform", helpers: helpers)
        try db.execute("SET ROLE wf_app")
        defer { _ = try? db.execute("RESET ROLE") }
        try db.transaction { try db.query("SELECT tenantwall.set_tenant_context(42)") }
        XCTAssertNil(try db.query("SELECT tenantwall.current_tenant_id()").scalar, "context does not survive the transaction (pooled-connection leak)")
        try db.query("SELECT set_config($1, '', false)", [spec.tenancy.setting])
        XCTAssertNil(try db.query("SELECT tenantwall.current_tenant_id()").scalar, "'' reads as no tenant")
        XCTAssertEqual(try db.query("SELECT count(*) FROM public.workflows").scalar, "0")
        for bad in ["not-a-number", "1; DROP TABLE x"] {
            try db.query("SELECT set_config($1, $2, false)", [spec.tenancy.setting, bad])
            XCTAssertThrowsError(try db.query("SELECT count(*) FROM public.workflows"), "'\(bad)' fails closed") { error in
                XCTAssertEqual((error as? PostgresError)?.sqlState, "22P02")
            }
        }
        XCTAssertThrowsError(try db.query("SELECT tenantwall.set_tenant_context(NULL)")) {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, "22004", "\($0)")
        }
        // Only the spec's scope is reachable: the session-scoped writer is refused to the application.
        XCTAssertThrowsError(try db.query("SELECT tenantwall.set_context_session('app.current_tenant_id', '2')")) {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42501", "\($0)")
        }
        XCTAssertThrowsError(try db.query("SELECT tenantwall.set_context('app.current_tenant_id', '2', false)"), "the old three-argument writer is gone") {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42883", "\($0)")
        }
    }

    /// `scope: session` is a choice the spec makes: then, and only then, the context outlives the transaction.
    func testSessionScopeIsGrantedOnlyWhenTheSpecAsksForIt() throws {
        let (_, db) = try TestServer.freshDatabase()
        var spec = try load("workflow-platform")
        spec.tenancy.scope = .session
        try LiveDatabase(connection: db).apply(spec)
        try db.execute("SET ROLE wf_app")
        defer { _ = try? db.execute("RESET ROLE") }
        try db.transaction { try db.query("SELECT tenantwall.set_tenant_context(42)") }
        XCTAssertEqual(try db.query("SELECT tenantwall.current_tenant_id()::text").scalar, "42", "session-scoped, as the spec says")
        try db.query("SELECT tenantwall.clear_tenant_context()")
    }

    func testPartitionsCreatedLaterAreClosedToTheApplication() throws {
        let (_, db) = try applied("analytics-warehouse")
        try db.execute("CREATE TABLE analytics.daily_usage_p1999 PARTITION OF analytics.daily_usage FOR VALUES FROM ('1999-01-01') TO ('1999-02-01')")
        let flags = try db.query("SELECT relrowsecurity::text || relforcerowsecurity::text FROM pg_class WHERE oid = 'analytics.daily_usage_p1999'::regclass").scalar
        XCTAssertEqual(flags, "truetrue", "the event trigger forced RLS on the new partition")
        try db.execute("INSERT INTO analytics.daily_usage (tenant_id, day) VALUES ('7e4a47e0-0000-4000-8000-000000000009', '1999-01-05')")
        // Even a mistaken direct grant shows nothing: the partition has RLS forced and no policy.
        try db.execute("GRANT SELECT ON analytics.daily_usage_p1999 TO wh_ingest_app")
        try db.execute("BEGIN; SET LOCAL ROLE wh_ingest_app")
        XCTAssertEqual(try db.query("SELECT count(*) FROM analytics.daily_usage_p1999").scalar, "0")
        try db.execute("ROLLBACK")
    }

    /// A partition made outside the spec and attached later is caught by the event trigger's ALTER TABLE tag.
    func testAttachedPartitionsAreClosedToTheApplication() throws {
        for helpers in HelperInstall.allCases { try assertAttachedPartitionIsClosed(helpers) }
    }

    /// With the extension's helpers and with the inline ones (each carries its own secure_partition).
    func assertAttachedPartitionIsClosed(_ helpers: HelperInstall) throws {
        let (_, db) = try applied("analytics-warehouse", helpers: helpers)
        try db.execute("""
            CREATE TABLE analytics.usage_1998 (LIKE analytics.daily_usage INCLUDING DEFAULTS);
            GRANT SELECT, INSERT ON analytics.usage_1998 TO wh_ingest_app;
            INSERT INTO analytics.usage_1998 (tenant_id, day) VALUES ('7e4a47e0-0000-4000-8000-000000000009', '1998-01-05');
            """)
        XCTAssertEqual(try db.query("SELECT relrowsecurity::text || relforcerowsecurity::text FROM pg_class WHERE oid = 'analytics.usage_1998'::regclass").scalar, "falsefalse")
        try db.execute("ALTER TABLE analytics.daily_usage ATTACH PARTITION analytics.usage_1998 FOR VALUES FROM ('1998-01-01') TO ('1998-02-01')")
        let after = try db.query("SELECT relrowsecurity::text || relforcerowsecurity::text || COALESCE(relacl::text, '') FROM pg_class WHERE oid = 'analytics.usage_1998'::regclass").scalar
        XCTAssertEqual(after?.hasPrefix("truetrue"), true, "the event trigger forced RLS on the attached partition: \(after ?? "")")
        XCTAssertFalse(after?.contains("wh_ingest_app") ?? true, "and revoked the direct grant: \(after ?? "")")
        try db.execute("BEGIN; SET LOCAL ROLE wh_ingest_app")
        defer { _ = try? db.execute("ROLLBACK") }
        XCTAssertThrowsError(try db.query("SELECT count(*) FROM analytics.usage_1998")) { XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42501") }
    }

    /// An admin token works only in the transaction (and backend) that minted it: replaying it later, even on the
    /// same connection by the same role, grants nothing.
    func testAdminTokenCannotBeReplayed() throws {
        for helpers in HelperInstall.allCases { try assertAdminTokenCannotBeReplayed(helpers) }
    }

    func assertAdminTokenCannotBeReplayed(_ helpers: HelperInstall) throws {
        let (spec, db) = try applied("workflow-platform", helpers: helpers)
        try db.execute("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'a', '{}'), (2, 'b', '{}')")
        let distinct = "SELECT count(DISTINCT tenant_id)::text FROM public.workflows"
        try db.execute("BEGIN; SET LOCAL ROLE wf_admin")
        try db.query("SELECT tenantwall.enable_admin_mode('test')")
        XCTAssertEqual(try db.query("SELECT tenantwall.admin_mode_enabled()::text").scalar, "true")
        XCTAssertEqual(try db.query(distinct).scalar, "2", "admin mode sees every tenant")
        let token = try XCTUnwrap(try db.query("SELECT current_setting($1)", [HelperCore.adminTokenSetting]).scalar)
        try db.execute("COMMIT")
        XCTAssertEqual(try db.query("SELECT count(*) FROM tenantwall.admin_mode_log WHERE token = $1::uuid", [token]).scalar, "1", "the token is logged")
        // Same backend, same role, a later transaction: the token names a logged row, but not this transaction.
        try db.execute("BEGIN; SET LOCAL ROLE wf_admin")
        try db.query("SELECT set_config($1, $2, true)", [HelperCore.adminTokenSetting, token])
        XCTAssertEqual(try db.query("SELECT tenantwall.admin_mode_enabled()::text").scalar, "false", "replayed in a later transaction")
        XCTAssertEqual(try db.query(distinct).scalar, "0", "no tenant context and no admin mode: nothing")
        try db.execute("ROLLBACK")
        // Another backend.
        let other = try Connection(TestServer.shared.connectionString(database: lastDatabase))
        try other.execute("BEGIN; SET LOCAL ROLE wf_admin")
        try other.query("SELECT set_config($1, $2, true)", [HelperCore.adminTokenSetting, token])
        XCTAssertEqual(try other.query("SELECT tenantwall.admin_mode_enabled()::text").scalar, "false", "replayed from another backend")
        try other.execute("ROLLBACK")
        _ = spec
    }

    /// An empty or missing context is no tenant: the reader returns NULL (not a default tenant) and every
    /// table shows zero rows, whoever the tenants are.
    func testNoContextIsNullAndZeroRows() throws {
        for helpers in HelperInstall.allCases { try assertNoContextIsNullAndZeroRows(helpers) }
    }

    func assertNoContextIsNullAndZeroRows(_ helpers: HelperInstall) throws {
        let (spec, db) = try applied("workflow-platform", helpers: helpers)
        try db.execute("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'a', '{}'), (0, 'zero', '{}'), (2, 'b', '{}')")
        for setup in ["SELECT 1", "SELECT set_config('app.current_tenant_id', '', true)", "SELECT set_config('app.current_tenant_id', NULL, true)"] {
            try db.execute("BEGIN; SET LOCAL ROLE wf_app")
            defer { _ = try? db.execute("ROLLBACK") }
            try db.query(setup)
            XCTAssertNil(try db.query("SELECT tenantwall.current_tenant_id()").scalar, "\(setup): the reader is NULL")
            for table in spec.tables where table.isolation == .tenant && table.commands(for: "wf_app").contains(.select) {
                XCTAssertEqual(try db.query("SELECT count(*) FROM \(SQL.qualified(table.schema, table.name))").scalar, "0", "\(setup): \(table.qualifiedName)")
            }
        }
    }

    func testHostileNamesApplyAndIsolate() throws {
        let (name, db) = try TestServer.freshDatabase()
        let spec = try SpecLoader.load([("hostile.yaml", HostileNames.yaml)])
        try LiveDatabase(connection: db).apply(spec)
        XCTAssertTrue(try LiveDatabase(connection: db).plan(spec).isEmpty)
        try assertWallsHold(spec, name, "hostile")
    }

    func testLongMultibytePartitionedTableIsIdempotent() throws {
        let (_, db) = try TestServer.freshDatabase()
        let name = String(repeating: "ä", count: 31)   // 62 bytes: partition names must be cut by bytes
        let spec = try SpecLoader.load([("long.yaml", """
            roles: {owner: lo, app: la, admin: ld}
            tables:
              - name: "\(name)"
                isolation: tenant
                columns: {tenant_id: uuid, at: timestamptz}
                primary_key: [tenant_id, at]
                partitioning: {column: at, interval: 1 day, premake: 2}
            """)])
        try LiveDatabase(connection: db).apply(spec)
        for _ in 0..<2 { try db.transaction { try db.execute(Generator(spec: spec).script()) } }
        // Three daily partitions and a default, created once; a run that crosses UTC midnight between the two
        // applies adds the next day's partition too, so one more is allowed, never a duplicate.
        let partitions = try db.query("SELECT max(octet_length(c.relname))::text, count(*)::text FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid WHERE c.relkind = 'r'").rows[0]
        XCTAssertTrue(["4", "5"].contains(partitions[1]), "three daily partitions and a default, created once: \(partitions)")
        XCTAssertLessThanOrEqual(Int(partitions[0] ?? "99") ?? 99, 63)
        XCTAssertTrue(try LiveDatabase(connection: db).plan(spec).isEmpty)
    }

    func testExtensionAndInlineHelpersBehaveTheSame() throws {
        let (_, probe) = try TestServer.freshDatabase()
        guard try ServerCapabilities(connection: probe).available("tenantwall") else {
            throw XCTSkip("the tenantwall extension is not installed on this server (run: make -C sql install)")
        }
        for mode in HelperInstall.allCases {
            let (name, db) = try TestServer.freshDatabase()
            var spec = try load("workflow-platform")
            spec.tenancy.helpers = mode
            try LiveDatabase(connection: db).apply(spec)
            XCTAssertTrue(try LiveDatabase(connection: db).plan(spec).isEmpty, "\(mode): in sync after apply")
            let installed = try db.query("SELECT count(*) FROM pg_extension WHERE extname = 'tenantwall'").scalar
            XCTAssertEqual(installed, mode == .extension ? "1" : "0")
            try assertWallsHold(spec, name, "\(mode)")
        }
    }

    /// A spec that needs an extension the server lacks stops before any statement, naming what to install or
    /// which spec setting avoids it (exit 2 from the CLI). Here: a server of its own without TimescaleDB in
    /// shared_preload_libraries (whether or not it is installed), given the hypertable example.
    func testAMissingExtensionIsNamedBeforeAnythingRuns() throws {
        let server = try TestServer.startSeparate(extraSettings: ["shared_preload_libraries": "''"])
        defer { server.stop() }
        try server.createDatabase("bare")
        let db = try Connection(server.connectionString(database: "bare"))
        XCTAssertThrowsError(try LiveDatabase(connection: db).apply(try load("k8s-cost-monitor"))) { error in
            XCTAssertEqual((error as? MissingExtensions)?.missing.map(\.name), ["timescaledb"], "\(error)")
            XCTAssertTrue("\(error)".contains("or remove 'hypertable' from public.pod_metrics, public.node_metrics"), "\(error)")
        }
        XCTAssertEqual(try db.query("SELECT count(*) FROM pg_namespace WHERE nspname = 'tenantwall'").scalar, "0", "nothing ran")
        let cli = try TenantwallProcess.run(["apply", "--spec", "policies/k8s-cost-monitor", "--database", server.connectionString(database: "bare")])
        XCTAssertEqual(cli.status, 2)
        XCTAssertTrue(cli.stderr.contains("the spec needs extensions this server does not have (nothing was changed)"), cli.stderr)
    }

    func testHypertablesOnTimescaleDB() throws {
        let (name, db) = try TestServer.freshDatabase()
        guard try ServerCapabilities(connection: db).available("timescaledb") else {
            throw XCTSkip("TimescaleDB is not available on this server (not packaged for Debian here): hypertable SQL is checked by the golden files only")
        }
        let spec = try load("k8s-cost-monitor")
        try LiveDatabase(connection: db).apply(spec)
        try assertWallsHold(spec, name, "timescaledb")
    }

    /// The README's sample of the demo's output is what the demo prints for that example (timings aside), and
    /// its first spec is a valid spec.
    func testReadmeShowsWhatTheDemoPrints() throws {
        let readme = try String(contentsOfFile: TestServer.path("README.md"), encoding: .utf8)
        let sample = try XCTUnwrap(readme.components(separatedBy: "```\n== workflow-platform (database demo_").dropFirst().first?.components(separatedBy: "```").first)
        let shown = sample.split(separator: "\n").dropFirst().map(String.init)
        let (name, _) = try TestServer.freshDatabase("readme")
        let report = try DemoRun(conninfo: TestServer.shared.connectionString(database: name), specPath: TestServer.path("policies/workflow-platform")).run()
        // Timings vary, and so does how many objects a run creates on a shared server where the roles (which
        // belong to the whole cluster) may exist already.
        // The sample is PostgreSQL 15's: from 17, MAINTAIN adds a check per role and table.
        let major = try TestServer.majorVersion
        func timeless(_ line: String) -> String {
            var line = line.replacingOccurrences(of: #"in \d+ ms"#, with: "in … ms", options: .regularExpression)
                .replacingOccurrences(of: #"\(\d+ objects\)"#, with: "(… objects)", options: .regularExpression)
            if major >= 17 { line = line.replacingOccurrences(of: #"\d+ checks"#, with: "… checks", options: .regularExpression) }
            return line
        }
        XCTAssertEqual(shown.map(timeless), report.lines.map { timeless("   " + $0.replacingOccurrences(of: TestServer.path("policies/workflow-platform"), with: "policies/workflow-platform")) })

        let firstSpec = try XCTUnwrap(readme.components(separatedBy: "## A first spec\n\n```yaml\n").dropFirst().first?.components(separatedBy: "```").first)
        XCTAssertNoThrow(try SpecLoader.load([("README first spec", firstSpec)]), "the README's first spec is valid")
    }
}

enum HostileNames {
    static var yaml: String {
        (try? String(contentsOfFile: TestServer.path("Tests/Fixtures/hostile-names.yaml"), encoding: .utf8)) ?? ""
    }
}
