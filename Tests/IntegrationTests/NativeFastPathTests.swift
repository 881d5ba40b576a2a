import Audit
import Deploy
import Foundation
import Identity
import Migrations
import PolicyGen
import Postgres
import Tenantwall
import Verification
import XCTest

/// The extension's native readers (`sql/tenantwall.c`): the same walls as the inline helpers, on every path
/// where backend memory does not follow (parallel workers, prepared statements, cursors, savepoints, role
/// changes, DISCARD ALL), and the moves between inline helpers, extension 0.1.0 and 0.2.0.
final class NativeFastPathTests: XCTestCase {
    let secret = Array("native-fast-path-secret-0123456789".utf8)

    func spec(_ helpers: HelperInstall, binding: Binding = .context, scope: ContextScope = .transaction) throws -> Spec {
        var spec = try SpecFiles.load([TestServer.path("policies/workflow-platform")])
        spec.tenancy.helpers = helpers
        spec.tenancy.binding = binding
        spec.tenancy.scope = scope
        return spec
    }

    /// A database with the spec applied and 3000 workflows: 2000 of tenant 1, 1000 of tenant 2.
    func applied(_ spec: Spec, _ prefix: String) throws -> (String, Connection) {
        let (name, db) = try TestServer.freshDatabase(prefix)
        XCTAssertTrue(try ServerCapabilities(connection: db).available("tenantwall"), "scripts/setup.sh installs the tenantwall extension")
        try LiveDatabase(connection: db).apply(spec)
        try db.execute("""
            INSERT INTO public.workflows (tenant_id, name, definition)
            SELECT CASE WHEN g <= 2000 THEN 1 ELSE 2 END, 'w' || g, '{}' FROM generate_series(1, 3000) AS g
            """)
        try db.execute("VACUUM ANALYZE public.workflows")
        if spec.tenancy.binding == .signed { try SigningKeys.rotate(db, spec: spec, secret: secret, id: "k1", overlap: 0) }
        return (name, db)
    }

    func token(_ tenant: Int, expiresIn: TimeInterval = 300) throws -> String {
        try JWT.sign(JWT.claims(path: "tenant_id", value: tenant, expires: Date().addingTimeInterval(expiresIn)), secret: secret)
    }

    func bind(_ db: Connection, _ spec: Spec, _ tenant: Int) throws {
        let value = spec.tenancy.binding == .signed ? try token(tenant) : String(tenant)
        try db.query("SELECT tenantwall.set_tenant_context($1)", [value])
    }

    func visible(_ db: Connection, _ sql: String = "SELECT string_agg(DISTINCT tenant_id::text, ',') || ':' || count(*) FROM public.workflows") throws -> String {
        try db.query(sql).scalar ?? "none"
    }

    func testPoliciesCallTheNativeReaderAsAnIndexCondition() throws {
        for binding in [Binding.context, .signed] {
            let spec = try spec(.extension, binding: binding)
            let (_, db) = try applied(spec, "native_plan")
            let policy = try db.query("SELECT pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polrelid = 'public.workflows'::regclass AND polname = 'tw_tenant_select'").scalar ?? ""
            XCTAssertEqual(policy, "(tenant_id = tenantwall.current_tenant_id())", "\(binding): called directly, no sub-select")
            try db.execute("BEGIN; SET LOCAL ROLE wf_app")
            defer { _ = try? db.execute("ROLLBACK") }
            try bind(db, spec, 2)
            let plan = try db.query("EXPLAIN (COSTS OFF) SELECT * FROM public.workflows WHERE id = 2500").rows.map { $0[0] ?? "" }.joined(separator: "\n")
            let reader = binding == .signed ? "verified_bigint()" : "context_bigint('app.current_tenant_id'::text)"
            XCTAssertTrue(plan.contains("Index Cond: ((tenant_id = tenantwall.\(reader)) AND (id = 2500))"), "\(binding): the inlined C reader is an index condition:\n\(plan)")
            XCTAssertFalse(plan.contains("InitPlan"), plan)
            XCTAssertEqual(try visible(db, "SELECT count(*)::text FROM public.workflows WHERE id = 2500"), "1")
        }
    }

