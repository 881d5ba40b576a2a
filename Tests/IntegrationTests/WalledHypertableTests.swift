import Audit
import PolicyGen
import Postgres
import Tenantwall
import XCTest

/// The walled form of a hypertable, proved by hand on the installed TimescaleDB before tenantwall generates
/// it (issue #25, step 2): TimescaleDB refuses compression and continuous aggregates on a hypertable with row
/// security, so the hypertable carries none and grants nothing to access roles; it lives in a private schema,
/// and the application keeps its table's name, which is now a view owned by the table owner,
/// `WITH (security_barrier)`, `WHERE tenant_id = <the tenant reader>` and `WITH CHECK OPTION`. Then
/// compression and a continuous aggregate work, each tenant reads and writes only its own rows through the
/// views, and every other surface (the hypertable, its chunks, its compressed chunks, the continuous aggregate,
/// its materialization hypertable and that one's chunks) is refused by name.
final class WalledHypertableTests: XCTestCase {
    static let tenants = ["e0000000-0000-4000-8000-0000000000a1", "e0000000-0000-4000-8000-0000000000b2"]

    func testCompressionAndAContinuousAggregateBehindAWalledView() throws {
        let (name, db) = try TestServer.freshDatabase("walled")
        guard try ServerCapabilities(connection: db).available("timescaledb") else {
            throw XCTSkip("TimescaleDB is not installed and preloaded on this server")
        }
        let a = Self.tenants[0], b = Self.tenants[1]
        try db.execute("""
            CREATE EXTENSION IF NOT EXISTS timescaledb;
            DO $$ BEGIN CREATE ROLE wh_walled_owner NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            DO $$ BEGIN CREATE ROLE wh_walled_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            CREATE FUNCTION public.current_tenant() RETURNS uuid LANGUAGE sql STABLE
                AS $$ SELECT NULLIF(pg_catalog.current_setting('app.current_tenant_id', true), '')::uuid $$;
            CREATE SCHEMA walled AUTHORIZATION wh_walled_owner;
            REVOKE ALL ON SCHEMA walled FROM PUBLIC;
            CREATE TABLE walled.pod_metrics (tenant_id uuid NOT NULL, time timestamptz NOT NULL, pod text NOT NULL, cost numeric NOT NULL,
                                             UNIQUE (tenant_id, pod, time));
            ALTER TABLE walled.pod_metrics OWNER TO wh_walled_owner;
            SELECT create_hypertable('walled.pod_metrics', 'time', chunk_time_interval => interval '1 day');
            INSERT INTO walled.pod_metrics SELECT t, now() - d * interval '1 day', 'pod-' || p, p
                FROM unnest(ARRAY['\(a)', '\(b)']::uuid[]) AS t, generate_series(0, 13) AS d, generate_series(1, 3) AS p;
            ALTER TABLE walled.pod_metrics SET (timescaledb.compress, timescaledb.compress_segmentby = 'tenant_id', timescaledb.compress_orderby = 'time DESC');
            SELECT compress_chunk(c) FROM show_chunks('walled.pod_metrics', older_than => interval '7 days') AS c;
            CREATE VIEW public.pod_metrics WITH (security_barrier) AS
                SELECT tenant_id, time, pod, cost FROM walled.pod_metrics WHERE tenant_id = (SELECT public.current_tenant())
                WITH CHECK OPTION;
            ALTER VIEW public.pod_metrics OWNER TO wh_walled_owner;
            GRANT SELECT, INSERT, UPDATE, DELETE ON public.pod_metrics TO wh_walled_app;
            CREATE MATERIALIZED VIEW walled.pod_daily WITH (timescaledb.continuous) AS
                SELECT tenant_id, time_bucket(interval '1 day', time) AS day, sum(cost) AS cost FROM walled.pod_metrics GROUP BY tenant_id, day
                WITH NO DATA;
            ALTER MATERIALIZED VIEW walled.pod_daily OWNER TO wh_walled_owner;
            CREATE VIEW public.pod_daily WITH (security_barrier) AS
                SELECT tenant_id, day, cost FROM walled.pod_daily WHERE tenant_id = (SELECT public.current_tenant());
            ALTER VIEW public.pod_daily OWNER TO wh_walled_owner;
            GRANT SELECT ON public.pod_daily TO wh_walled_app
            """)
        try db.execute("CALL refresh_continuous_aggregate('walled.pod_daily', NULL, NULL)")
        let compressed = try db.query("""
            SELECT format('%I.%I', schema_name, table_name) FROM _timescaledb_catalog.chunk
            WHERE id IN (SELECT compressed_chunk_id FROM _timescaledb_catalog.chunk WHERE compressed_chunk_id IS NOT NULL) ORDER BY 1
            """).rows.compactMap { $0[0] }
        XCTAssertGreaterThanOrEqual(compressed.count, 6, "the chunks older than 7 days are compressed")
        XCTAssertTrue(compressed.allSatisfy { $0.contains("compress_hyper_") }, "\(compressed)")
        let chunks = try db.query("SELECT c::text FROM show_chunks('walled.pod_metrics') AS c").rows.compactMap { $0[0] }
        let materialization = try XCTUnwrap(try db.query("""
            SELECT format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name)
            FROM timescaledb_information.continuous_aggregates WHERE view_name = 'pod_daily'
            """).scalar)
        XCTAssertTrue(materialization.contains("_materialized_hypertable_"), materialization)
        let materializationChunks = try db.query("SELECT c::text FROM show_chunks($1::regclass) AS c", [materialization]).rows.compactMap { $0[0] }
        XCTAssertFalse(materializationChunks.isEmpty)
        let ownDaily = try XCTUnwrap(try db.query("SELECT string_agg(day::text || ' ' || cost, ',' ORDER BY day) FROM walled.pod_daily WHERE tenant_id = '\(a)'").scalar)

        func session(_ tenant: String?) throws -> Connection {
            let c = try Connection(TestServer.shared.connectionString(database: name))
            try c.execute("BEGIN; SET LOCAL ROLE wh_walled_app")
            if let tenant { try c.query("SELECT set_config('app.current_tenant_id', $1, true)", [tenant]) }
            return c
        }
        // Through the views: own rows only, compressed chunks included; the aggregate as the superuser sees it for A.
        let app = try session(a)
        XCTAssertEqual(try app.query("SELECT count(DISTINCT tenant_id)::text || ' ' || count(*) FROM public.pod_metrics").scalar, "1 42")
        XCTAssertEqual(try app.query("SELECT string_agg(day::text || ' ' || cost, ',' ORDER BY day) FROM public.pod_daily").scalar, ownDaily)
        XCTAssertEqual(try app.query("SELECT count(DISTINCT tenant_id)::text FROM public.pod_daily").scalar, "1")
        // Writes: its own rows, into a compressed chunk's range too; another tenant's row refused by the check option.
        try app.execute("INSERT INTO public.pod_metrics VALUES ('\(a)', now() - interval '10 days' + interval '1 minute', 'new', 1)")
        try app.execute("UPDATE public.pod_metrics SET cost = cost + 1 WHERE pod = 'pod-1'")
        try app.execute("COMMIT")
        for sql in ["INSERT INTO public.pod_metrics VALUES ('\(b)', now(), 'x', 1)",
                    "UPDATE public.pod_metrics SET tenant_id = '\(b)', pod = 'moved' WHERE pod = 'pod-2'",
                    "INSERT INTO public.pod_metrics VALUES ('\(b)', now(), 'x', 1) ON CONFLICT (tenant_id, pod, time) DO UPDATE SET cost = 0"] {
            let s = try session(a)
            defer { _ = try? s.execute("ROLLBACK") }
            XCTAssertThrowsError(try s.execute(sql), sql) { error in
                XCTAssertEqual((error as? PostgresError)?.sqlState, "44000", "\(sql): \(error)")
                XCTAssertTrue("\(error)".contains("new row violates check option"), "\(error)")
            }
        }
        XCTAssertEqual(try db.query("SELECT count(*)::text FROM walled.pod_metrics WHERE tenant_id = '\(b)'").scalar, "42", "B's rows untouched")
        XCTAssertEqual(try db.query("SELECT count(*)::text FROM walled.pod_metrics WHERE tenant_id = '\(a)' AND cost = 2 AND pod = 'pod-1'").scalar, "14")
        // No context, no rows.
        let none = try session(nil)
        XCTAssertEqual(try none.query("SELECT (SELECT count(*) FROM public.pod_metrics) + (SELECT count(*) FROM public.pod_daily)").scalar, "0")
        try none.execute("ROLLBACK")
        // Every other surface, named directly: refused.
        let surfaces = ["walled.pod_metrics", "walled.pod_daily", materialization] + chunks + compressed + materializationChunks
        for surface in surfaces {
            let s = try session(a)
            defer { _ = try? s.execute("ROLLBACK") }
            XCTAssertThrowsError(try s.query("SELECT count(*) FROM \(surface)"), surface) { error in
                XCTAssertEqual((error as? PostgresError)?.sqlState, "42501", "\(surface): \(error)")
            }
        }
        XCTAssertGreaterThan(surfaces.count, 20)

        // TW137: walled, nothing; the hypertable or the aggregate granted to the application, each an error.
        func tw137() throws -> [String] {
            let catalog = try AuditCatalogReader.read(db)
            XCTAssertEqual(catalog.continuousAggregates["walled.pod_daily"], "walled.pod_metrics")
            XCTAssertTrue(catalog.compressedHypertables.contains("walled.pod_metrics"))
            return Auditor.run(AuditInput(catalog: catalog, appRoles: ["wh_walled_app"])).filter { $0.ruleId == "TW137" }.map(\.location.description)
        }
        XCTAssertEqual(try tw137(), [])
        try db.execute("GRANT SELECT ON walled.pod_metrics, walled.pod_daily TO wh_walled_app")
        XCTAssertEqual(try tw137(), ["table walled.pod_metrics", "view walled.pod_daily"])
    }
}
