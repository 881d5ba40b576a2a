import Deploy
import PolicyGen
import Postgres
import Quoting
import Tenantwall
import XCTest

/// An RLS hypertable a team made by hand before tenantwall (hand-written policies, a foreign key to its
/// tenants table, CHECK and NOT NULL columns, an enum column, 3 tenants over 20 days), moved to the walled form
/// by apply and back, every row kept (a checksum of every row, read as the superuser, equal throughout); and a
/// hand-made view over it, which blocks the move. Skips, saying why, where TimescaleDB is not installed.
final class WalledMoveTests: XCTestCase {
    static let tenants = ["b0000000-0000-4000-8000-0000000000a1", "b0000000-0000-4000-8000-0000000000b2", "b0000000-0000-4000-8000-0000000000c3"]

    func database() throws -> (name: String, connection: Connection) {
        let (name, db) = try TestServer.freshDatabase("wmove")
        guard try ServerCapabilities(connection: db).available("timescaledb") else {
            throw XCTSkip("TimescaleDB is not installed and preloaded on this server (build 2.28.x from source, see docs/install.md)")
        }
        try db.execute("""
            CREATE EXTENSION IF NOT EXISTS timescaledb;
            DO $$ BEGIN CREATE ROLE mv_owner LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            DO $$ BEGIN CREATE ROLE mv_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            DO $$ BEGIN CREATE ROLE mv_read NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            CREATE TYPE public.reading_kind AS ENUM ('temperature', 'humidity');
            CREATE TABLE public.tenants (id uuid PRIMARY KEY, name text NOT NULL);
            ALTER TABLE public.tenants OWNER TO mv_owner;
            INSERT INTO public.tenants VALUES ('\(Self.tenants[0])', 'a'), ('\(Self.tenants[1])', 'b'), ('\(Self.tenants[2])', 'c');
            CREATE TABLE public.readings (
                tenant_id uuid NOT NULL REFERENCES public.tenants (id),
                time timestamptz NOT NULL,
                sensor text NOT NULL CHECK (sensor <> ''),
                kind public.reading_kind NOT NULL,
                value double precision NOT NULL CHECK (value > -100),
                note_id uuid NOT NULL DEFAULT gen_random_uuid(),
                PRIMARY KEY (tenant_id, sensor, time));
            ALTER TABLE public.readings OWNER TO mv_owner;
            SELECT create_hypertable('public.readings', 'time', chunk_time_interval => interval '1 day');
            INSERT INTO public.readings
            SELECT t, date_trunc('hour', now()) - d * interval '1 day' - h * interval '1 hour', 's-' || (h % 3), (ARRAY['temperature', 'humidity'])[1 + h % 2]::public.reading_kind, d * 1.5 + h
            FROM unnest(ARRAY['\(Self.tenants.joined(separator: "', '"))']::uuid[]) AS t, generate_series(0, 19) AS d, generate_series(0, 5) AS h;
            ALTER TABLE public.readings ENABLE ROW LEVEL SECURITY;
            CREATE POLICY hand_tenant ON public.readings USING (tenant_id = NULLIF(current_setting('app.current_tenant_id', true), '')::uuid);
            GRANT SELECT, INSERT, UPDATE ON public.readings TO mv_app;
            GRANT SELECT ON public.readings TO mv_read
            """)
        return (name, db)
    }

    func spec(walled: Bool, admin: Bool = false) throws -> Spec {
        try SpecLoader.load([("x.yaml", """
            tenancy: {column: tenant_id, type: uuid, setting: app.current_tenant_id, helpers: inline}
            roles: {owner: mv_owner, app: mv_app, readonly: [mv_read]\(admin ? ", admin: mv_admin" : "")}
            tables:
              - name: tenants
                isolation: self
                key: id
                columns: {id: uuid, name: {type: text, not_null: true}}
                primary_key: [id]
              - name: readings
                isolation: tenant
                columns:
                  tenant_id: uuid
                  time: {type: timestamptz, not_null: true}
                  sensor: {type: text, not_null: true}
                  kind: {type: public.reading_kind, not_null: true}
                  value: {type: double precision, not_null: true}
                  note_id: {type: uuid, not_null: true, default: gen_random_uuid()}
                primary_key: [tenant_id, sensor, time]
                hypertable:
                  time_column: time
                  chunk_interval: 1 day
            """ + (walled ? """

                  compression: {after: 7 days}
                  continuous_aggregates:
                    - name: readings_daily
                      bucket: 1 day
                      group_by: [sensor]
                      aggregates: {readings: count(*), top: max(value)}
            """ : ""))])
    }