    /// Parallel workers get settings, not backend memory: a forced parallel plan returns exactly the rows a
    /// serial one does, in both bindings and both helper forms, and the workers did run.
    func testForcedParallelPlansReturnExactlyTheTenantsRows() throws {
        let force = TestServer.majorVersion >= 16 ? "debug_parallel_query" : "force_parallel_mode"
        for helpers in HelperInstall.allCases {
            for binding in [Binding.context, .signed] {
                let spec = try spec(helpers, binding: binding)
                let (_, db) = try applied(spec, "native_par")
                for tenant in [1, 2] {
                    try db.execute("BEGIN; SET LOCAL ROLE wf_app")
                    defer { _ = try? db.execute("ROLLBACK") }
                    try bind(db, spec, tenant)
                    let serial = try visible(db)
                    try db.execute("""
                        SET LOCAL \(force) = on; SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0;
                        SET LOCAL min_parallel_table_scan_size = 0; SET LOCAL max_parallel_workers_per_gather = 2; SET LOCAL enable_indexscan = off;
                        SET LOCAL enable_bitmapscan = off
                        """)
                    let parallel = try visible(db)
                    let plan = try db.query("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM public.workflows").rows.map { $0[0] ?? "" }.joined(separator: "\n")
                    let label = "\(helpers) \(binding) tenant \(tenant)"
                    XCTAssertEqual(serial, tenant == 1 ? "1:2000" : "2:1000", label)
                    XCTAssertEqual(parallel, serial, "\(label): the parallel plan returns the serial plan's rows")
                    if helpers == .inline && binding == .signed {
                        // The inline verifier catches bad tokens in an exception block (a subtransaction), which
                        // parallel mode forbids even in the leader: it is PARALLEL UNSAFE, and the plan serial.
                        XCTAssertFalse(plan.contains("Workers Launched"), "\(label): serial:\n\(plan)")
                    } else {
                        XCTAssertTrue(plan.contains("Workers Launched: 1") || plan.contains("Workers Launched: 2"), "\(label): workers ran:\n\(plan)")
                    }
                }
            }
        }
    }

