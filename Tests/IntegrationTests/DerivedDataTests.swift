import Audit
import Deploy
import PolicyGen
import Postgres
import Quoting
import Tenantwall
import Verification
import XCTest

/// Derived data that stays walled: rollups (materialized views, which PostgreSQL never filters by RLS) live in
/// a private schema and are read through a walled view; each access role reads its own tenant's rows there and
/// nothing else, while the owner's refresh sees every tenant's rows of a FORCE-RLS source.
final class DerivedDataTests: XCTestCase {
    static let tenants = ["d0000000-0000-4000-8000-0000000000a1", "d0000000-0000-4000-8000-0000000000b2", "d0000000-0000-4000-8000-0000000000c3"]
    let roles = ["dd_app", "dd_bi", "dd_admin"]

    static let yaml = """
        tenancy: {column: tenant_id, type: uuid}
        roles: {owner: dd_owner, app: dd_app, admin: dd_admin, readonly: [dd_bi], owner_access: all}
        tables:
          - name: tenants
            schema: raw
            isolation: self
            key: id
            columns: {id: uuid, name: {type: text, not_null: true}}
            primary_key: [id]
          - name: events
            schema: raw
            isolation: tenant
            columns:
              tenant_id: uuid
              id: {type: bigint, default: identity}
              occurred_at: {type: timestamptz, not_null: true}
              kind: {type: text, not_null: true}
              amount: numeric
            primary_key: [tenant_id, id, occurred_at]
            grants: {dd_app: [select, insert], dd_bi: [select], dd_admin: all}
            partitioning: {column: occurred_at, interval: 1 month, premake: 2}
        rollups:
          - name: daily_summary
            schema: analytics
            source: raw.events
            group_by:
              day: "(occurred_at AT TIME ZONE 'UTC')::date"
              kind: kind
            aggregates:
              events: count(*)
              revenue: sum(amount)
        """

    func spec(_ text: String = yaml) throws -> Spec { try SpecLoader.load([(path: "derived.yaml", text: text)]) }

    /// 3 tenants × 20 days × 3 kinds, a different number of events per tenant, written as the superuser.
    func load(_ db: Connection) throws {
        for (i, tenant) in Self.tenants.enumerated() {
            try db.execute("""
                INSERT INTO raw.events (tenant_id, occurred_at, kind, amount)
                SELECT '\(tenant)', date_trunc('day', now()) - d * interval '1 day' + interval '1 hour', (ARRAY['view', 'click', 'buy'])[1 + n % 3], n
                FROM generate_series(0, 19) AS d, generate_series(1, \(3 * (i + 1))) AS n
                """)
        }
    }

    /// The superuser's own rollup over the source: what the owner's refresh must produce, row for row.
    let expected = """
        SELECT string_agg(format('%s %s %s %s %s', tenant_id, day, kind, events, revenue), E'\\n' ORDER BY tenant_id, day, kind)
        FROM (SELECT tenant_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, kind, count(*) AS events, sum(amount) AS revenue
              FROM raw.events GROUP BY 1, 2, 3) AS s
        """

    /// A connection acting as `role`, in a transaction the caller rolls back, with `tenant`'s context if any.
    func session(_ database: String, _ role: String, tenant: String? = tenants[0]) throws -> Connection {
        let connection = try Connection(TestServer.shared.connectionString(database: database))
        try connection.execute("BEGIN; SET LOCAL ROLE \(SQL.ident(role))")
        if let tenant { try connection.query("SELECT set_config('app.current_tenant_id', $1, true)", [tenant]) }
        return connection
    }

