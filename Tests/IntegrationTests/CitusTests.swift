import Audit
import Citus
import Demo
import Deploy
import Foundation
import LocalPostgres
import PolicyGen
import Postgres
import Quoting
import Review
import Tenantwall
import TenantwallBench
import Verification
import XCTest

/// `distribution: citus` on a real three-node cluster (a coordinator and two workers; Citus 13.0.5 on 15, 14.0.1 on 18, built from
/// source): the example applies and plans in sync; verify passes through the coordinator and on every shard
/// placement; a placement broken by hand on a worker fails verify and is repaired by apply; after
/// `isolate_tenant_to_new_shard` and a shard move, verify still passes.
final class CitusTests: XCTestCase {
    func cluster(for spec: Spec, extraRoles: [String] = []) throws -> LocalCluster {
        let binDirectory = try TestServer.binDirectory()  // none is a failure, not a skip for want of Citus
        guard LocalCluster.available(binDirectory: binDirectory) else {
            throw XCTSkip("Citus is not installed for this server: it is not in Debian's packages (build citusdata/citus v13.0.5 with ./configure --without-libcurl for PostgreSQL 15, v14.0.1 for 16 to 18: docs/install.md)")
        }
        guard geteuid() == 0 else {
            throw XCTSkip("the test cluster tells the coordinator from other clients by OS user, which needs root (the servers run as postgres)")
        }
        return try LocalCluster.start(binDirectory: binDirectory, roles: uniqued([spec.roles.owner] + spec.roles.accessRoles + extraRoles))
    }

