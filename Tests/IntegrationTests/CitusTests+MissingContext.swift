import Deploy
import Foundation
import LocalPostgres
import PolicyGen
import Postgres
import Quoting
import Tenantwall
import Verification
import XCTest

/// `tenancy.missing_context: error` on the cluster, where the workers evaluate the shards' policies: the readers
/// exist on every worker with the coordinator's definition, a router statement and a statement that fans out to
/// every shard both fail with TW001 (raised on a worker, re-raised by the coordinator with its message and hint),
/// while the tenant's own statements, the admin role, the owner's maintenance and verify keep working.
extension CitusTests {
    func testMissingContextFailsLoudlyOnTheWorkers() throws {
        var spec = try SpecFiles.load([TestServer.path("policies/workflow-platform-citus")])
        spec.tenancy.missingContext = .error
        spec.roles.ownerAccess = .all
        let cluster = try cluster(for: spec)
        defer { cluster.stop() }
        for helpers in HelperInstall.allCases {
            spec.tenancy.helpers = helpers
            let name = "loud_\(helpers.rawValue)"
            try cluster.createDatabase(name)
            let url = cluster.connectionString(database: name)
            let db = try Connection(url)
            try LiveDatabase(connection: db).apply(spec)
            XCTAssertTrue(try LiveDatabase(connection: db).plan(spec).isEmpty, "\(helpers): in sync after apply")
            try assertReadersOnEveryWorker(db, helpers)
            try assertLoudWithoutContext(db, spec, helpers)
            let report = try Verifier(spec: spec, conninfo: url).run()
            XCTAssertEqual((report.failed + report.notProbed).map { "\($0.table) \($0.id) as \($0.role): \($0.actual)" }, [], "\(helpers): verify holds")
            let loud = report.checks.filter { ["select-none-context", "insert-none-context"].contains($0.id) && $0.role == "wf_app" }
            XCTAssertFalse(loud.isEmpty)
            XCTAssertTrue(loud.allSatisfy { $0.expected.contains(MissingContext.sqlState) && $0.passed }, "\(helpers): verify demands \(MissingContext.sqlState) on the cluster")
        }
    }

    /// Citus created both functions on every worker, each as the coordinator defines it.
    func assertReadersOnEveryWorker(_ db: Connection, _ helpers: HelperInstall) throws {
        for function in ["required_tenant_id", "missing_tenant_context"] {
            let signature = SQL.literal("tenantwall.\(function)(text)")
            let here = try XCTUnwrap(try db.query("SELECT pg_get_functiondef(\(signature)::regprocedure)").scalar)
            let there = try db.query("SELECT success::text, result FROM run_command_on_workers($1)", ["SELECT pg_get_functiondef(\(signature)::regprocedure)"]).rows
            XCTAssertEqual(there.count, 2, "\(helpers): both workers answered")
            for row in there {
                XCTAssertEqual(row[0], "true", "\(helpers) \(function): \(row[1] ?? "")")
                XCTAssertEqual(row[1], here, "\(helpers): \(function) on the worker is the coordinator's")
            }
        }
    }