    func testRollupIsReadOnlyThroughItsWallAndTheOwnersRefreshSeesEveryTenant() throws {
        let (name, db) = try TestServer.freshDatabase("dd")
        let spec = try spec()
        try LiveDatabase(connection: db).apply(spec)
        XCTAssertEqual(try db.query("SELECT relforcerowsecurity::text FROM pg_class WHERE oid = 'raw.events'::regclass").scalar, "true")
        try load(db)
        // The admin role refreshes (EXECUTE, not rows); the refresh runs as the owner, bound by FORCE RLS.
        let admin = try session(name, "dd_admin", tenant: nil)
        try admin.execute("SELECT tenantwall.refresh_rollups()")
        try admin.execute("COMMIT")
        let all = try XCTUnwrap(try db.query(expected).scalar)
        let full = """
            SELECT string_agg(format('%s %s %s %s %s', tenant_id, day, kind, events, revenue), E'\\n' ORDER BY tenant_id, day, kind)
            FROM tenantwall_rollups.daily_summary
            """
        XCTAssertEqual(try db.query(full).scalar, all, "the refresh as the owner produced every tenant's rows")
        XCTAssertEqual(try db.query("SELECT count(DISTINCT tenant_id)::text FROM tenantwall_rollups.daily_summary").scalar, "3")

        // Through the walled view each role reads exactly its tenant's rows of the full result.
        for role in roles {
            for tenant in Self.tenants {
                let s = try session(name, role, tenant: tenant)
                let own = try s.query(full.replacingOccurrences(of: "tenantwall_rollups.daily_summary", with: "analytics.daily_summary")).scalar
                let want = all.split(separator: "\n").filter { $0.hasPrefix(tenant) }.joined(separator: "\n")
                XCTAssertEqual(own, want, "\(role) as \(tenant)")
                try s.execute("ROLLBACK")
            }
            // No context, no rows; a context naming no tenant, no rows.
            let none = try session(name, role, tenant: nil)
            XCTAssertEqual(try none.query("SELECT count(*)::text FROM analytics.daily_summary").scalar, "0", role)
            try none.execute("ROLLBACK")
            // The materialized view, its schema and the refresh are closed to every access role.
            for sql in ["SELECT count(*) FROM tenantwall_rollups.daily_summary", "TABLE tenantwall_rollups.daily_summary",
                        "REFRESH MATERIALIZED VIEW tenantwall_rollups.daily_summary", "INSERT INTO analytics.daily_summary (tenant_id) VALUES ('\(Self.tenants[1])')",
                        "DELETE FROM analytics.daily_summary"] + (role == "dd_admin" ? [] : ["SELECT tenantwall.refresh_rollups()"]) {
                let s = try session(name, role)
                defer { _ = try? s.execute("ROLLBACK") }
                XCTAssertThrowsError(try s.query(sql), "\(role): \(sql)") { error in
                    // A write through the view is refused before privileges are checked: an aggregate is not updatable.
                    let expected = sql.hasPrefix("INSERT") || sql.hasPrefix("DELETE") ? "55000" : "42501"
                    XCTAssertEqual((error as? PostgresError)?.sqlState, expected, "\(role): \(sql): \(error)")
                }
            }
        }
        // A leaky function of the caller's own in the query sees only rows that passed the wall (security_barrier).
        try db.execute("""
            CREATE FUNCTION public.leak(text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS $$ BEGIN RAISE NOTICE 'saw %', $1; RETURN true; END $$;
            GRANT EXECUTE ON FUNCTION public.leak(text) TO PUBLIC
            """)
        let app = try session(name, "dd_app")
        XCTAssertEqual(try app.query("SELECT count(DISTINCT tenant_id)::text FROM analytics.daily_summary WHERE public.leak(tenant_id::text)").scalar, "1")
        XCTAssertTrue(app.notices.allSatisfy { $0.contains(Self.tenants[0]) }, "the function saw another tenant's row: \(app.notices.filter { !$0.contains(Self.tenants[0]) }.prefix(2))")
        XCTAssertFalse(app.notices.isEmpty)
        try app.execute("ROLLBACK")
        XCTAssertEqual(try db.query("SELECT reloptions::text FROM pg_class WHERE oid = 'analytics.daily_summary'::regclass").scalar, "{security_barrier=true}")

        // New events are in the rollup after the next refresh, concurrently this time (the unique index).
        try db.execute("INSERT INTO raw.events (tenant_id, occurred_at, kind, amount) VALUES ('\(Self.tenants[0])', now(), 'refund', 7)")
        try db.execute("SET ROLE dd_owner; SELECT tenantwall.refresh_rollups(); RESET ROLE")
        XCTAssertEqual(try db.query(full).scalar, try db.query(expected).scalar)

        // Applied again: nothing to do.
        let again = try LiveDatabase(connection: db).plan(spec)
        XCTAssertTrue(again.isEmpty, again.differences.map(\.object).joined(separator: ", "))
    }

