import Audit
import Deploy
import LocalPostgres
import PolicyGen
import Postgres
import Quoting
import Tenantwall
import Verification
import XCTest

/// Hypertables on a real TimescaleDB (built from source and preloaded; these tests skip, saying so, where it
/// is not installed): every chunk is closed from the instant it exists, to every access role, for every
/// command, including chunks the application's own INSERT creates; hypertables that already exist are brought
/// in line; the owner runs jobs but cannot log in.
final class TimescaleDBTests: XCTestCase {
    static let tenants = ["7e4a47e0-0000-4000-8000-0000000000a1", "7e4a47e0-0000-4000-8000-0000000000b2", "7e4a47e0-0000-4000-8000-0000000000c3"]
    let roles = ["k8s_app", "k8s_reporting", "k8s_admin"]

    func database() throws -> (name: String, connection: Connection) {
        let (name, db) = try TestServer.freshDatabase("ts")
        guard try ServerCapabilities(connection: db).available("timescaledb") else {
            throw XCTSkip("TimescaleDB is not installed and preloaded on this server (not packaged for Debian: build 2.28.x from source, see docs/install.md)")
        }
        return (name, db)
    }

    /// The k8s example in the RLS form: pod_metrics without its compression and continuous aggregate (the walled
    /// form is WalledDeployTests').
    func k8s() throws -> Spec { try SpecFiles.load([TestServer.path("policies/k8s-cost-monitor")]).inRLSForm }

    /// 3 tenants × 30 days of pod and node metrics, written as the migration role: about 30 chunks per table.
    func load(_ db: Connection, podMetrics: String = "public.pod_metrics") throws {
        let ids = "ARRAY[" + Self.tenants.map { "'\($0)'::uuid" }.joined(separator: ", ") + "]"
        try db.execute("""
            INSERT INTO \(podMetrics) (tenant_id, time, cluster_id, namespace, pod, cpu_millicores, memory_bytes, cost_usd)
            SELECT t, now() - d * interval '1 day', '00000000-0000-4000-8000-0000000000cc', 'ns', 'pod-' || h, 100, 1000, 0.5
            FROM unnest(\(ids)) AS t, generate_series(0, 29) AS d, generate_series(1, 3) AS h;
            INSERT INTO public.node_metrics (tenant_id, time, cluster_id, node, instance_type, cpu_capacity, hourly_cost_usd)
            SELECT t, now() - d * interval '1 day', '00000000-0000-4000-8000-0000000000cc', 'node-1', 'm5.large', 2, 0.1
            FROM unnest(\(ids)) AS t, generate_series(0, 29) AS d
            """)
    }

    func chunks(_ db: Connection, of table: String) throws -> [String] {
        try db.query("SELECT c::text FROM show_chunks($1::regclass) AS c ORDER BY 1", [table]).rows.compactMap { $0[0] }
    }

    /// A connection acting as `role` with tenant A's context, in a transaction the caller rolls back.
    func actingSession(_ database: String, _ role: String) throws -> Connection {
        let connection = try Connection(TestServer.shared.connectionString(database: database))
        try connection.execute("BEGIN; SET LOCAL ROLE \(SQL.ident(role))")
        try connection.query("SELECT set_config('app.current_tenant_id', $1, true)", [Self.tenants[0]])
        return connection
    }