    /// A cluster with `spec` applied, and in sync, in database `app`. The caller stops the cluster. Skips when an
    /// extension of `needs` is not installed for the server.
    func applied(_ spec: Spec, needs: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws -> (cluster: LocalCluster, url: String, db: Connection, live: LiveDatabase) {
        let cluster = try cluster(for: spec)
        do {
            try cluster.createDatabase("app")
            let url = cluster.connectionString(database: "app")
            let db = try Connection(url)
            for name in needs where try db.query("SELECT count(*) FROM pg_available_extensions WHERE name = $1", [name]).scalar != "1" {
                throw XCTSkip("\(name) is not installed for this server (pg_partman: Debian's postgresql-15-partman; 5.x from source for 16+)")
            }
            let live = LiveDatabase(connection: db)
            try live.apply(spec)
            XCTAssertTrue(try live.plan(spec).isEmpty, "in sync after apply", file: file, line: line)
            return (cluster, url, db, live)
        } catch {
            cluster.stop()
            throw error
        }
    }

    func testExampleHoldsItsWallsOnEveryShardThroughIsolationAndMoves() throws {
        let spec = try SpecFiles.load([TestServer.path("policies/workflow-platform-citus")])
        let (cluster, url, db, live) = try applied(spec)
        defer { cluster.stop() }
        XCTAssertEqual(try db.query("SELECT string_agg(logicalrelid::text || ':' || partmethod::text, ',' ORDER BY logicalrelid::text) FROM pg_dist_partition").scalar,
                       "audit_logs:h,executions:h,tenants:h,workflows:h", "tenant tables distributed by hash; the exempt table local")
        try db.execute("""
            INSERT INTO public.tenants (id, slug) SELECT g, 't' || g FROM generate_series(1, 20) AS g;
            INSERT INTO public.workflows (tenant_id, name, definition) SELECT g % 20 + 1, 'w' || g, '{}' FROM generate_series(1, 400) AS g
            """)
        let rows = "SELECT (SELECT count(*) FROM public.tenants) || '/' || (SELECT count(*) FROM public.workflows)"
        let before = try db.query(rows).scalar

        func failed() throws -> [String] {
            let report = try Verifier(spec: spec, conninfo: url).run()
            XCTAssertTrue(report.checks.contains { $0.id == "shard-placements" }, "the placements are checked")
            XCTAssertEqual(report.checks.filter { $0.id == "worker-direct-login" }.count, 2 * uniqued(spec.roles.accessRoles).count, "every access role tried on both workers")
            return (report.failed + report.notProbed).map { "\($0.table) \($0.id) as \($0.role): \($0.actual)" }
        }
        XCTAssertEqual(try failed(), [], "every wall holds through the coordinator and on every placement")
        XCTAssertEqual(try db.query(rows).scalar, before, "verify leaves no probe row behind")

        // The fan-out guard (the example's fan_out: error): in a tenant's transaction a statement that names its
        // tenant runs on one shard; the same without it is refused. Verify, which lowers the guard for its probes
        // (they try every shard on purpose), passed above. As a warning it runs, and says so; allow says nothing.
        let refused = try XCTUnwrap(try FanOutGuard.tryStatements(db, spec: spec))
        XCTAssertEqual(refused.routed, "ok")
        XCTAssertTrue(refused.fannedOut.hasPrefix("XX000: multi-task query about to be executed"), refused.fannedOut)
        for (level, warned) in [(FanOut.warning, true), (.allow, false), (.error, false)] {
            var changed = spec
            changed.tenancy.fanOut = level
            XCTAssertEqual(try live.plan(changed).differences.map(\.object), ["helper functions"], "plan sees the setter change")
            try live.apply(changed)
            let outcome = try XCTUnwrap(try FanOutGuard.tryStatements(db, spec: changed))
            XCTAssertEqual(outcome.routed, "ok")
            XCTAssertEqual(outcome.fannedOut == "ok", level != .error, outcome.fannedOut)
            XCTAssertEqual(outcome.warnings.contains { $0.contains("multi-task query about to be executed") }, warned, "\(outcome.warnings)")
        }

        // A placement broken by hand on its worker: plan sees it, verify fails it, apply repairs it.
        let shard = try XCTUnwrap(try db.query("SELECT shard_name, nodename FROM citus_shards WHERE table_name = 'public.workflows'::regclass ORDER BY shardid LIMIT 1").rows.first)
        try Connection(ConnectionString.with(url, [("host", shard[1] ?? "")])).execute("DROP POLICY tw_tenant_select ON public.\(SQL.ident(shard[0] ?? ""))")
        XCTAssertEqual(try live.plan(spec).differences.map(\.object), ["shards public.workflows"])
        XCTAssertTrue(try failed().contains { $0.hasPrefix("public.workflows shard-placements") })
        try live.apply(spec)
        XCTAssertTrue(try live.plan(spec).isEmpty, "apply put the policy back on the placement")

        // A tenant isolated to a shard of its own, then that shard moved to the other worker.
        try db.execute("SELECT isolate_tenant_to_new_shard('public.workflows', 7, 'CASCADE')")
        let placement = try XCTUnwrap(try db.query("""
            SELECT s.shardid::text, s.nodename FROM citus_shards AS s
            WHERE s.shardid = get_shard_id_for_distribution_column('public.workflows', 7)
            """).rows.first)
        let target = try XCTUnwrap(cluster.workers.map(\.socketDirectory).first { $0 != placement[1] })
        try db.query("SELECT citus_move_shard_placement($1::bigint, $2, 5432, $3, 5432, 'block_writes')", [placement[0], placement[1], target])
        XCTAssertEqual(try db.query("SELECT nodename FROM citus_shards WHERE shardid = $1::bigint", [placement[0]]).scalar, target, "the shard moved")
        XCTAssertTrue(try live.plan(spec).isEmpty, "the new and moved placements carry the walls")
        XCTAssertEqual(try failed(), [], "every wall holds after isolation and a move")
        XCTAssertEqual(try db.query(rows).scalar, before)

        // The audit on the cluster: the generated setup raises none of the Citus rules; each fires on its fault.
        func citusFindings() throws -> [String] {
            Auditor.run(AuditInput(catalog: try AuditCatalogReader.read(db), spec: nil, appRoles: ["wf_app", "tw_bad_app"]))
                .filter { ["TW132", "TW133", "TW134", "TW135", "TW206", "TW106", "TW107", "TW110"].contains($0.ruleId) }.map { "\($0.ruleId) \($0.location.description)" }.sorted()
        }
        XCTAssertEqual(try citusFindings(), [], "the generated Citus setup is clean")
        for statement in [
            "CREATE ROLE tw_bad_owner NOLOGIN", "CREATE ROLE tw_bad_app NOLOGIN",
            "CREATE TABLE public.bad (tenant_id bigint NOT NULL, v int)", "ALTER TABLE public.bad OWNER TO tw_bad_owner",
            "SELECT create_distributed_table('public.bad', 'tenant_id')",
            "ALTER TABLE public.bad ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY",
            "CREATE POLICY r ON public.bad AS RESTRICTIVE TO tw_bad_app USING (v > 0)",
            "CREATE POLICY p ON public.bad TO tw_bad_app USING (tenant_id = NULLIF(current_setting('app.t', true), '')::bigint)",
            "CREATE FUNCTION public.set_tenant_context(t bigint) RETURNS void LANGUAGE sql AS $$ SELECT set_config('app.t', t::text, true) $$",
        ] { try db.execute(statement) }
        XCTAssertEqual(try citusFindings(), ["TW133 policy public.bad.r", "TW134 role tw_bad_owner", "TW135 function public.set_tenant_context(t bigint)",
                                            "TW206 function public.set_tenant_context(t bigint)"])
        // The fan-out guard may also live on the roles: set for every application role, TW206 is satisfied.
        try db.execute("ALTER ROLE wf_app SET citus.multi_task_query_log_level = 'warning'; ALTER ROLE tw_bad_app SET citus.multi_task_query_log_level = 'error'")
        XCTAssertFalse(try citusFindings().contains { $0.hasPrefix("TW206") })
        try db.execute("ALTER ROLE wf_app RESET citus.multi_task_query_log_level")
        try db.execute("DROP TABLE public.bad")

        // Ctrl-C while the probe rows are committed: they are removed all the same. The test holds the tenants
        // table locked once they exist, so the verifier is waiting when the signal comes.
        let probes = "SELECT count(*) FROM public.tenants WHERE id >= 910000"
        let process = try TenantwallProcess(["verify", "--spec", "policies/workflow-platform-citus", "--database", url, "--workers", "1", "--tenants", "20"])
        XCTAssertTrue(try poll(timeout: 20, every: 0.01) { try db.query(probes).scalar != "0" }, "the probe rows were committed")
        let holder = try Connection(url)
        try holder.execute("BEGIN; LOCK TABLE public.tenants IN ACCESS EXCLUSIVE MODE")
        let waiting = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        XCTAssertTrue(try poll(timeout: 20) { try db.query(waiting).scalar != "0" }, "the verifier waits on the locked table")
        kill(process.process.processIdentifier, SIGINT)
        // The lock is let go only once the handler runs, so its cleanup cannot lean on the blocked connection.
        XCTAssertTrue(poll(timeout: 20) { process.stderrSoFar.contains("interrupted") }, "the signal was handled")
        try holder.execute("ROLLBACK")
        let run = process.wait()
        XCTAssertEqual(run.status, 128 + SIGINT, run.stdout + run.stderr)
        XCTAssertEqual(try db.query(probes).scalar, "0", "no probe row left behind")
        XCTAssertEqual(try db.query(rows).scalar, before)

        // The demo's run of the example on a database of its own (what `demo --citus` prints): every placement
        // consistent and the guard refusing the statement that forgot its tenant, or it counts a failure.
        try cluster.createDatabase("demo")
        let demo = try DemoRun(conninfo: cluster.connectionString(database: "demo"), specPath: TestServer.path("policies/workflow-platform-citus")).run()
        XCTAssertEqual(demo.failures, 0, demo.lines.joined(separator: "\n"))
        XCTAssertEqual(demo.lines.filter { $0.hasPrefix("distributed ") && $0.hasSuffix(CitusPlacements.consistent) }.count, 4, demo.lines.joined(separator: "\n"))
        XCTAssertTrue(demo.lines.contains { $0.hasPrefix("fan_out: error:") && $0.contains("refused (XX000") }, demo.lines.joined(separator: "\n"))
    }

    /// Time partitions of a distributed table: the example with `audit_logs` partitioned by month, by tenantwall
    /// and by pg_partman. The partitions are distributed with their parent, those created later too, and each is
    /// closed on every placement (RLS forced, no policy, no grant): verify's partition checks pass through the
    /// coordinator, a partition placement opened by hand on a worker fails `shard-placements` and plan, and apply
    /// repairs it.
    func testTimePartitionedDistributedTable() throws {
        try assertTimePartitionsHold(.native)
    }

    func testPgPartmanPartitionedDistributedTable() throws {
        try assertTimePartitionsHold(.pg_partman)
    }

    func assertTimePartitionsHold(_ manager: PartitionManager) throws {
        let path = TestServer.path("policies/workflow-platform-citus/workflow-platform-citus.yaml")
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let before = "      details: jsonb\n    primary_key: [tenant_id, id]\n"
        XCTAssertTrue(text.contains(before))
        text = text.replacingOccurrences(of: before, with: "      details: jsonb\n    primary_key: [tenant_id, id, occurred_at]\n    partitioning: {column: occurred_at, interval: 1 month, premake: 1, manager: \(manager.rawValue)}\n")
        let spec = try SpecLoader.load([("workflow-platform-citus.yaml", text)])
        let (cluster, url, db, live) = try applied(spec, needs: manager == .pg_partman ? ["pg_partman"] : [])
        defer { cluster.stop() }
        let partitions = "SELECT count(*) FROM pg_dist_partition WHERE logicalrelid::text LIKE 'audit_logs_%'"
        let distributed = try XCTUnwrap(Int(try db.query(partitions).scalar ?? ""))
        XCTAssertGreaterThanOrEqual(distributed, 3, "the current month, one ahead and the default, distributed with their parent")
        try db.execute("""
            INSERT INTO public.tenants (id, slug) SELECT g, 't' || g FROM generate_series(1, 8) AS g;
            INSERT INTO public.audit_logs (tenant_id, actor, action) SELECT g % 8 + 1, 'a', 'x' || g FROM generate_series(1, 80) AS g
            """)
        // A partition made later (ensure_partitions keeping ahead, or one written by hand next to pg_partman's) is
        // distributed and closed like the rest.
        if manager == .native {
            try db.query("SELECT tenantwall.ensure_partitions('public.audit_logs', INTERVAL '1 month', 3)")
        } else {
            try db.execute("CREATE TABLE public.audit_logs_p2040_01 PARTITION OF public.audit_logs FOR VALUES FROM ('2040-01-01') TO ('2040-02-01')")
        }
        XCTAssertGreaterThan(try XCTUnwrap(Int(try db.query(partitions).scalar ?? "")), distributed)
        XCTAssertTrue(try live.plan(spec).isEmpty, "the new partitions' placements carry the walls")

        func failed() throws -> [String] {
            let report = try Verifier(spec: spec, conninfo: url).run()
            XCTAssertTrue(report.checks.contains { $0.table == "public.audit_logs" && $0.id.hasPrefix("partition-") && $0.passed }, "the partitions are tried")
            return (report.failed + report.notProbed).map { "\($0.table) \($0.id) as \($0.role): \($0.actual)" }
        }
        XCTAssertEqual(try failed(), [])
        // Named directly through the coordinator, a partition refuses the application (no grant, RLS forced).
        try db.execute("BEGIN; SET LOCAL ROLE wf_app")
        try db.query("SELECT tenantwall.set_tenant_context(3)")
        let partition = try XCTUnwrap(try db.query("SELECT relid::regclass::text FROM pg_partition_tree('public.audit_logs') WHERE isleaf ORDER BY 1 LIMIT 1").scalar)
        XCTAssertThrowsError(try db.query("SELECT count(*) FROM \(partition)")) { XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42501") }
        try db.execute("ROLLBACK")

        // A partition's placement opened by hand on its worker: plan and verify see it, apply closes it again.
        let shard = try XCTUnwrap(try db.query("SELECT shard_name, nodename FROM citus_shards WHERE table_name = $1::regclass ORDER BY shardid LIMIT 1", [partition]).rows.first)
        try Connection(ConnectionString.with(url, [("host", shard[1] ?? "")])).execute("ALTER TABLE public.\(SQL.ident(shard[0] ?? "")) NO FORCE ROW LEVEL SECURITY")
        XCTAssertEqual(try live.plan(spec).differences.map(\.object), ["shards public.audit_logs"])
        XCTAssertTrue(try failed().contains { $0.hasPrefix("public.audit_logs shard-placements") && $0.contains("partition \(partition)") })
        try live.apply(spec)
        XCTAssertTrue(try live.plan(spec).isEmpty, "apply closed the partition's placement again")
        // A tenant isolated to shards of its own splits every partition's shard too; the walls follow.
        try db.execute("SELECT isolate_tenant_to_new_shard('public.workflows', 3, 'CASCADE')")
        XCTAssertTrue(try live.plan(spec).isEmpty, "the split partitions' placements carry the walls")
        XCTAssertEqual(try failed(), [])
    }

    /// The benchmark on the cluster: a tenant-scoped statement that names its tenant runs on one shard under the
    /// policies as in the baseline (the plan check compares the task count and the task's plan on its worker).
    func testBenchRoutesTenantScopedStatementsToOneShard() throws {
        let spec = try SpecFiles.load([TestServer.path("policies/workflow-platform-citus")])
        let renamed = BenchSpec.renamingRoles(spec)
        let cluster = try cluster(for: renamed, extraRoles: BenchSpec.roles(of: renamed))
        defer { cluster.stop() }
        try cluster.createDatabase("app")
        var bench = Bench(conninfo: cluster.connectionString(database: "app"), spec: spec, specLabel: "citus")
        bench.rows = 20_000
        bench.tenants = 20
        bench.only = ["point", "insert", "end-to-end"]
        bench.runner.rounds = 2
        bench.runner.seconds = 0.3
        bench.runner.warmup = 0.1
        bench.runner.slice = 0.1
        let (report, _) = try bench.run()
        XCTAssertEqual(report.failures, [], "\(report.failures)")
        let point = try XCTUnwrap(report.planChecks.first { $0.workload == "point" && $0.mode == .generated })
        XCTAssertTrue(point.passed, "\(point.differences)")
        XCTAssertTrue(PlanComparer.shape(point.candidatePlan).nodes.contains { $0.contains("[tasks: 1]") }, "routed to one shard: \(PlanComparer.shape(point.candidatePlan).nodes) \(point.candidatePlan.prefix(600))")
        XCTAssertTrue(report.workloads.allSatisfy { $0.modes.allSatisfy { $0.throughput > 0 } })
        // The workers run on this machine: their CPU per operation is measured beside the coordinator's, in every
        // mode, and the report shows both.
        for workload in report.workloads {
            for mode in workload.modes {
                XCTAssertGreaterThan(mode.serverMicroseconds ?? 0, 0, "\(workload.workload) \(mode.mode): coordinator CPU")
                XCTAssertGreaterThan(mode.workerMicroseconds ?? 0, 0, "\(workload.workload) \(mode.mode): workers CPU")
            }
            XCTAssertNotNil(workload.mode(.generated)?.workerCpuOverheadPercent, workload.workload)
        }
        XCTAssertTrue(BenchRenderers.markdown(report).contains("| coordinator CPU µs/op | workers CPU µs/op |"))
        XCTAssertTrue(BenchRenderers.markdown(report).contains("[tasks: 1]") || BenchRenderers.markdown(report).contains("same"), "the report renders without a contrast mode")
        XCTAssertFalse(BenchRenderers.html(report).isEmpty)
        // The check fails a statement that fans out: the same lookup without the tenant in the query runs on
        // every shard, however the policy limits its rows.
        let db = try Connection(cluster.connectionString(database: "app"))
        try LiveDatabase(connection: db).apply(renamed)
        try db.execute("INSERT INTO public.workflows (tenant_id, name, definition) SELECT g % 5 + 1, 'w' || g, '{}' FROM generate_series(1, 50) AS g")
        func explain(_ sql: String) throws -> String {
            try db.query("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql).rows.map { $0[0] ?? "" }.joined(separator: "\n")
        }
        let routed = try explain("SELECT * FROM public.workflows WHERE tenant_id = 2 AND id = 7")
        let fannedOut = try explain("SELECT * FROM public.workflows WHERE id = 7")
        XCTAssertTrue(PlanComparer.shape(routed).nodes.contains { $0.contains("[tasks: 1]") }, "\(PlanComparer.shape(routed).nodes)")
        let differences = PlanComparer.differences(baseline: routed, candidate: fannedOut, compareBuffers: false)
        XCTAssertTrue(differences.contains { $0.contains("[tasks: 32]") }, "\(differences)")
        XCTAssertEqual(try Connection(cluster.connectionString(database: "postgres")).query("SELECT count(*) FROM pg_database WHERE datname LIKE 'tenantwall_bench_%'").scalar, "0", "the scratch database is gone")
        XCTAssertEqual(try Connection(ConnectionString.with(cluster.connectionString(database: "postgres"), [("host", cluster.workers[0].socketDirectory)])).query("SELECT count(*) FROM pg_database WHERE datname LIKE 'tenantwall_bench_%'").scalar, "0", "on the workers too")
    }

    /// The native extension on the cluster: Citus creates it on the workers, the shards' policies call its C
    /// reader itself (Tenancy.shardPolicyReader: no PL/pgSQL call per shard query), which reads the SET LOCAL
    /// that Citus carried over, and every wall holds; audit and prove read the C reader as the tenant's.
    func testNativeReadersOnTheWorkers() throws {
        var spec = try SpecFiles.load([TestServer.path("policies/workflow-platform-citus")])
        spec.tenancy.helpers = .extension
        let (cluster, url, db, _) = try applied(spec)
        defer { cluster.stop() }
        let worker = try Connection(ConnectionString.with(url, [("host", cluster.workers[0].socketDirectory)]))
        XCTAssertEqual(try worker.query("SELECT extversion FROM pg_extension WHERE extname = 'tenantwall'").scalar, HelperCore.version, "Citus created the extension on the worker")
        try db.execute("INSERT INTO public.tenants (id, slug) SELECT g, 't' || g FROM generate_series(1, 6) AS g")
        try db.execute("INSERT INTO public.workflows (tenant_id, name, definition) SELECT g % 6 + 1, 'w' || g, '{}' FROM generate_series(1, 60) AS g")
        try db.execute("BEGIN; SET LOCAL ROLE wf_app")
        try db.query("SELECT tenantwall.set_tenant_context(3)")
        try db.execute("SET LOCAL citus.multi_task_query_log_level = off")  // the count below reaches tenant 4's shard on purpose
        let plan = try db.query("EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM public.workflows WHERE tenant_id = 3 AND id = 9").rows.map { $0[0] ?? "" }.joined(separator: "\n")
        XCTAssertEqual(try db.query("SELECT count(*)::text || '/' || count(DISTINCT tenant_id)::text FROM public.workflows WHERE tenant_id IN (3, 4)").scalar, "10/1", "only tenant 3's rows, though the query names 4 too")
        XCTAssertEqual(try db.query("SELECT tenantwall.current_tenant_id()::text").scalar, "3", "the application's reader")
        try db.execute("ROLLBACK")
        // The shard's policy calls the C reader with the setting, and nothing else reads the tenant there.
        XCTAssertTrue(plan.contains("tenantwall.context_bigint('app.current_tenant_id'::text)"), "the worker's plan calls the C reader:\n\(plan)")
        XCTAssertFalse(plan.contains("current_tenant_id()"), "no PL/pgSQL reader in the worker's plan:\n\(plan)")
        XCTAssertEqual(try worker.query("SELECT l.lanname FROM pg_proc AS p JOIN pg_language AS l ON l.oid = p.prolang WHERE p.oid = 'tenantwall.context_bigint(text)'::regprocedure").scalar,
                       "c", "the C reader on the worker")
        let policies = try worker.query("SELECT count(*) FROM pg_policy WHERE pg_get_expr(polqual, polrelid) LIKE '%tenantwall.context_bigint(''app.current_tenant_id''::text)%'").scalar
        XCTAssertGreaterThan(Int(policies ?? "0") ?? 0, 0, "the shards' policies carry the C reader")
        // audit and prove, from the spec and from the catalog alone, read the C reader as the tenant's.
        let wall = Auditor.run(AuditInput(catalog: try AuditCatalogReader.read(db), spec: spec, appRoles: spec.roles.accessRoles))
            .filter { $0.ruleId.hasPrefix("TW2") }.map { "\($0.ruleId) \($0.location.description): \($0.message)" }
        XCTAssertEqual(wall, [], "the audit's wall rules, with the spec")
        let catalogOnly = Auditor.run(AuditInput(catalog: try AuditCatalogReader.read(db), spec: nil, appRoles: spec.roles.accessRoles))
            .filter { $0.ruleId.hasPrefix("TW2") }.map { "\($0.ruleId) \($0.location.description): \($0.message)" }
        XCTAssertEqual(catalogOnly, [], "the audit's wall rules, from the catalog")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-citus-native-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = try String(contentsOfFile: TestServer.path("policies/workflow-platform-citus/workflow-platform-citus.yaml"), encoding: .utf8)
        XCTAssertTrue(source.contains("helpers: inline"))
        try source.replacingOccurrences(of: "helpers: inline", with: "helpers: extension").write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        let proof = try ProveRun(specPaths: [dir], database: url).run()
        XCTAssertEqual(proof.verdict, "holds", (proof.failed + proof.unknown).map(\.explained).joined(separator: "\n"))
        XCTAssertGreaterThan(proof.held.count, 10)
        let report = try Verifier(spec: spec, conninfo: url).run()
        XCTAssertEqual((report.failed + report.notProbed).map { "\($0.table) \($0.id) as \($0.role): \($0.actual)" }, [])
        // A cluster applied by an earlier version: its policies call the PL/pgSQL reader. plan names them and
        // apply puts the C reader on every shard.
        try db.execute("DROP POLICY tw_tenant_select ON public.workflows")
        try db.execute("CREATE POLICY tw_tenant_select ON public.workflows AS PERMISSIVE FOR SELECT TO wf_app, wf_support USING (tenant_id = tenantwall.current_tenant_id())")
        let live = LiveDatabase(connection: db)
        let drift = try live.plan(spec).differences
        XCTAssertTrue(drift.contains { $0.object == "policies public.workflows" && $0.live?.contains("tw_tenant_select") == true && $0.live?.contains("current_tenant_id()") == true }, "plan names the old policy: \(drift)")
        try live.apply(spec)
        XCTAssertTrue(try live.plan(spec).isEmpty)
        let old = "SELECT count(*) FROM pg_policy WHERE pg_get_expr(polqual, polrelid) LIKE '%current_tenant_id()%'"
        XCTAssertEqual(try worker.query(old).scalar, "0", "no shard keeps the PL/pgSQL reader")
    }
}
