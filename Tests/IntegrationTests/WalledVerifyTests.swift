import Deploy
import Foundation
import PolicyGen
import Postgres
import Quoting
import Tenantwall
import Verification
import XCTest

/// `tenantwall verify` on the walled form of a hypertable (issue #25): the table's name is a view over a storage
/// hypertable without RLS, with compressed chunks and a continuous aggregate read through a wall view of its
/// own. On a database walled correctly every surface holds and is reported; each wall broken on purpose, one
/// at a time, fails the check that names it.
final class WalledVerifyTests: XCTestCase {
    static let tenants = ["f0000000-0000-4000-8000-0000000000a1", "f0000000-0000-4000-8000-0000000000b2", "f0000000-0000-4000-8000-0000000000c3"]
    static let columns = "tenant_id, time, namespace, pod, cost_usd"

    static let tenantsYAML = """
        tenancy: {column: tenant_id, type: uuid}
        roles: {owner: wv_owner, app: wv_app, admin: wv_admin, readonly: [wv_bi]}
        tables:
          - name: tenants
            isolation: self
            key: id
            columns: {id: uuid, name: {type: text, not_null: true}}
            primary_key: [id]
        """
    /// The spec verify judges: the tenants table and a walled hypertable with compression and an aggregate.
    static let yaml = tenantsYAML + """

          - name: pod_metrics
            schema: metrics
            isolation: tenant
            columns:
              tenant_id: uuid
              time: {type: timestamptz, not_null: true}
              namespace: {type: text, not_null: true}
              pod: {type: text, not_null: true}
              cost_usd: numeric
            primary_key: [tenant_id, pod, time]
            grants: {wv_app: [select, insert, update, delete], wv_bi: [select], wv_admin: all}
            hypertable:
              time_column: time
              chunk_interval: 1 day
              compression: {after: 7 days}
              continuous_aggregates:
                - name: namespace_daily_cost
                  bucket: 1 day
                  bucket_column: day
                  group_by: [namespace]
                  aggregates: {cost_usd: sum(cost_usd), samples: count(*)}
        """

    func spec() throws -> Spec { try SpecLoader.load([(path: "walled.yaml", text: Self.yaml)]) }

    /// The wall predicate of the design: the tenant reader, or admin mode for members of the admin role. The
    /// admin-mode reader is called directly, not as `(SELECT …)`: TimescaleDB's ChunkAppend evaluates every
    /// InitPlan at startup (runtime chunk exclusion), so a sub-select would read the admin-mode log as any role,
    /// and a role without SELECT on it gets 42501 on every read (checked on 2.28.3); inside the CASE the call
    /// runs for the admin role's members only.
    static let predicate = """
        (tenant_id = (SELECT tenantwall.current_tenant_id())
         OR CASE WHEN pg_catalog.pg_has_role(CURRENT_USER, 'wv_admin', 'USAGE') THEN tenantwall.admin_mode_enabled() ELSE false END)
        """
    static let wallView = """
        CREATE OR REPLACE VIEW metrics.pod_metrics WITH (security_barrier) AS
            SELECT \(columns) FROM tenantwall_walled.pod_metrics WHERE \(predicate) WITH CASCADED CHECK OPTION
        """
    static let aggregateView = """
        CREATE OR REPLACE VIEW metrics.namespace_daily_cost WITH (security_barrier) AS
            SELECT tenant_id, day, namespace, cost_usd, samples FROM tenantwall_walled.namespace_daily_cost WHERE \(predicate)
        """