    func testEveryChunkIsClosedToEveryRoleForEveryCommandFromTheMomentItExists() throws {
        let (name, db) = try database()
        try LiveDatabase(connection: db).apply(try k8s())
        try load(db)
        // The application creates a chunk (far in the future) and writes into an existing one, each from a new
        // session (TimescaleDB resolves an existing chunk by name, with the writer's schema privileges).
        for offset in ["40 days", "-1 hour"] {
            let app = try actingSession(name, "k8s_app")
            try app.execute("""
                INSERT INTO public.pod_metrics (tenant_id, time, cluster_id, namespace, pod, cpu_millicores, memory_bytes)
                VALUES ('\(Self.tenants[0])', now() + interval '\(offset)' - interval '7 minutes', '00000000-0000-4000-8000-0000000000cc', 'ns', 'new', 1, 1)
                """)
            try app.execute("COMMIT")
        }
        let pod = try chunks(db, of: "public.pod_metrics"), node = try chunks(db, of: "public.node_metrics")
        XCTAssertGreaterThanOrEqual(pod.count, 30)
        XCTAssertTrue(pod.allSatisfy { $0.hasPrefix("tenantwall_chunks.") }, "chunks live in the chunk schema: \(pod.prefix(3))")
        let newest = try db.query("""
            SELECT c::text, (SELECT relrowsecurity::text FROM pg_class WHERE oid = c) FROM show_chunks('public.pod_metrics', newer_than => now() + interval '1 day') AS c
            """).rows
        XCTAssertEqual(newest.count, 1, "the application's INSERT created one chunk")
        XCTAssertEqual(newest.first?[1], "false", "no job has run on it yet: the walls below hold without RLS on the chunk")

        for chunk in pod + node {
            let held = try db.query("SELECT count(*) FROM \(chunk)").scalar
            let copy = "INSERT INTO \(chunk) SELECT * FROM \(chunk) LIMIT 0"  // resolves the chunk like any write
            let row = try db.query("SELECT row_to_json(c)::text FROM \(chunk) AS c LIMIT 1").scalar ?? "{}"
            let parent = chunk.contains("_hyper_1_") ? "public.pod_metrics" : "public.node_metrics"
            let insert = "INSERT INTO \(chunk) SELECT * FROM json_populate_record(NULL::\(parent), \(SQL.literal(row)))"
            for role in roles {
                for sql in ["SELECT count(*) FROM \(chunk)", insert, copy, "UPDATE \(chunk) SET cluster_id = cluster_id", "DELETE FROM \(chunk)", "TRUNCATE \(chunk)"] {
                    let session = try actingSession(name, role)
                    defer { _ = try? session.execute("ROLLBACK") }
                    XCTAssertThrowsError(try session.query(sql), "\(role): \(sql)") { error in
                        XCTAssertEqual((error as? PostgresError)?.sqlState, "42501", "\(role): \(sql): \(error)")
                        // Read-only roles cannot even use the chunk schema; writers are stopped by the chunk's ACL.
                        let wall = role == "k8s_reporting" ? "permission denied for schema" : "permission denied for table"
                        XCTAssertTrue("\(error)".contains(wall), "\(role): \(sql): \(error)")
                    }
                }
            }
            XCTAssertEqual(try db.query("SELECT count(*) FROM \(chunk)").scalar, held, "\(chunk) is unchanged")
        }
        // Through the hypertables, tenant A reads its own rows, in every chunk, and nothing else.
        let app = try actingSession(name, "k8s_app")
        XCTAssertEqual(try app.query("SELECT count(DISTINCT tenant_id)::text || ' ' || count(*) FROM public.pod_metrics").scalar, "1 92")
        try app.execute("ROLLBACK")
        // The verifier agrees, trying every chunk (including the new one) as every role.
        let report = try Verifier(spec: try k8s(), conninfo: TestServer.shared.connectionString(database: name)).run()
        XCTAssertEqual((report.failed + report.notProbed).map { "\($0.table) \($0.id) \($0.role): \($0.actual)" }, [])
        let probed = Set(report.checks.filter { $0.id == "partition-write" }.map(\.title))
        XCTAssertTrue(probed.contains { $0.contains(newest[0][0]!) }, "the verifier tried the chunk the application created")
        for id in ["partition-read", "partition-write", "partition-update", "partition-delete"] {
            XCTAssertGreaterThanOrEqual(report.checks.filter { $0.id == id }.count, (pod.count + node.count) * roles.count, id)
        }
        // The safety net, run now instead of in five minutes: TimescaleDB accepts what it does (RLS without FORCE).
        let job = try XCTUnwrap(try db.query("SELECT job_id FROM timescaledb_information.jobs WHERE proc_name = 'secure_chunks_job'").scalar)
        try db.execute("CALL run_job(\(job))")
        XCTAssertEqual(try db.query("SELECT relrowsecurity::text || ' ' || relforcerowsecurity FROM pg_class WHERE oid = $1::regclass", [newest[0][0]]).scalar, "true false")
    }