    /// Prepared statements (generic plans) across transactions, cursors held past a context change, triggers
    /// and functions that call the reader: the same answers from the native readers as from the SQL ones.
    func testCachedPlansCursorsAndFunctionsFollowTheContext() throws {
        var answers: [HelperInstall: [String]] = [:]
        for helpers in HelperInstall.allCases {
            let spec = try spec(helpers)
            let (_, db) = try applied(spec, "native_paths")
            var seen: [String] = []
            try db.execute("SET plan_cache_mode = force_generic_plan; PREPARE q AS SELECT count(*)::text FROM public.workflows WHERE id > $1")
            for tenant in [1, 2, 1] {
                try db.execute("BEGIN; SET LOCAL ROLE wf_app")
                try bind(db, spec, tenant)
                seen.append(try visible(db, "EXECUTE q(0)"))
                try db.execute("COMMIT")
            }
            try db.execute("SET ROLE wf_app")
            seen.append(try visible(db, "EXECUTE q(0)") + " after the transaction")
            // A cursor opened under tenant 1, fetched after the context changed to tenant 2 in the same transaction.
            try db.execute("BEGIN")
            try bind(db, spec, 1)
            try db.execute("DECLARE c CURSOR FOR SELECT tenant_id FROM public.workflows ORDER BY id")
            seen.append(try visible(db, "FETCH 1 FROM c"))
            try bind(db, spec, 2)
            seen.append(try db.query("FETCH ALL FROM c").rows.map { $0[0] ?? "" }.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }.sorted { $0.key < $1.key }.map { "\($0.key)x\($0.value)" }.joined(separator: ","))
            try db.execute("COMMIT")
            // A cursor held past the commit that ended its context keeps what it read then, and no more.
            try db.execute("BEGIN")
            try bind(db, spec, 2)
            try db.execute("DECLARE h CURSOR WITH HOLD FOR SELECT tenant_id FROM public.workflows; COMMIT")
            seen.append(try db.query("FETCH ALL FROM h").rows.count.description + " held rows")
            try db.execute("CLOSE h; RESET ROLE")
            // A function and a trigger that call the reader.
            try db.execute("""
                CREATE FUNCTION public.whose() RETURNS text LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN tenantwall.current_tenant_id()::text; END $$;
                CREATE TABLE public.stamped (at_tenant text); GRANT INSERT, SELECT ON public.stamped TO wf_app;
                CREATE FUNCTION public.stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.at_tenant := tenantwall.current_tenant_id()::text; RETURN NEW; END $$;
                CREATE TRIGGER stamp BEFORE INSERT ON public.stamped FOR EACH ROW EXECUTE FUNCTION public.stamp()
                """)
            try db.execute("BEGIN; SET LOCAL ROLE wf_app")
            try bind(db, spec, 2)
            try db.execute("INSERT INTO public.stamped VALUES (NULL)")
            seen.append(try visible(db, "SELECT public.whose() || '/' || (SELECT at_tenant FROM public.stamped)"))
            try db.execute("COMMIT")
            answers[helpers] = seen
        }
        XCTAssertEqual(answers[.extension], answers[.inline], "native and SQL readers agree on every path")
        XCTAssertEqual(answers[.inline]?.prefix(4), ["2000", "1000", "2000", "0 after the transaction"])
        XCTAssertEqual(answers[.inline]?.last, "2/2")
    }

    /// What a tenant session can type gets it nothing: hand-typed settings, other roles, DISCARD ALL, and in the
    /// signed binding a forged verified setting.
    func testNothingTypedWidensANativeSession() throws {
        let spec = try spec(.extension, binding: .context, scope: .session)
        let (_, db) = try applied(spec, "native_forge")
        try db.execute("SET ROLE wf_app")
        try bind(db, spec, 1)
        XCTAssertEqual(try visible(db), "1:2000", "scope: session keeps the context between transactions")
        try db.execute("DISCARD ALL")
        try db.execute("SET ROLE wf_app")
        XCTAssertEqual(try visible(db), "none", "DISCARD ALL ends it")
        try db.execute("SET app.current_tenant_id = 'not-a-tenant'")
        XCTAssertThrowsError(try visible(db), "a malformed hand-typed value fails the statement") {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, "22P02")
        }
        try db.execute("RESET app.current_tenant_id; RESET ROLE")

        let signed = try self.spec(.extension, binding: .signed)
        let (_, sdb) = try applied(signed, "native_forge_s")
        let app = try sdb.query("SELECT oid::text FROM pg_roles WHERE rolname = 'wf_app'").scalar ?? "0"
        let forged = "\(app):9999999999:2"
        try sdb.execute("BEGIN; SET LOCAL ROLE wf_app")
        for attempt in ["SET LOCAL tenantwall.verified = '\(forged)'", "SELECT set_config('tenantwall.verified', '\(forged)', true)",
                        "ALTER ROLE wf_app SET tenantwall.verified = '\(forged)'",
                        "SELECT tenantwall.verify_token('x', ARRAY[]::bytea[], '{tenant_id}', false)"] {
            try sdb.execute("SAVEPOINT s")
            XCTAssertThrowsError(try sdb.execute(attempt), attempt) { XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42501", "\(attempt): \($0)") }
            try sdb.execute("ROLLBACK TO SAVEPOINT s")
        }
        try sdb.query("SELECT set_config('app.tenant_token', $1, true)", [try token(2)])
        XCTAssertEqual(try visible(sdb), "none", "a valid token typed into the setting binds nothing: only set_tenant_context verifies")
        try bind(sdb, signed, 2)
        XCTAssertEqual(try visible(sdb), "2:1000")
        try sdb.execute("SAVEPOINT before_other")
        try bind(sdb, signed, 1)
        XCTAssertEqual(try visible(sdb), "1:2000")
        try sdb.execute("ROLLBACK TO SAVEPOINT before_other")
        XCTAssertEqual(try visible(sdb), "2:1000", "ROLLBACK TO a savepoint taken before it undoes a verification")
        try sdb.execute("SET LOCAL ROLE wf_support")
        XCTAssertEqual(try visible(sdb), "none", "verified for wf_app: nothing under another role")
        try sdb.execute("SET LOCAL ROLE wf_app")
        try sdb.query("SELECT tenantwall.set_tenant_context($1)", [try token(1, expiresIn: -5)])
        XCTAssertEqual(try visible(sdb), "none", "an expired token replaces the verified one with none")
        XCTAssertThrowsError(try sdb.execute("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'x', '{}')")) {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42501")
        }
        try sdb.execute("ROLLBACK")
        try sdb.execute("SET ROLE wf_app")
        XCTAssertEqual(try visible(sdb), "none", "the verification ended with its transaction")
        try sdb.execute("RESET ROLE")

        // scope: session keeps a verified tenant across transactions, until DISCARD ALL.
        let session = try self.spec(.extension, binding: .signed, scope: .session)
        let (_, tdb) = try applied(session, "native_forge_ss")
        try tdb.execute("SET ROLE wf_app")
        try bind(tdb, session, 2)
        XCTAssertEqual(try visible(tdb), "2:1000")
        try tdb.execute("DISCARD ALL")
        try tdb.execute("SET ROLE wf_app")
        XCTAssertEqual(try visible(tdb), "none", "DISCARD ALL ends a verified session")
        try tdb.execute("RESET ROLE")
    }

    /// Inline helpers to the extension and back, and extension 0.1.0 to 0.2.0, through plan and apply: in sync
    /// after each apply, the admin-mode log kept, every isolation check passing.
    func testPlanAndApplyMoveBetweenInlineAndTheExtension() throws {
        let inline = try spec(.inline), native = try spec(.extension)
        let (name, db) = try applied(inline, "native_move")
        try db.execute("GRANT wf_admin TO CURRENT_USER")
        try db.execute("BEGIN; SET LOCAL ROLE wf_admin; SELECT tenantwall.enable_admin_mode('before the move'); COMMIT")
        let live = LiveDatabase(connection: db)
        for (label, spec) in [("to the extension", native), ("back to inline", inline), ("to the extension again", native)] {
            XCTAssertFalse(try live.plan(spec).isEmpty, "\(label): plan shows the change")
            try live.apply(spec)
            XCTAssertTrue(try live.plan(spec).isEmpty, "\(label): in sync after apply")
            XCTAssertEqual(try db.query("SELECT count(*)::text FROM pg_extension WHERE extname = 'tenantwall'").scalar, spec.tenancy.helpers == .extension ? "1" : "0", label)
            XCTAssertEqual(try db.query("SELECT string_agg(reason, ',') FROM tenantwall.admin_mode_log").scalar, "before the move", "\(label): the admin log is kept")
            let report = try Verifier(spec: spec, conninfo: TestServer.shared.connectionString(database: name)).run()
            XCTAssertEqual(report.failed.map { "\($0.table) \($0.id) as \($0.role): \($0.actual)" }, [], label)
        }

        let (_, old) = try TestServer.freshDatabase("native_010")
        try old.execute("CREATE SCHEMA tenantwall; CREATE EXTENSION tenantwall WITH SCHEMA tenantwall VERSION '0.1.0'")
        let plan = try LiveDatabase(connection: old).plan(native)
        XCTAssertTrue(plan.differences.map(\.object).contains("helper functions"), "0.1.0's SQL readers differ from 0.2.0's")
        try LiveDatabase(connection: old).apply(native)
        XCTAssertEqual(try old.query("SELECT extversion FROM pg_extension WHERE extname = 'tenantwall'").scalar, HelperCore.version)
        XCTAssertTrue(try LiveDatabase(connection: old).plan(native).isEmpty)
    }

    /// TW201 (context call outside a sub-select) accepts the native reader called directly, and still flags a
    /// bare SQL reader on the same database.
    func testAuditAcceptsTheNativeReaderCalledDirectly() throws {
        for binding in [Binding.context, .signed] {
            let spec = try spec(.extension, binding: binding)
            let (_, db) = try applied(spec, "native_audit")
            func tw201() throws -> [String] {
                Auditor.run(AuditInput(catalog: try AuditCatalogReader.read(db), spec: spec)).filter { $0.ruleId == "TW201" }.map(\.message)
            }
            XCTAssertEqual(try tw201(), [], "\(binding): the generated native policies")
            try db.execute("""
                CREATE FUNCTION public.sql_tenant() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT NULLIF(current_setting('app.current_tenant_id', true), '')::bigint $$;
                CREATE FUNCTION public.current_tenant_sql() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT public.sql_tenant() $$;
                CREATE POLICY bare ON public.workflows FOR SELECT TO wf_support USING (tenant_id = public.current_tenant_sql())
                """)
            XCTAssertEqual(try tw201().count, 1, "\(binding): a bare SQL reader is still flagged")
        }
    }
}