    /// A database walled by hand, exactly as the design says (before tenantwall generates it): tenantwall applies
    /// the tenants table and its helpers; the team wrote the rest, with a foreign key to the tenants table, NOT
    /// NULL and CHECK columns, 3 tenants × 14 days × 3 pods, the chunks older than 7 days compressed and the
    /// aggregate refreshed.
    static func walledByHand() throws -> (name: String, db: Connection) {
        let (name, db) = try TestServer.freshDatabase("wv")
        guard try ServerCapabilities(connection: db).available("timescaledb") else {
            throw XCTSkip("TimescaleDB is not installed and preloaded on this server")
        }
        try LiveDatabase(connection: db).apply(try SpecLoader.load([(path: "tenants.yaml", text: Self.tenantsYAML)]))
        let ids = "ARRAY[" + Self.tenants.map { "'\($0)'::uuid" }.joined(separator: ", ") + "]"
        try db.execute("""
            CREATE EXTENSION IF NOT EXISTS timescaledb;
            ALTER ROLE wv_owner LOGIN CONNECTION LIMIT 0;  -- TimescaleDB runs jobs as the owner, which must have LOGIN
            INSERT INTO public.tenants (id, name) SELECT t, 'tenant ' || t FROM unnest(\(ids)) AS t;
            CREATE SCHEMA tenantwall_walled AUTHORIZATION wv_owner;
            REVOKE ALL ON SCHEMA tenantwall_walled FROM PUBLIC;
            CREATE SCHEMA metrics AUTHORIZATION wv_owner;
            GRANT USAGE ON SCHEMA metrics TO wv_app, wv_bi, wv_admin;
            CREATE TABLE tenantwall_walled.pod_metrics (
                tenant_id uuid NOT NULL REFERENCES public.tenants (id), time timestamptz NOT NULL, namespace text NOT NULL,
                pod text NOT NULL, cost_usd numeric CHECK (cost_usd >= 0), PRIMARY KEY (tenant_id, pod, time));
            ALTER TABLE tenantwall_walled.pod_metrics OWNER TO wv_owner;
            SELECT create_hypertable('tenantwall_walled.pod_metrics', 'time', chunk_time_interval => interval '1 day');
            INSERT INTO tenantwall_walled.pod_metrics SELECT t, now() - d * interval '1 day', 'ns-' || (p % 2), 'pod-' || p, p * (1 + n)
                FROM unnest(\(ids)) WITH ORDINALITY AS u(t, n), generate_series(0, 13) AS d, generate_series(1, 3) AS p;
            ALTER TABLE tenantwall_walled.pod_metrics SET (timescaledb.compress, timescaledb.compress_segmentby = 'tenant_id',
                                                          timescaledb.compress_orderby = 'time DESC');
            SELECT add_compression_policy('tenantwall_walled.pod_metrics', INTERVAL '7 days');
            SELECT compress_chunk(c) FROM show_chunks('tenantwall_walled.pod_metrics', older_than => interval '7 days') AS c;
            \(Self.wallView);
            ALTER VIEW metrics.pod_metrics OWNER TO wv_owner;
            GRANT SELECT, INSERT, UPDATE, DELETE ON metrics.pod_metrics TO wv_app, wv_admin;
            GRANT SELECT ON metrics.pod_metrics TO wv_bi;
            CREATE MATERIALIZED VIEW tenantwall_walled.namespace_daily_cost WITH (timescaledb.continuous, timescaledb.materialized_only = true) AS
                SELECT tenant_id, time_bucket(INTERVAL '1 day', time) AS day, namespace, sum(cost_usd) AS cost_usd, count(*) AS samples
                FROM tenantwall_walled.pod_metrics GROUP BY tenant_id, day, namespace WITH NO DATA;
            ALTER MATERIALIZED VIEW tenantwall_walled.namespace_daily_cost OWNER TO wv_owner;
            SELECT add_continuous_aggregate_policy('tenantwall_walled.namespace_daily_cost', start_offset => INTERVAL '3 days',
                                                   end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '1 hour');
            \(Self.aggregateView);
            ALTER VIEW metrics.namespace_daily_cost OWNER TO wv_owner;
            GRANT SELECT ON metrics.namespace_daily_cost TO wv_app, wv_bi, wv_admin
            """)
        try Self.refreshAggregate(db)
        return (name, db)
    }