    /// The second wall on chunks: the safety-net job enables RLS on the chunks created since apply (they are
    /// closed meanwhile by their schema and ACL), with the extension's helpers and with the inline ones (each
    /// carries its own secure_chunk). A chunk without it is not drift for plan (CatalogSnapshot says why).
    func testApplyAndTheJobEnableRLSOnEveryChunkWithEitherHelpers() throws {
        for helpers in HelperInstall.allCases {
            let (_, db) = try database()
            var spec = try k8s()
            spec.tenancy.helpers = helpers
            try LiveDatabase(connection: db).apply(spec)
            try load(db)
            let flags = "SELECT string_agg(DISTINCT relrowsecurity::text || ' ' || relforcerowsecurity, ',') FROM pg_class WHERE oid IN (SELECT show_chunks('public.pod_metrics') UNION ALL SELECT show_chunks('public.node_metrics'))"
            XCTAssertEqual(try db.query(flags).scalar, "false false", "\(helpers): chunks made after apply wait for the job")
            let job = try XCTUnwrap(try db.query("SELECT job_id FROM timescaledb_information.jobs WHERE proc_name = 'secure_chunks_job'").scalar)
            try db.execute("CALL run_job(\(job))")
            XCTAssertEqual(try db.query(flags).scalar, "true false", "\(helpers): the job enabled RLS on every chunk (TimescaleDB refuses FORCE)")
        }
    }

    func testBrokenChunkWallsAreCaughtByVerifyAndAudit() throws {
        let (name, db) = try database()
        let spec = try k8s()
        try LiveDatabase(connection: db).apply(spec)
        try load(db)
        let chunk = try chunks(db, of: "public.pod_metrics")[0]
        // Every wall broken on one chunk: schema USAGE, a direct grant, RLS off.
        try db.execute("GRANT USAGE ON SCHEMA tenantwall_chunks TO k8s_reporting; GRANT SELECT, INSERT, UPDATE, DELETE ON \(chunk) TO k8s_reporting; ALTER TABLE \(chunk) DISABLE ROW LEVEL SECURITY")
        let report = try Verifier(spec: spec, conninfo: TestServer.shared.connectionString(database: name)).run()
        let failed = Set(report.failed.filter { $0.role == "k8s_reporting" }.map(\.id))
        XCTAssertEqual(failed, ["partition-read", "partition-write", "partition-update", "partition-delete"])
        let write = report.failed.first { $0.id == "partition-write" }
        XCTAssertEqual(write?.actual, "row accepted", "the probe row lies inside the chunk's range, so only a wall could refuse it")
        let catalog = try AuditCatalogReader.read(db)
        let findings = Auditor.run(AuditInput(catalog: catalog, spec: spec, drift: [], appRoles: []))
        let tw120 = findings.filter { $0.ruleId == "TW120" }
        XCTAssertEqual(tw120.map(\.location.description), ["table \(chunk)"])
        XCTAssertFalse(tw120[0].fix?.contains("FORCE") ?? true, "TimescaleDB refuses FORCE on chunks: \(tw120[0].fix ?? "")")
        // The suggested fix is accepted by TimescaleDB and closes the chunk again.
        try db.execute(tw120[0].fix!)
        XCTAssertEqual(try Verifier(spec: spec, conninfo: TestServer.shared.connectionString(database: name)).run().unproven.map(\.id), [])
    }

