import Foundation
import LocalPostgres
import PolicyGen
import Postgres
import Quoting
import Tenantwall
import XCTest

/// Issue #27, "nothing left behind": verify on Citus commits its probe rows, so a verifier killed with SIGKILL
/// leaves them in the shards on the workers. The next `verify --cleanup`, and the next verify, find them in the
/// registry and remove them from every node, say so, and touch no real tenant's row.
extension CitusTests {
    /// The example's tenant tables and the column each holds the tenant in.
    static let tenantTables = [("tenants", "id"), ("workflows", "tenant_id"), ("executions", "tenant_id"), ("audit_logs", "tenant_id")]

    /// Probe rows (tenant ids from 910000, `ProbeValues.tenant`) held on one node: on a worker, counted in each
    /// shard directly (the shards are its own tables); on the coordinator, in its own shards if any.
    func probeRowsHeld(on node: Connection) throws -> Int {
        try node.execute("SET citus.override_table_visibility = off")
        var total = 0
        for (table, column) in Self.tenantTables {
            let shards = try node.query("""
                SELECT c.oid::regclass::text FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname ~ ('^' || $1 || '_[0-9]+$')
                """, [table]).rows.compactMap { $0[0] }
            for shard in shards {
                total += Int(try node.query("SELECT count(*) FROM \(shard) WHERE \(SQL.ident(column)) >= 910000").scalar ?? "0") ?? 0
            }
        }
        return total
    }

    /// Starts verify, waits until probe rows are committed on a worker, kills it with SIGKILL, and waits until
    /// the server has ended its sessions (until then its run is not leftover: it may still be running).
    func killVerifyWithProbeRowsCommitted(url: String, db: Connection, workers: [Connection]) throws {
        let process = try TenantwallProcess(["verify", "--spec", "policies/workflow-platform-citus", "--database", url, "--workers", "1", "--tenants", "20"])
        let committed = try poll(timeout: 60, every: 0.01) { try workers.contains { try probeRowsHeld(on: $0) > 0 } }
        kill(process.process.processIdentifier, SIGKILL)
        let run = process.wait()
        XCTAssertTrue(committed, "probe rows were committed on a worker: " + run.stderr)
        XCTAssertEqual(run.status, SIGKILL, "killed by the signal")
        XCTAssertGreaterThan(try workers.map(probeRowsHeld).reduce(0, +), 0, "the killed verifier left probe rows on the workers")
        let live = "SELECT count(*) FROM tenantwall_verify.probe_rows AS r JOIN pg_catalog.pg_stat_activity AS a ON a.pid = r.pid AND a.backend_start = r.backend_start"
        XCTAssertTrue(try poll(timeout: 30) { try db.query(live).scalar == "0" }, "the killed verifier's sessions ended")
        XCTAssertNotEqual(try db.query("SELECT count(*) FROM tenantwall_verify.probe_rows").scalar, "0", "the registry names the killed run's probe rows")
    }