    func assertLoudWithoutContext(_ db: Connection, _ spec: Spec, _ helpers: HelperInstall) throws {
        try db.execute("""
            INSERT INTO public.tenants (id, slug) SELECT g, 't' || g FROM generate_series(1, 6) AS g;
            INSERT INTO public.workflows (tenant_id, name, definition) SELECT g % 6 + 1, 'w' || g, '{}' FROM generate_series(1, 60) AS g
            """)
        func asRole(_ role: String, _ setup: [String] = [], _ body: () throws -> Void) throws {
            try db.execute("BEGIN; SET LOCAL ROLE \(SQL.ident(role))")
            defer { _ = try? db.execute("ROLLBACK") }
            for statement in setup { try db.query(statement) }
            try body()
        }
        func loud(_ sql: String, _ role: String, _ table: String, _ label: String, worker: Bool? = nil, line: UInt = #line) {
            XCTAssertThrowsError(try db.query(sql), label, line: line) { error in
                guard let error = error as? PostgresError else { return XCTFail("\(label): \(error)", line: line) }
                XCTAssertEqual(error.sqlState, MissingContext.sqlState, "\(helpers) \(label): \(error)", line: line)
                XCTAssertTrue(error.message.contains(role) && error.message.contains(table), "\(helpers) \(label): names role and table: \(error.message)", line: line)
                XCTAssertTrue((error.hint ?? "").contains("tenantwall.set_tenant_context(tenant)"), "\(helpers) \(label): names the setter: \(error)", line: line)
                if let worker { XCTAssertEqual((error.context ?? "").contains("while executing command on"), worker, "\(helpers) \(label): raised on \(worker ? "a worker" : "the coordinator"): \(error)", line: line) }
            }
        }
        // As the superuser (no policy): Citus plans the first statement as one task, the second as one per shard.
        let router = "SELECT count(*) FROM public.workflows WHERE tenant_id = 3", fanned = "SELECT count(*) FROM public.workflows"
        for (sql, tasks) in [(router, "Task Count: 1"), (fanned, "Task Count: 32")] {
            XCTAssertTrue(try db.query("EXPLAIN (COSTS OFF) " + sql).rows.contains { $0[0]?.contains(tasks) == true }, "\(sql): \(tasks)")
        }
        let propagated = "SET LOCAL citus.propagate_set_commands = 'local'"
        // Where the error is raised: a router statement's on the tenant's worker; the others' on the coordinator,
        // which evaluates the policy's STABLE calls itself, unless it has a context the workers lack.
        for (setup, what, onCoordinator) in [([String](), "no context", true), ([propagated, "SET LOCAL app.current_tenant_id = ''"], "an empty context on the workers", true),
                                             (["SELECT set_config('app.current_tenant_id', '3', true)"], "a context set_config() left on the coordinator", false)] {
            for role in ["wf_app", "wf_support"] {
                // The router statement's error is raised on the tenant's worker and re-raised by the coordinator.
                try asRole(role, setup) { loud(router, role, "public.workflows", "\(role), \(what): router SELECT", worker: true) }
                try asRole(role, setup) { loud(fanned, role, "public.workflows", "\(role), \(what): multi-shard SELECT", worker: !onCoordinator) }
            }
            try asRole("wf_app", setup) { loud("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (3, 'x', '{}')", "wf_app", "public.workflows", "\(what): INSERT", worker: onCoordinator ? false : nil) }
            try asRole("wf_app", setup) { loud("UPDATE public.workflows SET name = name || '!'", "wf_app", "public.workflows", "\(what): multi-shard UPDATE", worker: onCoordinator ? false : nil) }
            try asRole("wf_app", setup) { loud("SELECT count(*) FROM public.tenants", "wf_app", "public.tenants", "\(what): the tenants table") }
        }
        let oneTask = "SET LOCAL citus.multi_task_query_log_level = error"
        let counts = "SELECT count(*)::text || '/' || count(DISTINCT tenant_id)::text FROM public.workflows"
        try asRole("wf_app", ["SELECT tenantwall.set_tenant_context(3)", oneTask]) {
            XCTAssertEqual(try db.query("SELECT count(*) FROM public.workflows WHERE tenant_id = 3").scalar, "10", "\(helpers): with a context, the router query as before")
            XCTAssertNoThrow(try db.execute("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (3, 'mine', '{}')"), "\(helpers): the tenant's INSERT")
            XCTAssertEqual(try db.query("UPDATE public.workflows SET name = name || '!' WHERE tenant_id = 3").affectedRows, 11, "\(helpers): the tenant's UPDATE")
            try db.execute("SET LOCAL citus.multi_task_query_log_level = off")
            XCTAssertEqual(try db.query(counts).scalar, "11/1", "\(helpers): every shard, the context's rows only")
        }
        try asRole("wf_admin") { XCTAssertEqual(try db.query(counts).scalar, "60/6", "\(helpers): the admin role (SET ROLE) sees every tenant, no context needed") }
        try asRole("wf_owner") {
            XCTAssertEqual(try db.query("UPDATE public.workflows SET name = name WHERE tenant_id IN (1, 2)").affectedRows, 20, "\(helpers): the owner's maintenance")
            XCTAssertEqual(try db.query(counts).scalar, "60/6")
        }
    }
}
