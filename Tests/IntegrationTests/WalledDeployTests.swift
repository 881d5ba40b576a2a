import Deploy
import PolicyGen
import Postgres
import Quoting
import Tenantwall
import XCTest

/// The walled form as tenantwall generates and applies it (issue #25): the k8s example with compression and a
/// continuous aggregate on a fresh database, and an existing RLS hypertable moved to the walled form and back
/// by apply, every row kept. Skips, saying why, where TimescaleDB is not installed.
final class WalledDeployTests: XCTestCase {
    static let tenants = ["a0000000-0000-4000-8000-0000000000a1", "a0000000-0000-4000-8000-0000000000b2", "a0000000-0000-4000-8000-0000000000c3"]

    func database(_ prefix: String) throws -> (name: String, connection: Connection) {
        let (name, db) = try TestServer.freshDatabase(prefix)
        guard try ServerCapabilities(connection: db).available("timescaledb") else {
            throw XCTSkip("TimescaleDB is not installed and preloaded on this server (build 2.28.x from source, see docs/install.md)")
        }
        return (name, db)
    }

    /// A session as `role` with `tenant`'s context (none when nil), in a transaction the caller ends.
    func session(_ database: String, _ role: String, _ tenant: String?) throws -> Connection {
        let c = try Connection(TestServer.shared.connectionString(database: database))
        try c.execute("BEGIN; SET LOCAL ROLE \(SQL.ident(role))")
        if let tenant { try c.query("SELECT set_config('app.current_tenant_id', $1, true)", [tenant]) }
        return c
    }