    /// Refreshes the aggregate fully, waiting out the refresh policy's own job if it runs at that moment (55P03).
    static func refreshAggregate(_ db: Connection) throws {
        for attempt in 1... {
            do {
                try db.execute("CALL refresh_continuous_aggregate('tenantwall_walled.namespace_daily_cost', NULL, NULL)")
                return
            } catch let error as PostgresError where error.sqlState == "55P03" && attempt < 60 {
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
    }

    func compressedChunks(_ db: Connection) throws -> [String] {
        try db.query("""
            SELECT format('%I.%I', z.schema_name, z.table_name) FROM _timescaledb_catalog.chunk AS c
            JOIN _timescaledb_catalog.chunk AS z ON z.id = c.compressed_chunk_id ORDER BY z.id
            """).rows.compactMap { $0[0] }
    }

    func materialization(_ db: Connection) throws -> String {
        try XCTUnwrap(try db.query("""
            SELECT format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name)
            FROM timescaledb_information.continuous_aggregates WHERE view_name = 'namespace_daily_cost'
            """).scalar)
    }

    static let writers = ["wv_app", "wv_admin"], readers = ["wv_app", "wv_bi", "wv_admin"], contexts = ["none", "empty", "malformed"]

    func failures(_ report: VerifyReport) -> [String] { report.unproven.map { "\($0.id) \($0.table) \($0.role): \($0.actual)" } }

    func testVerifyTriesEverySurfaceOfAWalledHypertable() throws {
        let (name, db) = try Self.walledByHand()
        let compressed = try compressedChunks(db), materialization = try materialization(db)
        XCTAssertGreaterThanOrEqual(compressed.count, 6)
        let fingerprint = "SELECT count(*)::text || md5(string_agg(t::text, ',' ORDER BY t::text)) FROM tenantwall_walled.pod_metrics AS t"
        let before = try db.query(fingerprint).scalar
        let report = try Verifier(spec: try spec(), conninfo: TestServer.shared.connectionString(database: name)).run()
        XCTAssertEqual(failures(report), [])
        XCTAssertEqual(try db.query(fingerprint).scalar, before, "verify changed no row of the storage")
        XCTAssertEqual(Set(report.checks.map(\.id)).subtracting(VerifyChecks.ids), [], "every check a run reports is in the registry")
        let counts = Dictionary(grouping: report.checks, by: \.id).mapValues(\.count)
        let roles = 3, table = "metrics.pod_metrics", aggregate = "metrics.namespace_daily_cost"
        XCTAssertEqual(counts["wall-view"], 1)
        XCTAssertFalse(report.checks.contains { $0.id == "rls-enabled-forced" && $0.table == table }, "a view carries no RLS: wall-view judges it")
        XCTAssertEqual(counts["storage-hidden"], roles * 4)
        XCTAssertEqual(counts["aggregate-wall-view"], 1)
        XCTAssertEqual(counts["aggregate-hidden"], roles)
        XCTAssertEqual(counts["aggregate-no-context"], roles)
        XCTAssertEqual(counts["aggregate-own-rows"], roles * 3, "every role, as each of the 3 tenants")
        let materialized = report.checks.filter { $0.id == "aggregate-materialization-hidden" }
        XCTAssertTrue(materialized.contains { $0.title.hasPrefix(materialization + " ") }, "the materialization hypertable by name")
        XCTAssertGreaterThan(Set(materialized.map(\.title)).count, 1, "and its chunks")
        // Every chunk and every compressed chunk, by name, all four commands, as every acting role.
        let childReads = Set(report.checks.filter { $0.id == "partition-read" }.map { $0.title })
        for chunk in compressed { XCTAssertTrue(childReads.contains { $0.hasPrefix("naming \(chunk) ") }, "compressed chunk \(chunk) tried") }
        XCTAssertGreaterThanOrEqual(childReads.count, 14 + compressed.count)
        for id in ["partition-write", "partition-update", "partition-delete"] { XCTAssertEqual(counts[id], counts["partition-read"]) }
        // The per-table probes ran through the view; a cross-tenant write is refused by its check option.
        let insert = try XCTUnwrap(report.checks.first { $0.id == "insert-other-tenant" && $0.table == table && $0.role == "wv_app" })
        XCTAssertTrue(insert.actual.contains("44000"), insert.actual)
        XCTAssertTrue(insert.sql.contains("INSERT INTO \"metrics\".\"pod_metrics\""), insert.sql)
        for id in ["select-own-rows", "update-move-row", "upsert-other-tenant", "select-none-context", "insert-none-context", "admin-mode-sees-all", "copy-own-rows"] {
            XCTAssertTrue(report.checks.contains { $0.id == id && $0.table == table }, "\(id) ran on \(table)")
        }
        XCTAssertTrue(report.checks.contains { $0.id == "aggregate-own-rows" && $0.table == aggregate })
    }

    /// Each wall broken on purpose, one at a time (and mended before the next): verify fails exactly where it
    /// broke, naming the surface.
    func testEachBrokenWallFailsVerify() throws {
        let (name, db) = try Self.walledByHand()
        let spec = try spec(), conninfo = try TestServer.shared.connectionString(database: name)
        let compressed = try XCTUnwrap(try compressedChunks(db).first), materialization = try materialization(db)
        // Without its WHERE the view shows and takes every tenant's rows: every read and write probe fails.
        let writes = ["delete-other-tenant", "insert-other-tenant", "update-move-row", "update-other-tenant", "upsert-other-tenant"]
            + Self.contexts.map { "insert-\($0)-context" }
        let reads = ["select-own-rows", "copy-own-rows"] + Self.contexts.map { "select-\($0)-context" }
        var unfiltered: Set<String> = ["wall-view -", "admin-forged-token-app wv_app"]
        for role in Self.writers { for id in writes { unfiltered.insert("\(id) \(role)") } }
        for role in Self.readers { for id in reads { unfiltered.insert("\(id) \(role)") } }
        // Without its check option it still shows one tenant's rows but takes any tenant's row written through it.
        var unchecked: Set<String> = ["wall-view -"]
        for role in Self.writers {
            for id in ["insert-other-tenant", "update-move-row", "upsert-other-tenant"] + Self.contexts.map({ "insert-\($0)-context" }) { unchecked.insert("\(id) \(role)") }
        }
        let breaks: [(what: String, broken: String, mended: String, expected: Set<String>)] = [
            ("the storage granted", "GRANT SELECT ON tenantwall_walled.pod_metrics TO wv_app", "REVOKE SELECT ON tenantwall_walled.pod_metrics FROM wv_app",
             ["storage-hidden wv_app", "partition-read wv_app"]),  // TimescaleDB copies a hypertable's grant to its chunks
            ("a compressed chunk granted", "GRANT SELECT ON \(compressed) TO wv_app", "REVOKE SELECT ON \(compressed) FROM wv_app",
             ["partition-read wv_app"]),
            ("the wall view without its WHERE", Self.wallView.replacingOccurrences(of: " WHERE \(Self.predicate)", with: ""), Self.wallView,
             unfiltered),
            ("the wall view without CHECK OPTION", "ALTER VIEW metrics.pod_metrics RESET (check_option)", "ALTER VIEW metrics.pod_metrics SET (check_option = cascaded)",
             unchecked),
            ("the wall view without security_barrier", "ALTER VIEW metrics.pod_metrics RESET (security_barrier)", "ALTER VIEW metrics.pod_metrics SET (security_barrier)",
             ["wall-view -"]),
            ("a view of the storage's own, granted", "CREATE VIEW public.all_pod_metrics AS SELECT * FROM tenantwall_walled.pod_metrics; GRANT SELECT ON public.all_pod_metrics TO wv_bi",
             "DROP VIEW public.all_pod_metrics", ["view-without-context wv_bi"]),
            ("the aggregate granted", "GRANT SELECT ON tenantwall_walled.namespace_daily_cost TO wv_bi",
             "REVOKE SELECT ON tenantwall_walled.namespace_daily_cost FROM wv_bi",
             // TimescaleDB passes the grant on to the materialization and to the aggregate's _direct_view and
             // _partial_view, which read the storage: views over it the role can read, every tenant's rows without a context.
             ["aggregate-hidden wv_bi", "aggregate-materialization-hidden wv_bi", "view-without-context wv_bi"]),
            ("the materialization granted", "GRANT SELECT ON \(materialization) TO wv_bi", "REVOKE SELECT ON \(materialization) FROM wv_bi",
             ["aggregate-materialization-hidden wv_bi"]),
            ("the aggregate's wall view without its filter", Self.aggregateView.replacingOccurrences(of: " WHERE \(Self.predicate)", with: ""), Self.aggregateView,
             ["aggregate-wall-view -", "aggregate-own-rows wv_app", "aggregate-own-rows wv_bi", "aggregate-own-rows wv_admin",
              "aggregate-no-context wv_app", "aggregate-no-context wv_bi", "aggregate-no-context wv_admin"]),
        ]
        for (what, broken, mended, expected) in breaks {
            try db.execute(broken)
            let report = try Verifier(spec: spec, conninfo: conninfo).run()
            let failed = Set(report.failed.map { "\($0.id) \($0.role)" })
            XCTAssertEqual(failed.sorted(), expected.sorted(), what)
            XCTAssertEqual(report.notProbed.map(\.actual), [], what)
            try db.execute(mended)
        }
        XCTAssertEqual(failures(try Verifier(spec: spec, conninfo: conninfo).run()), [], "every wall mended")
    }
}