    /// Every row, as text, in one order: read as the superuser wherever the rows live.
    func checksum(_ db: Connection) throws -> String {
        let at = try db.query("SELECT relkind::text FROM pg_class WHERE oid = to_regclass('public.readings')").scalar == "r" ? "public.readings" : "tenantwall_walled.readings"
        return try XCTUnwrap(try db.query("SELECT count(*)::text || ' ' || md5(string_agg(t::text, ',' ORDER BY tenant_id, sensor, time)) FROM \(at) AS t").scalar)
    }

    func testAnRLSHypertableMovesToTheWalledFormAndBackKeepingEveryRow() throws {
        let (name, db) = try database()
        let live = LiveDatabase(connection: db)
        let before = try checksum(db)
        XCTAssertTrue(before.hasPrefix("360 "), before)
        let plan = try live.plan(try spec(walled: true))
        XCTAssertEqual(plan.blockers, [])
        XCTAssertTrue(plan.effects.contains { $0.hasPrefix("public.readings moves to the walled form") && $0.hasSuffix("; 360 rows kept") }, "\(plan.effects)")
        try live.apply(try spec(walled: true))
        XCTAssertEqual(try db.query("SELECT relkind::text FROM pg_class WHERE oid = 'public.readings'::regclass").scalar, "v")
        XCTAssertEqual(try checksum(db), before, "every row kept by the move")
        let synced = try live.plan(try spec(walled: true))
        XCTAssertTrue(synced.isEmpty, "in sync: \(synced.differences.map(\.object))")
        XCTAssertEqual(try db.query("SELECT count(*)::text FROM pg_policy WHERE polrelid = 'tenantwall_walled.readings'::regclass").scalar, "0")
        XCTAssertEqual(try db.query("SELECT count(*)::text FROM pg_constraint WHERE conrelid = 'tenantwall_walled.readings'::regclass AND contype IN ('f', 'c')").scalar, "3",
                       "the foreign key and both CHECKs moved with it")
        // The application: its own rows through the wall; the chunks, granted SELECT before the move, closed.
        let app = try Connection(TestServer.shared.connectionString(database: name))
        try app.execute("BEGIN; SET LOCAL ROLE mv_app")
        try app.query("SELECT set_config('app.current_tenant_id', $1, true)", [Self.tenants[1]])
        XCTAssertEqual(try app.query("SELECT count(*)::text FROM public.readings").scalar, "120")
        // Through the view an INSERT gets the storage's defaults, RETURNING and ON CONFLICT work.
        let insert = "INSERT INTO public.readings (tenant_id, time, sensor, kind, value) VALUES ('\(Self.tenants[1])', now() + interval '1 day', 's-new', 'humidity', 1)"
        XCTAssertEqual(try app.query(insert + " RETURNING (note_id IS NOT NULL)::text").scalar, "true")
        XCTAssertEqual(try app.query(insert + " ON CONFLICT (tenant_id, sensor, time) DO NOTHING RETURNING 1").rows.count, 0)
        XCTAssertEqual(try app.query(insert + " ON CONFLICT (tenant_id, sensor, time) DO UPDATE SET value = 2 RETURNING value::text").scalar, "2")
        try app.execute("ROLLBACK")
        for chunk in try db.query("SELECT c::text FROM show_chunks('tenantwall_walled.readings') AS c").rows.compactMap({ $0[0] }) {
            try app.execute("BEGIN; SET LOCAL ROLE mv_read")
            XCTAssertThrowsError(try app.query("SELECT count(*) FROM \(chunk)"), chunk) { XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42501") }
            try app.execute("ROLLBACK")
        }

        XCTAssertGreaterThanOrEqual(try ChunkCompression.compressOlderChunks(db, hypertable: "tenantwall_walled.readings", olderThan: "7 days"), 10)
        XCTAssertEqual(try checksum(db), before, "every row kept by compression")

        // The spec without compression or aggregates: back to RLS, every row kept, the spec's policies on it.
        let back = try live.plan(try spec(walled: false))
        XCTAssertTrue(back.effects.contains { $0.hasPrefix("public.readings moves back from the walled form") && $0.hasSuffix("; 360 rows kept") }, "\(back.effects)")
        try live.apply(try spec(walled: false))
        XCTAssertEqual(try checksum(db), before, "every row kept by the move back")
        XCTAssertEqual(try db.query("SELECT relkind::text || relrowsecurity::text || relforcerowsecurity::text FROM pg_class WHERE oid = 'public.readings'::regclass").scalar, "rtruetrue")
        XCTAssertEqual(try db.query("SELECT string_agg(polname, ',' ORDER BY polname) FROM pg_policy WHERE polrelid = 'public.readings'::regclass").scalar,
                       "tw_tenant_insert,tw_tenant_select,tw_tenant_update")
        XCTAssertEqual(try db.query("SELECT (to_regclass('tenantwall_walled.readings') IS NULL AND to_regclass('tenantwall_walled.readings_daily') IS NULL)::text").scalar, "true")
        XCTAssertEqual(try db.query("SELECT compression_enabled::text FROM timescaledb_information.hypertables WHERE hypertable_name = 'readings'").scalar, "false")
        let syncedBack = try live.plan(try spec(walled: false))
        XCTAssertTrue(syncedBack.isEmpty, "in sync: \(syncedBack.differences.map(\.object))")
        XCTAssertTrue(try live.apply(try spec(walled: false)).isEmpty, "apply twice: nothing the second time")
    }

    func testAHandMadeViewOverTheTableBlocksTheMoveAndNothingChanges() throws {
        let (_, db) = try database()
        try db.execute("CREATE VIEW public.readings_per_sensor AS SELECT tenant_id, sensor, count(*) AS n FROM public.readings GROUP BY 1, 2")
        let before = try checksum(db)
        let live = LiveDatabase(connection: db)
        let plan = try live.plan(try spec(walled: true))
        XCTAssertTrue(plan.blockers.contains { $0.hasPrefix("view readings_per_sensor") && $0.contains("every tenant's rows") }, "\(plan.blockers)")
        XCTAssertThrowsError(try live.apply(try spec(walled: true))) { XCTAssertTrue($0 is ApplyBlocked, "\($0)") }
        XCTAssertEqual(try db.query("SELECT relkind::text || relrowsecurity::text FROM pg_class WHERE oid = 'public.readings'::regclass").scalar, "rtrue")
        XCTAssertEqual(try db.query("SELECT string_agg(polname, ',') FROM pg_policy WHERE polrelid = 'public.readings'::regclass").scalar, "hand_tenant")
        XCTAssertEqual(try db.query("SELECT to_regnamespace('tenantwall_walled') IS NULL").scalar, "t", "nothing changed")
        XCTAssertEqual(try checksum(db), before)
        // Dropped, the move goes on.
        try db.execute("DROP VIEW public.readings_per_sensor")
        try live.apply(try spec(walled: true))
        XCTAssertEqual(try checksum(db), before)
    }

    /// Rows whose tenant the tenants table does not hold (no foreign key kept them out): the admin role reaches
    /// them under RLS, and through the wall it would not. plan says so, with the count, before anything changes;
    /// with no such row it says nothing.
    func testPlanCountsTheRowsAdminModeWouldNoLongerReach() throws {
        let (_, db) = try database()
        try db.execute("DO $$ BEGIN CREATE ROLE mv_admin NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
        let live = LiveDatabase(connection: db)
        XCTAssertFalse(try live.plan(try spec(walled: true, admin: true)).effects.contains { $0.contains("rows belong to no tenant") })
        try db.execute("""
            ALTER TABLE public.readings DROP CONSTRAINT readings_tenant_id_fkey;
            INSERT INTO public.readings VALUES ('b0000000-0000-4000-8000-0000000000d4', now(), 's-0', 'humidity', 1), ('b0000000-0000-4000-8000-0000000000d4', now(), 's-1', 'humidity', 2)
            """)
        let before = try checksum(db)
        let effects = try live.plan(try spec(walled: true, admin: true)).effects
        XCTAssertTrue(effects.contains { $0.hasPrefix("public.readings: 2 rows belong to no tenant of public.tenants; mv_admin in admin mode reaches them today and will not through the wall") }, "\(effects)")
        XCTAssertEqual(try checksum(db), before, "plan changes nothing")
        XCTAssertFalse(try live.plan(try spec(walled: true)).effects.contains { $0.contains("rows belong to no tenant") }, "no admin role, nothing to say")
    }
}