    /// A changed rollup is a difference for plan; apply makes it again (and its wall), filled, with the new column.
    func testChangedRollupIsPlannedAndMadeAgain() throws {
        let (name, db) = try TestServer.freshDatabase("dd")
        try LiveDatabase(connection: db).apply(try spec())
        try load(db)
        let changed = try spec(Self.yaml + "\n      biggest: max(amount)\n")
        let plan = try LiveDatabase(connection: db).plan(changed)
        XCTAssertTrue(plan.differences.map(\.object).contains("rollup analytics.daily_summary"), "\(plan.differences.map(\.object))")
        try LiveDatabase(connection: db).apply(changed)
        XCTAssertTrue(try LiveDatabase(connection: db).plan(changed).isEmpty)
        let s = try session(name, "dd_bi")
        XCTAssertEqual(try s.query("SELECT max(biggest)::text FROM analytics.daily_summary").scalar, "3", "tenant A's largest amount")
        try s.execute("ROLLBACK")
        XCTAssertEqual(try db.query("SELECT reloptions::text FROM pg_class WHERE oid = 'analytics.daily_summary'::regclass").scalar, "{security_barrier=true}")
    }

    /// verify tries every rollup surface as every access role; a walled view that lost its WHERE, and a
    /// materialized view granted to a role, each fail where they should.
    func testVerifyTriesEveryRollupSurfaceAndCatchesABrokenWall() throws {
        let (name, db) = try TestServer.freshDatabase("dd")
        let spec = try spec()
        try LiveDatabase(connection: db).apply(spec)
        try load(db)
        try db.execute("SET ROLE dd_owner; SELECT tenantwall.refresh_rollups(); RESET ROLE")
        let conninfo = try TestServer.shared.connectionString(database: name)
        let clean = try Verifier(spec: spec, conninfo: conninfo).run()
        XCTAssertEqual((clean.failed + clean.notProbed).map { "\($0.table) \($0.id) \($0.role): \($0.actual)" }, [])
        let counts = Dictionary(grouping: clean.checks.filter { $0.id.hasPrefix("rollup-") }, by: \.id).mapValues(\.count)
        XCTAssertEqual(counts, ["rollup-hidden": 3, "rollup-no-context": 3, "rollup-own-rows": 9, "rollup-refresh-restricted": 3])

        // The wall broken on purpose: the same view without its WHERE.
        try db.execute("""
            CREATE OR REPLACE VIEW analytics.daily_summary WITH (security_barrier) AS
                SELECT tenant_id, day, kind, events, revenue FROM tenantwall_rollups.daily_summary;
            GRANT USAGE ON SCHEMA tenantwall_rollups TO dd_bi; GRANT SELECT ON tenantwall_rollups.daily_summary TO dd_bi;
            GRANT EXECUTE ON FUNCTION tenantwall.refresh_rollups() TO dd_app
            """)
        let broken = try Verifier(spec: spec, conninfo: conninfo).run()
        let failed = Set(broken.failed.map { "\($0.id) \($0.role)" })
        XCTAssertEqual(failed, ["rollup-own-rows dd_app", "rollup-own-rows dd_bi", "rollup-own-rows dd_admin",
                                "rollup-no-context dd_app", "rollup-no-context dd_bi", "rollup-no-context dd_admin",
                                "rollup-hidden dd_bi", "rollup-refresh-restricted dd_app",
                                "view-without-context dd_bi"], "the table's own view check sees the materialized view granted too")
        // And plan sees the broken wall as a difference, which apply repairs.
        XCTAssertTrue(try LiveDatabase(connection: db).plan(spec).differences.map(\.object).contains("rollup analytics.daily_summary"))
    }