    func testExistingHypertablesAreBroughtInLineAndThePlanSaysHow() throws {
        let (name, db) = try database()
        try db.execute("""
            CREATE EXTENSION IF NOT EXISTS timescaledb;
            CREATE TABLE public.pod_metrics (tenant_id uuid NOT NULL, time timestamptz NOT NULL, cluster_id uuid NOT NULL, namespace text NOT NULL,
                pod text NOT NULL, cpu_millicores integer NOT NULL, memory_bytes bigint NOT NULL, cost_usd numeric(12,6),
                PRIMARY KEY (tenant_id, cluster_id, pod, time));
            SELECT create_hypertable('public.pod_metrics', by_range('time', INTERVAL '1 day'));
            DO $$ BEGIN CREATE ROLE k8s_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            GRANT SELECT, INSERT, UPDATE, DELETE ON public.pod_metrics TO k8s_app;
            INSERT INTO public.pod_metrics SELECT '\(Self.tenants[1])', now() - d * interval '1 day', gen_random_uuid(), 'ns', 'p', 1, 1, 1
            FROM generate_series(0, 4) AS d;
            """)
        let old = try chunks(db, of: "public.pod_metrics")
        XCTAssertTrue(old.allSatisfy { $0.hasPrefix("_timescaledb_internal.") })
        let spec = try k8s()
        let before = Auditor.run(AuditInput(catalog: try AuditCatalogReader.read(db), spec: nil, drift: [], appRoles: ["k8s_app"]))
        XCTAssertEqual(Set(before.filter { $0.ruleId == "TW120" }.map(\.location.description)), Set(old.map { "table " + $0 }))
        XCTAssertEqual(before.filter { $0.ruleId == "TW123" }.map(\.location.description), ["table public.pod_metrics"])

        // An owner's full privileges: PostgreSQL 17 added MAINTAIN ('m').
        let all = try "arwdDxt" + (TestServer.majorVersion >= 17 ? "m" : "")
        let plan = try LiveDatabase(connection: db).plan(spec)
        let series = try XCTUnwrap(plan.differences.first { $0.object == "time series public.pod_metrics" })
        let changes = series.changes(limit: 100)
        XCTAssertTrue(changes.contains("- \(old[0]) acl={postgres=\(all)/postgres,k8s_app=arwd/postgres}"), "\(changes)")
        XCTAssertTrue(changes.contains("+ \(old[0]) acl={k8s_owner=\(all)/k8s_owner}"), "\(changes)")
        XCTAssertTrue(plan.script(header: []).contains("_timescaledb_internal._hyper_"), "the plan names the chunks it changes")

        try LiveDatabase(connection: db).apply(spec)
        XCTAssertTrue(try LiveDatabase(connection: db).plan(spec).isEmpty)
        // A chunk created after apply copies the (now column-level only) grants: nothing.
        try db.execute("INSERT INTO public.pod_metrics SELECT '\(Self.tenants[1])', now() + interval '60 days', gen_random_uuid(), 'ns', 'p', 1, 1, 1")
        let newest = try chunks(db, of: "public.pod_metrics").filter { !old.contains($0) }
        XCTAssertEqual(newest.count, 1)
        XCTAssertEqual(try db.query("SELECT relacl::text FROM pg_class WHERE oid = $1::regclass", [newest[0]]).scalar, "{k8s_owner=\(all)/k8s_owner}")
        XCTAssertEqual(try Verifier(spec: spec, conninfo: TestServer.shared.connectionString(database: name)).run().unproven.map(\.id), [])
        let after = Auditor.run(AuditInput(catalog: try AuditCatalogReader.read(db), spec: nil, drift: [], appRoles: ["k8s_app"]))
        XCTAssertEqual(after.filter { ["TW120", "TW123"].contains($0.ruleId) }.map(\.message), [])
    }