    func testProbeRowsOfAKilledVerifyAreRemovedFromEveryNode() throws {
        let spec = try SpecFiles.load([TestServer.path("policies/workflow-platform-citus")])
        let (cluster, url, db, _) = try applied(spec)
        defer { cluster.stop() }
        try db.execute("""
            INSERT INTO public.tenants (id, slug) SELECT g, 't' || g FROM generate_series(1, 20) AS g;
            INSERT INTO public.workflows (tenant_id, name, definition) SELECT g % 20 + 1, 'w' || g, '{}' FROM generate_series(1, 400) AS g
            """)
        // Every real tenant's rows, as text, so that a change to any of them shows.
        let real = Self.tenantTables.map { table, column in
            "(SELECT count(*) || ':' || md5(COALESCE(string_agg(t::text, ',' ORDER BY t::text), '')) FROM public.\(table) AS t WHERE \(column) < 910000)"
        }.joined(separator: " || '/' || ")
        let before = try XCTUnwrap(try db.query("SELECT " + real).scalar)
        let workers = try cluster.workers.map { try Connection($0.connectionString(database: "app")) }
        XCTAssertEqual(workers.count, 2)
        func heldAnywhere() throws -> Int { try ([db] + workers).map(probeRowsHeld).reduce(0, +) + Int(try db.query("SELECT count(*) FROM public.tenants WHERE id >= 910000").scalar ?? "0")! }

        // `verify --cleanup` removes them without running any check.
        try killVerifyWithProbeRowsCommitted(url: url, db: db, workers: workers)
        let cleanup = try TenantwallProcess.run(["verify", "--cleanup", "--database", url])
        XCTAssertEqual(cleanup.status, 0, cleanup.stdout + cleanup.stderr)
        XCTAssertTrue(cleanup.stdout.hasPrefix("removed ") && cleanup.stdout.contains("probe rows left behind"), cleanup.stdout)
        XCTAssertEqual(try heldAnywhere(), 0, "no probe row on any node after --cleanup")
        XCTAssertEqual(try db.query("SELECT count(*) FROM tenantwall_verify.probe_rows").scalar, "0", "the registry is emptied")
        XCTAssertEqual(try db.query("SELECT " + real).scalar, before, "no real tenant's row touched")
        let again = try TenantwallProcess.run(["verify", "--cleanup", "--database", url])
        XCTAssertEqual(again.stdout, "no probe rows left behind\n", again.stderr)

        // The next verify removes them first, says so on stderr and in its report, and passes.
        try killVerifyWithProbeRowsCommitted(url: url, db: db, workers: workers)
        let verify = try TenantwallProcess.run(["verify", "--spec", "policies/workflow-platform-citus", "--database", url, "--format", "json"])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        XCTAssertTrue(verify.stderr.contains("removed the probe rows earlier verify runs left behind"), verify.stderr)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as? [String: Any])
        let checks = try XCTUnwrap(report["checks"] as? [[String: Any]])
        let leftover = try XCTUnwrap(checks.first { $0["id"] as? String == "leftover-probe-rows" })
        XCTAssertTrue((leftover["actual"] as? String ?? "").hasPrefix("removed public."), "\(leftover)")
        XCTAssertEqual(checks.filter { $0["id"] as? String == "probe-tenants-unused" && $0["passed"] as? Bool == true }.count, 4, "the probe ids were checked free in every table")
        XCTAssertEqual(try heldAnywhere(), 0, "no probe row on any node after the next verify")
        XCTAssertEqual(try db.query("SELECT count(*) FROM tenantwall_verify.probe_rows").scalar, "0")
        XCTAssertEqual(try db.query("SELECT " + real).scalar, before, "no real tenant's row touched")

        // A real tenant with a probe tenant's id: verify refuses to commit probe rows (it would delete them by
        // that id at the end), probes nothing, and the tenant's row stays.
        try db.execute("INSERT INTO public.tenants (id, slug) VALUES (910001, 'real')")
        let refused = try TenantwallProcess.run(["verify", "--spec", "policies/workflow-platform-citus", "--database", url, "--format", "json"])
        XCTAssertEqual(refused.status, 1, refused.stdout + refused.stderr)
        let refusedChecks = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(refused.stdout.utf8)) as? [String: Any])?["checks"] as? [[String: Any]])
        XCTAssertEqual(refusedChecks.filter { $0["passed"] as? Bool == false }.map { "\($0["id"] ?? "") \($0["table"] ?? "") \($0["actual"] ?? "")" },
                       ["probe-tenants-unused public.tenants 1 rows: not probed (a real tenant has one of these ids)"])
        XCTAssertFalse(refusedChecks.contains { $0["id"] as? String == "select-own-rows" }, "no table was probed")
        XCTAssertEqual(try db.query("SELECT slug FROM public.tenants WHERE id >= 910000").scalar, "real", "the real tenant's row is untouched, and no probe row was written")
    }
}