    /// TW115's fix, run as written: a hand-made materialized view that the application read whole becomes the
    /// walled form (moved to the private schema, a security_barrier view in its place), each tenant then reads
    /// its own rows under the same name, and the audit no longer reports it; the spec's own rollup never was.
    func testTheMaterializedViewFixWallsAHandMadeOne() throws {
        let (name, db) = try TestServer.freshDatabase("dd")
        let spec = try spec()
        try LiveDatabase(connection: db).apply(spec)
        try load(db)
        try db.execute("""
            CREATE MATERIALIZED VIEW analytics.kinds AS SELECT tenant_id, kind, count(*) AS n FROM raw.events GROUP BY 1, 2;
            ALTER MATERIALIZED VIEW analytics.kinds OWNER TO dd_owner;
            GRANT SELECT ON analytics.kinds TO dd_app, dd_bi
            """)
        func tw115() throws -> [Finding] {
            let catalog = try AuditCatalogReader.read(db)
            return Auditor.run(AuditInput(catalog: catalog, spec: spec)).filter { $0.ruleId == "TW115" }
        }
        let found = try tw115()
        XCTAssertEqual(found.map(\.location.description), ["view analytics.kinds"], "the rollup's own materialized view is no finding")
        let before = try session(name, "dd_app")
        XCTAssertEqual(try before.query("SELECT count(DISTINCT tenant_id)::text FROM analytics.kinds").scalar, "3", "the leak")
        try before.execute("ROLLBACK")
        try db.execute(try XCTUnwrap(found.first?.fix))
        for role in ["dd_app", "dd_bi"] {
            for tenant in Self.tenants {
                let s = try session(name, role, tenant: tenant)
                XCTAssertEqual(try s.query("SELECT string_agg(DISTINCT tenant_id::text, ',') || ' ' || count(*) FROM analytics.kinds").scalar, "\(tenant) 3", role)
                XCTAssertThrowsError(try s.query("SELECT count(*) FROM tenantwall_rollups.kinds"), role)
                try s.execute("ROLLBACK")
            }
        }
        XCTAssertEqual(try tw115().count, 0)
    }