    func assertRefused(_ database: String, _ role: String, _ sql: String, _ state: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let s = try session(database, role, Self.tenants[0])
        defer { _ = try? s.execute("ROLLBACK") }
        XCTAssertThrowsError(try s.execute(sql), sql, file: file, line: line) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, state, "\(role): \(sql): \(error)", file: file, line: line)
        }
    }

    func names(_ db: Connection, _ sql: String) throws -> [String] { try db.query(sql).rows.compactMap { $0[0] } }

    func testTheK8sExampleAppliesWalledCompressesRefreshesAndHoldsEveryWall() throws {
        let (name, db) = try database("wk8s")
        let spec = try SpecFiles.load([TestServer.path("policies/k8s-cost-monitor")])
        let live = LiveDatabase(connection: db)
        XCTAssertFalse(try live.apply(spec).isEmpty)
        XCTAssertTrue(try live.apply(spec).isEmpty, "apply twice: nothing the second time")
        let ids = "ARRAY[" + Self.tenants.map { "'\($0)'::uuid" }.joined(separator: ", ") + "]"
        try db.execute("""
            INSERT INTO tenantwall_walled.pod_metrics (tenant_id, time, cluster_id, namespace, pod, cpu_millicores, memory_bytes, cost_usd)
            SELECT t, now() - d * interval '1 day' - h * interval '1 minute', '00000000-0000-4000-8000-0000000000cc', 'ns-' || (h % 2), 'pod-' || h, 100, 1000, 0.25 * h
            FROM unnest(\(ids)) AS t, generate_series(0, 19) AS d, generate_series(1, 4) AS h
            """)
        let compressed = try ChunkCompression.compressOlderChunks(db, hypertable: "tenantwall_walled.pod_metrics", olderThan: "7 days")
        XCTAssertGreaterThanOrEqual(compressed, 10)
        try db.execute("SET ROLE k8s_owner")
        try db.execute("CALL refresh_continuous_aggregate('tenantwall_walled.namespace_daily_cost', NULL, NULL)")
        try db.execute("RESET ROLE")
        let synced = try live.plan(spec)
        XCTAssertTrue(synced.isEmpty, "in sync after compression and refresh: \(synced.differences.map(\.object))")

        // Through both walls: exactly the owner's per-tenant counts, for each tenant; no context, no rows.
        for tenant in Self.tenants {
            let rows = try db.query("SELECT count(*)::text FROM tenantwall_walled.pod_metrics WHERE tenant_id = $1", [tenant]).scalar
            let daily = try db.query("SELECT count(*)::text || ' ' || sum(cost_usd)::text FROM tenantwall_walled.namespace_daily_cost WHERE tenant_id = $1", [tenant]).scalar
            XCTAssertEqual(rows, "80")
            for role in ["k8s_app", "k8s_reporting"] {
                let s = try session(name, role, tenant)
                XCTAssertEqual(try s.query("SELECT count(*)::text FROM public.pod_metrics").scalar, rows, role)
                XCTAssertEqual(try s.query("SELECT count(*)::text || ' ' || sum(cost_usd)::text FROM public.namespace_daily_cost").scalar, daily, role)
                XCTAssertEqual(try s.query("SELECT count(DISTINCT tenant_id)::text FROM public.namespace_daily_cost").scalar, "1")
                try s.execute("ROLLBACK")
            }
        }
        let none = try session(name, "k8s_app", nil)
        XCTAssertEqual(try none.query("SELECT ((SELECT count(*) FROM public.pod_metrics) + (SELECT count(*) FROM public.namespace_daily_cost))::text").scalar, "0")
        try none.execute("ROLLBACK")

        // Writes: its own row (the storage's defaults, RETURNING), and no other tenant's.
        let a = Self.tenants[0], b = Self.tenants[1]
        let own = try session(name, "k8s_app", a)
        XCTAssertEqual(try own.query("""
            INSERT INTO public.pod_metrics (tenant_id, time, cluster_id, namespace, pod, cpu_millicores, memory_bytes)
            VALUES ('\(a)', now() - interval '10 days', '00000000-0000-4000-8000-0000000000cc', 'ns-x', 'new', 1, 1) RETURNING tenant_id::text
            """).scalar, a, "into a compressed chunk's range")
        try own.execute("COMMIT")
        let values = "('\(b)', now() - interval '1 day' - interval '1 minute', '00000000-0000-4000-8000-0000000000cc', 'ns-1', 'pod-1', 1, 1)"
        for sql in ["INSERT INTO public.pod_metrics (tenant_id, time, cluster_id, namespace, pod, cpu_millicores, memory_bytes) VALUES \(values)",
                    "UPDATE public.pod_metrics SET tenant_id = '\(b)', pod = 'moved' WHERE pod = 'pod-2' AND time > now() - interval '2 days'",
                    "INSERT INTO public.pod_metrics (tenant_id, time, cluster_id, namespace, pod, cpu_millicores, memory_bytes) VALUES \(values) ON CONFLICT (tenant_id, cluster_id, pod, time) DO UPDATE SET cost_usd = 0"] {
            try assertRefused(name, "k8s_app", sql, "44000")
        }
        // In a compressed chunk's range TimescaleDB 2.28.3 fails the same UPDATE with XX000 ("unexpected tuple operation
        // result") rather than the check option's 44000: refused all the same, nothing changed.
        let moving = try session(name, "k8s_app", a)
        XCTAssertThrowsError(try moving.execute("UPDATE public.pod_metrics SET tenant_id = '\(b)' WHERE pod = 'pod-2'"))
        try moving.execute("ROLLBACK")
        XCTAssertEqual(try db.query("SELECT count(*)::text FROM tenantwall_walled.pod_metrics WHERE tenant_id = '\(b)' AND cost_usd IS NOT NULL").scalar, "80", "B's rows untouched")

        // Every other name of the same data: 42501, for every access role.
        let materialization = try XCTUnwrap(try db.query("""
            SELECT format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name) FROM timescaledb_information.continuous_aggregates
            WHERE view_name = 'namespace_daily_cost'
            """).scalar)
        let compressedChunks = try names(db, """
            SELECT format('%I.%I', schema_name, table_name) FROM _timescaledb_catalog.chunk
            WHERE id IN (SELECT compressed_chunk_id FROM _timescaledb_catalog.chunk WHERE compressed_chunk_id IS NOT NULL)
            """)
        XCTAssertEqual(compressedChunks.count, compressed)
        let surfaces = ["tenantwall_walled.pod_metrics", "tenantwall_walled.namespace_daily_cost", materialization]
            + (try names(db, "SELECT c::text FROM show_chunks('tenantwall_walled.pod_metrics') AS c")) + compressedChunks
            + (try names(db, "SELECT c::text FROM show_chunks('\(materialization)') AS c"))
        XCTAssertGreaterThan(surfaces.count, 30)
        for role in ["k8s_app", "k8s_reporting", "k8s_admin"] {
            for surface in surfaces { try assertRefused(name, role, "SELECT count(*) FROM \(surface)", "42501") }
        }

        // A wall broken on purpose: the check sees it, and so does plan; apply restores it.
        try db.execute("GRANT USAGE ON SCHEMA tenantwall_walled TO k8s_app; GRANT SELECT ON tenantwall_walled.pod_metrics TO k8s_app")
        let opened = try session(name, "k8s_app", a)
        XCTAssertEqual(try opened.query("SELECT count(*)::text FROM tenantwall_walled.pod_metrics").scalar, "241", "the storage, granted, shows every tenant")
        try opened.execute("ROLLBACK")
        // TimescaleDB carries a hypertable's GRANT to its chunks: the chunks' ACLs differ too.
        let drift = ["grants public.pod_metrics", "schema tenantwall_walled", "time series public.pod_metrics"]
        XCTAssertEqual(try live.plan(spec).differences.map(\.object), drift)
        try db.execute("""
            CREATE OR REPLACE VIEW public.namespace_daily_cost WITH (security_barrier) AS
                SELECT tenant_id, day, namespace, cost_usd, samples FROM tenantwall_walled.namespace_daily_cost
            """)
        let unwalled = try session(name, "k8s_reporting", a)
        XCTAssertEqual(try unwalled.query("SELECT count(DISTINCT tenant_id)::text FROM public.namespace_daily_cost").scalar, "3", "the aggregate's wall, removed, shows every tenant")
        try unwalled.execute("ROLLBACK")
        XCTAssertEqual(try live.plan(spec).differences.map(\.object), drift + ["wall public.pod_metrics"])
        try db.execute("ALTER TABLE tenantwall_walled.pod_metrics SET (timescaledb.compress_orderby = 'time ASC')")
        try db.execute("REVOKE ALL ON tenantwall_walled.pod_metrics FROM k8s_app; REVOKE ALL ON SCHEMA tenantwall_walled FROM k8s_app")
        XCTAssertEqual(try live.plan(spec).differences.map(\.object), ["time series public.pod_metrics", "wall public.pod_metrics"], "changed compression settings are drift")
        try live.apply(spec)
        XCTAssertTrue(try live.plan(spec).isEmpty)
        try assertRefused(name, "k8s_app", "SELECT count(*) FROM tenantwall_walled.pod_metrics", "42501")
        let restored = try session(name, "k8s_app", a)
        XCTAssertEqual(try restored.query("SELECT count(DISTINCT tenant_id)::text FROM public.namespace_daily_cost").scalar, "1")
        try restored.execute("ROLLBACK")
    }
}

extension Spec {
    /// The spec with every hypertable in the RLS form (no compression, no continuous aggregates), for the tests
    /// of the RLS form and of what has no walled counterpart (the reference catalog query).
    var inRLSForm: Spec {
        var spec = self
        spec.tables = spec.tables.map { var t = $0; t.hypertable?.compression = nil; t.hypertable?.continuousAggregates = []; return t }
        return spec
    }
}
