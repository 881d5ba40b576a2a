import Deploy
import PolicyGen
import Postgres
import Tenantwall
import Verification
import XCTest

/// The walled form as tenantwall generates it (`LiveDatabase.apply`), with a rollup over the walled table: verify
/// holds on it, with compressed chunks, a refreshed aggregate and a refreshed rollup; the rollup's walled view
/// and the table's wall view, each broken, fail.
extension WalledVerifyTests {
    /// A rollup's refresh runs as the owner: it must read every tenant's rows (`owner_access: all`).
    static let rollupYAML = yaml.replacingOccurrences(of: "readonly: [wv_bi]}", with: "readonly: [wv_bi], owner_access: all}") + """

        rollups:
          - name: pod_daily_cost
            schema: metrics
            source: metrics.pod_metrics
            group_by: {day: "date_trunc('day', time)", pod: pod}
            aggregates: {cost: sum(cost_usd), samples: count(*)}
        """

    /// The spec applied to a fresh database with 3 tenants × 14 days × 3 pods in the storage, the chunks older than
    /// 7 days compressed, the aggregate and the rollups refreshed.
    func generated(_ yaml: String) throws -> (name: String, db: Connection, spec: Spec) {
        let (name, db) = try TestServer.freshDatabase("wv")
        guard try ServerCapabilities(connection: db).available("timescaledb") else {
            throw XCTSkip("TimescaleDB is not installed and preloaded on this server")
        }
        let spec = try SpecLoader.load([(path: "walled.yaml", text: yaml)])
        try LiveDatabase(connection: db).apply(spec)
        let ids = "ARRAY[" + Self.tenants.map { "'\($0)'::uuid" }.joined(separator: ", ") + "]"
        try db.execute("""
            INSERT INTO public.tenants (id, name) SELECT t, 'tenant ' || t FROM unnest(\(ids)) AS t;
            INSERT INTO tenantwall_walled.pod_metrics SELECT t, now() - d * interval '1 day', 'ns-' || (p % 2), 'pod-' || p, p * (1 + n)
                FROM unnest(\(ids)) WITH ORDINALITY AS u(t, n), generate_series(0, 13) AS d, generate_series(1, 3) AS p;
            SET ROLE wv_owner; SELECT tenantwall.refresh_rollups(); RESET ROLE
            """)
        try ChunkCompression.compressOlderChunks(db, hypertable: "tenantwall_walled.pod_metrics", olderThan: "7 days")
        try Self.refreshAggregate(db)
        XCTAssertGreaterThanOrEqual(try compressedChunks(db).count, 6)
        return (name, db, spec)
    }

    /// `missing_context: error`: through the wall view, a read or write without a context fails loudly (TW001) for
    /// every role but the admin, as the policies of an RLS table do; verify expects exactly that.
    func testVerifyHoldsOnTheGeneratedWalledFormWithMissingContextError() throws {
        let (name, _, spec) = try generated(Self.rollupYAML.replacingOccurrences(of: "type: uuid}", with: "type: uuid, missing_context: error}"))
        XCTAssertEqual(spec.tenancy.missingContext, .error)
        let report = try Verifier(spec: spec, conninfo: TestServer.shared.connectionString(database: name)).run()
        XCTAssertEqual(failures(report), [])
        let loud = report.checks.filter { $0.table == "metrics.pod_metrics" && $0.id == "select-none-context" && $0.role == "wv_app" }
        XCTAssertEqual(loud.map(\.actual).first?.hasPrefix("TW001"), true, "\(loud.map(\.actual))")
    }

    func testVerifyHoldsOnTheGeneratedWalledFormAndARollupOverIt() throws {
        let (name, db, spec) = try generated(Self.rollupYAML)
        let conninfo = try TestServer.shared.connectionString(database: name)
        let report = try Verifier(spec: spec, conninfo: conninfo).run()
        XCTAssertEqual(failures(report), [])
        let counts = Dictionary(grouping: report.checks, by: \.id).mapValues(\.count)
        XCTAssertEqual(counts["wall-view"], 1)
        XCTAssertEqual(counts["storage-hidden"], 12)
        XCTAssertEqual(counts["aggregate-own-rows"], 9)
        XCTAssertEqual(counts["rollup-own-rows"], 9)
        XCTAssertEqual(counts["rollup-hidden"], 3)
        XCTAssertGreaterThan(counts["aggregate-materialization-hidden"] ?? 0, 3)
        let insert = try XCTUnwrap(report.checks.first { $0.id == "insert-other-tenant" && $0.role == "wv_app" })
        XCTAssertTrue(insert.actual.contains("44000"), insert.actual)

        // The rollup's walled view without its WHERE (as DerivedDataTests does for a plain source), and the table's
        // wall view without its check option: each fails where it broke.
        try db.execute("""
            CREATE OR REPLACE VIEW metrics.pod_daily_cost WITH (security_barrier) AS
                SELECT * FROM tenantwall_rollups.pod_daily_cost;
            ALTER VIEW metrics.pod_metrics RESET (check_option)
            """)
        let broken = try Verifier(spec: spec, conninfo: conninfo).run()
        let failed = Set(broken.failed.map { "\($0.id) \($0.role)" })
        for expected in ["rollup-own-rows wv_app", "rollup-own-rows wv_bi", "rollup-no-context wv_app", "wall-view -", "insert-other-tenant wv_app"] {
            XCTAssertTrue(failed.contains(expected), "\(expected) among \(failed.sorted())")
        }
        XCTAssertFalse(failed.contains { $0.hasPrefix("aggregate-") || $0.hasPrefix("storage-") }, "\(failed.sorted())")
    }
}