    /// On a server of its own: every database with TimescaleDB keeps a scheduler worker, and on the shared test
    /// server the suite's many such databases can use up the worker slots, so a new scheduler would wait.
    func testTheOwnerRunsJobsInTheBackgroundButNoClientCanLogInAsIt() throws {
        _ = try database()  // skips, saying why, without TimescaleDB
        let server = try TestServer.startSeparate()
        defer { server.stop() }
        try server.createDatabase("jobs")
        let db = try Connection(server.connectionString(database: "jobs"))
        try LiveDatabase(connection: db).apply(try k8s())
        XCTAssertEqual(try db.query("SELECT rolcanlogin::text || ' ' || rolconnlimit FROM pg_roles WHERE rolname = 'k8s_owner'").scalar, "true 0")
        XCTAssertThrowsError(try Connection(server.connectionString(database: "jobs", user: "k8s_owner"))) { error in
            XCTAssertTrue("\(error)".contains("too many connections for role \"k8s_owner\""), "\(error)")
        }
        let retention = try db.query("SELECT owner::text FROM timescaledb_information.jobs WHERE proc_name = 'policy_retention' ORDER BY job_id").rows.map { $0[0] }
        XCTAssertEqual(retention, ["k8s_owner", "k8s_owner"], "retention policies run as the hypertable owner")
        // A job owned by the owner, run by TimescaleDB's scheduler in a background worker.
        try db.execute("""
            CREATE TABLE public.job_runs (who name, at timestamptz DEFAULT now()); ALTER TABLE public.job_runs OWNER TO k8s_owner;
            CREATE PROCEDURE public.record_run(job_id integer, config jsonb) LANGUAGE sql AS $$ INSERT INTO public.job_runs (who) VALUES (current_user) $$;
            ALTER PROCEDURE public.record_run(integer, jsonb) OWNER TO k8s_owner;
            SET ROLE k8s_owner; SELECT add_job('public.record_run', INTERVAL '1 second', initial_start => now()); RESET ROLE
            """)
        let ran = try poll(timeout: 30, every: 0.5) {
            try db.query("SELECT count(*) FROM public.job_runs WHERE who = 'k8s_owner'").scalar != "0"
        }
        try db.execute("SELECT delete_job(job_id) FROM timescaledb_information.jobs WHERE proc_name = 'record_run'")
        XCTAssertTrue(ran, "the scheduler ran the owner's job although the owner has CONNECTION LIMIT 0")
    }

    /// `verify --scratch` copies the database, which PostgreSQL allows only with no other session connected;
    /// TimescaleDB's scheduler stays connected to every database with the extension, so it is paused for the copy.
    /// The example as it is (pod_metrics walled: verify judges what the spec it is given says), its rows written
    /// into the storage.
    func testVerifyScratchCopiesADatabaseWithTimescaleDB() throws {
        let name = try { () -> String in
            let (name, db) = try database()
            try LiveDatabase(connection: db).apply(try SpecFiles.load([TestServer.path("policies/k8s-cost-monitor")]))
            try load(db, podMetrics: "tenantwall_walled.pod_metrics")
            return name
        }()
        // The case the copy has to handle: TimescaleDB's scheduler connected to the database. On the shared server
        // the suite's many TimescaleDB databases may hold every worker slot, so it may never come: said, not failed.
        let admin = try Connection(TestServer.shared.connectionString())
        let scheduler = "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'TimescaleDB Background Worker Scheduler'"
        if try !poll(timeout: 10, { try admin.query(scheduler, [name]).scalar != "0" }) {
            print("note: TimescaleDB's scheduler did not connect to \(name) within 10 s; the copy was made without it")
        }
        let run = try TenantwallProcess.run(["verify", "--spec", "policies/k8s-cost-monitor", "--scratch", "--database", TestServer.shared.connectionString(database: name)])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertEqual(try admin.query("SELECT count(*) FROM pg_database WHERE datname LIKE 'tenantwall_verify_%'").scalar, "0", "scratch copy dropped")
    }

    func testSpacePartitionsAndTheDeleteRule() throws {
        let (name, db) = try database()
        var spec = try k8s()
        spec.tables = spec.tables.map { table in
            var table = table
            if table.name == "pod_metrics" { table.hypertable?.spacePartitions = 2 }
            return table
        }
        try LiveDatabase(connection: db).apply(spec)
        XCTAssertEqual(try db.query("SELECT num_dimensions::text FROM timescaledb_information.hypertables WHERE hypertable_name = 'pod_metrics'").scalar, "2")
        XCTAssertEqual(try db.query("SELECT column_name || ' ' || num_partitions FROM timescaledb_information.dimensions WHERE hypertable_name = 'pod_metrics' AND dimension_type = 'Space'").scalar, "tenant_id 2")
        try load(db)
        XCTAssertEqual(try Verifier(spec: spec, conninfo: TestServer.shared.connectionString(database: name)).run().unproven.map { "\($0.id) \($0.actual)" }, [])
        // No role may DELETE through a hypertable: the grant would be copied to every new chunk.
        let app = try actingSession(name, "k8s_app")
        XCTAssertThrowsError(try app.query("DELETE FROM public.pod_metrics")) { XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42501") }
        try app.execute("ROLLBACK")
    }
}