    /// A rollup over an RLS hypertable (the k8s example's pod metrics, with owner_access: all): the owner's
    /// refresh reads every tenant's chunks through the hypertable, each tenant reads its own daily cost per
    /// namespace through the wall, and verify agrees.
    func testRollupOverAHypertable() throws {
        let (name, db) = try TestServer.freshDatabase("dd")
        guard try ServerCapabilities(connection: db).available("timescaledb") else {
            throw XCTSkip("TimescaleDB is not installed and preloaded on this server")
        }
        let dir = TestServer.path("policies/k8s-cost-monitor")
        let tenancy = try String(contentsOfFile: dir + "/tenancy.yaml", encoding: .utf8)
            .replacingOccurrences(of: "  readonly: [k8s_reporting]", with: "  readonly: [k8s_reporting]\n  owner_access: all")
        let rollup = """
            rollups:
              - name: namespace_daily_cost
                source: public.pod_metrics
                group_by: {day: "time_bucket(interval '1 day', time)", namespace: namespace}
                aggregates: {cost: sum(cost_usd), samples: count(*)}
            """
        // pod_metrics in the RLS form: its continuous aggregate has the rollup's name.
        let spec = try SpecLoader.load([("tenancy.yaml", tenancy), ("tables.yaml", try String(contentsOfFile: dir + "/tables.yaml", encoding: .utf8)), ("rollups.yaml", rollup)].map { file in
            file.0 == "tables.yaml" ? (file.0, file.1.replacingOccurrences(of: #"(?s)      # Compression and a continuous aggregate.*?every: 1 hour\}\n"#, with: "", options: .regularExpression)) : file
        })
        try LiveDatabase(connection: db).apply(spec)
        try db.execute("""
            INSERT INTO public.pod_metrics (tenant_id, time, cluster_id, namespace, pod, cpu_millicores, memory_bytes, cost_usd)
            SELECT t, now() - d * interval '1 day', '00000000-0000-4000-8000-0000000000cc', 'ns-' || (h % 2), 'pod-' || h, 100, 1000, h
            FROM unnest(ARRAY['\(Self.tenants[0])', '\(Self.tenants[1])']::uuid[]) AS t, generate_series(0, 9) AS d, generate_series(1, 3) AS h
            """)
        try db.execute("SET ROLE k8s_admin; SELECT tenantwall.refresh_rollups(); RESET ROLE")
        let want = try XCTUnwrap(try db.query("""
            SELECT string_agg(day::text || ' ' || namespace || ' ' || cost, ',' ORDER BY day, namespace) FROM (
                SELECT time_bucket(interval '1 day', time) AS day, namespace, sum(cost_usd) AS cost FROM public.pod_metrics
                WHERE tenant_id = '\(Self.tenants[0])' GROUP BY 1, 2) AS s
            """).scalar)
        for role in ["k8s_app", "k8s_reporting", "k8s_admin"] {
            let s = try session(name, role)
            XCTAssertEqual(try s.query("SELECT string_agg(day::text || ' ' || namespace || ' ' || cost, ',' ORDER BY day, namespace) FROM public.namespace_daily_cost").scalar, want, role)
            try s.execute("ROLLBACK")
        }
        let report = try Verifier(spec: spec, conninfo: TestServer.shared.connectionString(database: name)).run()
        XCTAssertEqual((report.failed + report.notProbed).map { "\($0.table) \($0.id) \($0.role): \($0.actual)" }, [])
        XCTAssertEqual(report.checks.filter { $0.id == "rollup-own-rows" }.count, 6, "2 tenants × 3 roles")
    }

    /// plan on a database that has its own materialized view over a tenant table: it says who still reads every
    /// tenant through it, and which rollup replaces it; a rollup declared under its name is a blocker (its walled
    /// view takes the name), and apply refuses, changing nothing.
    func testPlanReportsAnExistingMaterializedViewWithTheRollupThatReplacesIt() throws {
        let (_, db) = try TestServer.freshDatabase("dd")
        try LiveDatabase(connection: db).apply(try spec())
        try load(db)
        try db.execute("""
            CREATE MATERIALIZED VIEW analytics.kinds AS SELECT tenant_id, kind, count(*) AS n FROM raw.events GROUP BY 1, 2;
            GRANT SELECT ON analytics.kinds TO dd_bi
            """)
        let plan = try LiveDatabase(connection: db).plan(try spec())
        XCTAssertEqual(plan.effects.filter { $0.hasPrefix("materialized view analytics.kinds") }.count, 1, plan.effects.joined(separator: "\n"))
        XCTAssertTrue(plan.effects.contains { $0.contains("dd_bi still read every tenant's rows through it") && $0.contains("name: kinds, schema: analytics, source: raw.events") },
                      plan.effects.joined(separator: "\n"))
        XCTAssertEqual(plan.blockers, [])
        let replacing = try spec(Self.yaml + """

              - name: kinds
                schema: analytics
                source: raw.events
                group_by: [kind]
                aggregates: {n: count(*)}
            """)
        let blocked = try LiveDatabase(connection: db).plan(replacing)
        XCTAssertEqual(blocked.blockers.count, 1)
        XCTAssertTrue(blocked.blockers[0].hasPrefix("materialized view analytics.kinds (owner "), blocked.blockers[0])
        XCTAssertThrowsError(try LiveDatabase(connection: db).apply(replacing)) { XCTAssertTrue($0 is ApplyBlocked, "\($0)") }
        XCTAssertEqual(try db.query("SELECT relkind::text FROM pg_class WHERE oid = 'analytics.kinds'::regclass").scalar, "m", "nothing changed")
        // Dropped by hand, the rollup takes its place.
        try db.execute("DROP MATERIALIZED VIEW analytics.kinds")
        try LiveDatabase(connection: db).apply(replacing)
        XCTAssertEqual(try db.query("SELECT relkind::text FROM pg_class WHERE oid = 'analytics.kinds'::regclass").scalar, "v")
    }
}
