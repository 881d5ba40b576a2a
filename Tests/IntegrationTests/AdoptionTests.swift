import Deploy
import Foundation
import PolicyGen
import Postgres
import Tenantwall
import Verification
import XCTest

/// Taking over a database tenantwall did not create (issue #23), on the two hand-built fixtures of
/// Tests/Fixtures/adopt: nothing lost, no job or refresh broken in silence, no index built twice or under lock.
final class AdoptionTests: XCTestCase {
    func tenantwall(_ arguments: [String]) throws -> TenantwallProcess.Run { try TenantwallProcess.run(arguments) }

    /// A fresh database holding one of the fixtures, with its data.
    func fixture(_ name: String) throws -> (Connection, String) {
        let (database, db) = try TestServer.freshDatabase("adopt")
        try db.execute(String(contentsOfFile: TestServer.path("Tests/Fixtures/adopt/\(name).sql"), encoding: .utf8))
        return (db, TestServer.shared.connectionString(database: database))
    }

    func spec(_ name: String) throws -> Spec { try SpecFiles.load([TestServer.path("Tests/Fixtures/adopt/specs/" + name)]) }

    /// Every row of every table, as one checksum per table.
    func checksums(_ db: Connection, _ tables: [String]) throws -> [String] {
        try tables.map { try db.query("SELECT count(*) || ' ' || md5(COALESCE(string_agg(t::text, ',' ORDER BY t::text), '')) FROM \($0) AS t").scalar ?? "" }
    }

    func testTheAnalyticsPlatformIsTakenOverWithoutLosingARowOrAJob() throws {
        let (db, url) = try fixture("analytics-platform")
        let tables = ["raw.tenants", "raw.users", "raw.events", "analytics.tenant_daily_summary"]
        let before = try checksums(db, tables)

        // init writes the spec, with no question on this database.
        let specPath = FileManager.default.temporaryDirectory.appendingPathComponent("tw-adopt-spec-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: specPath) }
        let initRun = try tenantwall(["init", "--database", url, "--out", specPath])
        XCTAssertEqual(initRun.status, 0, initRun.stderr)
        XCTAssertTrue(initRun.stderr.contains("no questions"), initRun.stderr)
        let adopted = try SpecFiles.load([specPath])

        // plan: the hardening, nothing destructive, and what changes for each role and for the old setter.
        let plan = try LiveDatabase(connection: db).plan(adopted)
        XCTAssertEqual(plan.blockers, [])
        for statement in (plan.statements + plan.indexStatements).map({ $0.sql.uppercased() }) {
            let destructive = ["DROP TABLE", "TRUNCATE", "DELETE FROM", "UPDATE ", "DROP INDEX", "DROP SCHEMA"].contains { statement.hasPrefix($0) }
                || statement.hasPrefix("ALTER TABLE") && (statement.contains(" DROP COLUMN") || statement.contains(" ALTER COLUMN"))
            XCTAssertFalse(destructive, "destructive statement in the plan:\n\(statement)")
        }
        XCTAssertEqual(plan.indexStatements.count, 0, "the hand-made (tenant_id, partition_date) index is reused: \(plan.indexStatements.map(\.sql))")
        XCTAssertTrue(plan.effects.contains { $0.hasPrefix("analytics_app on raw.tenants: SELECT, INSERT: every row (RLS off) -> rows where ((id = tenantwall.current_tenant_id()))") }, plan.effects.joined(separator: "\n"))
        XCTAssertTrue(plan.effects.contains { $0.hasPrefix("set_tenant_context(uuid) sets app.current_tenant_id for the whole session: replaced (legacy_functions)") }, plan.effects.joined(separator: "\n"))
        XCTAssertTrue(plan.differences.contains { $0.object == "time series raw.events" && ($0.desired ?? "").contains("events_2026_12 rls=t force=t") },
                      "the hand-made partitions are kept and secured: \(plan.differences.map(\.object))")

        // generate (reading the database) + migrate, then plan is in sync and no row changed.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-adopt-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let generated = try tenantwall(["generate", "--spec", specPath, "--migrations", dir, "--database", url])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let migrated = try tenantwall(["migrate", "--migrations", dir, "--database", url])
        XCTAssertEqual(migrated.status, 0, migrated.stdout + migrated.stderr)
        let again = try tenantwall(["plan", "--spec", specPath, "--database", url])
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        XCTAssertEqual(try checksums(db, tables), before, "no row changed")
        // The hand-made partitions stay; only the periods none covers are made (which ones depends on today).
        let partitions = try db.query("SELECT relname FROM pg_class WHERE relnamespace = 'raw'::regnamespace AND relispartition AND relkind = 'r' ORDER BY 1").rows.compactMap { $0[0] }
        XCTAssertEqual(Array(partitions.prefix(4)), ["events_2026_10", "events_2026_11", "events_2026_12", "events_default"], "\(partitions)")
        XCTAssertTrue(partitions.dropFirst(4).allSatisfy { $0.range(of: #"^events_p[0-9]{6}$"#, options: .regularExpression) != nil }, "\(partitions)")
        XCTAssertEqual(try db.query("SELECT count(*) FROM pg_class AS c WHERE c.relispartition AND c.relkind = 'r' AND c.relnamespace = 'raw'::regnamespace AND NOT (c.relrowsecurity AND c.relforcerowsecurity)").scalar, "0")

        // verify probes every table as it is (no "not probed"), and fails only where a wall is really open: the
        // dashboards' materialized view, which never applies RLS, readable by the application and BI roles.
        let report = try Verifier(spec: adopted, conninfo: url).run()
        XCTAssertEqual(report.checks.filter { $0.status == .notProbed }.map(\.table), [])
        XCTAssertEqual(Set(report.failed.map { "\($0.table) \($0.id) \($0.role)" }),
                       ["raw.events view-without-context analytics_app", "raw.events view-without-context analytics_bi"])
        for table in ["raw.tenants", "raw.users", "raw.events"] {
            XCTAssertGreaterThan(report.checks.filter { $0.table == table && $0.status == .passed && $0.command == "INSERT" }.count, 0, "\(table): probe rows written and writes tried")
        }
        XCTAssertEqual(try checksums(db, tables), before, "verify left every row as it was")

        // The owner's jobs keep working: its refresh produces the full result, its purge sees every row.
        try db.execute("SET ROLE analytics_owner")
        XCTAssertEqual(try db.query("SELECT analytics.refresh_daily_summary()").scalar, "270")
        XCTAssertEqual(try db.query("SELECT count(*) FROM raw.events").scalar, "1200")
        try db.execute("RESET ROLE")

        // The old setter is now transaction-scoped: its tenant ends with the transaction.
        try db.execute("SET ROLE analytics_app")
        try db.execute("SELECT public.set_tenant_context('a0000000-0000-4000-8000-000000000001')")
        XCTAssertEqual(try db.query("SELECT count(*) FROM raw.events").scalar, "0", "autocommit: the context did not outlive its transaction")
        let inOne = try db.transaction { () -> String? in
            try db.execute("SELECT public.set_tenant_context('a0000000-0000-4000-8000-000000000001')")
            return try db.query("SELECT count(*) FROM raw.events").scalar
        }
        XCTAssertEqual(inOne, "400", "the tenant's own events, in one transaction")
        let signUp: String? = try db.transaction {
            try db.execute("SELECT public.set_tenant_context('d0000000-0000-4000-8000-000000000004')")
            try db.execute("INSERT INTO raw.tenants (id, name) VALUES ('d0000000-0000-4000-8000-000000000004', 'hooli')")
            return try db.query("SELECT count(*) FROM raw.tenants").scalar
        }
        XCTAssertEqual(signUp, "1", "the application still signs tenants up, and sees only that one")
        XCTAssertThrowsError(try db.transaction {
            try db.execute("SELECT public.set_tenant_context('d0000000-0000-4000-8000-000000000004')")
            try db.execute("INSERT INTO raw.tenants (id, name) VALUES ('e0000000-0000-4000-8000-000000000005', 'other')")
        }) { XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42501", "another tenant's row is refused") }
        try db.execute("RESET ROLE")
    }

    func testAChangeThatWouldBreakAJobOrMisdescribesAColumnIsRefusedBeforeAnythingChanges() throws {
        let (db, url) = try fixture("analytics-platform")
        var spec = try spec("analytics-platform")
        spec.roles.ownerAccess = .none
        let events = spec.tables.firstIndex { $0.name == "events" }!
        spec.tables[events].columns[spec.tables[events].columns.firstIndex { $0.name == "user_id" }!].type = "uuid"
        spec.tables[events].columns.append(Column(name: "region", type: "text", notNull: true))
        spec.tables[events].columns.removeAll { $0.name == "properties" }
        let catalog = "SELECT string_agg(c.relname || c.relrowsecurity || c.relforcerowsecurity, ',' ORDER BY c.relname) FROM pg_class AS c WHERE c.relnamespace = 'raw'::regnamespace"
        let before = try db.query(catalog).scalar
        let plan = try LiveDatabase(connection: db).plan(spec)
        let blockers = plan.blockers.joined(separator: "\n")
        XCTAssertTrue(blockers.contains("raw.events.user_id: the spec says uuid, the database has bigint"), blockers)
        XCTAssertTrue(blockers.contains("raw.events.region: in the spec (text), not in the database"), blockers)
        XCTAssertTrue(blockers.contains("raw.events.properties: in the database (jsonb), not in the spec"), blockers)
        XCTAssertTrue(blockers.contains("materialized view analytics.tenant_daily_summary (owner analytics_owner) reads raw.events: its refresh would produce 0 rows"), blockers)
        XCTAssertTrue(blockers.contains("function raw.purge_old_events() (owner analytics_owner) names raw.events"), blockers)
        XCTAssertThrowsError(try LiveDatabase(connection: db).apply(spec)) { XCTAssertTrue($0 is ApplyBlocked, "\($0)") }
        XCTAssertEqual(try db.query(catalog).scalar, before, "nothing changed")

        // The CLI: plan exits 1 naming the column; a spec that is right but for one type names that alone.
        var typeOnly = try self.spec("analytics-platform")
        typeOnly.tables[events].columns[typeOnly.tables[events].columns.firstIndex { $0.name == "source" }!].type = "integer"
        XCTAssertEqual(try LiveDatabase(connection: db).plan(typeOnly).blockers,
                       ["raw.events.source: the spec says integer, the database has text; tenantwall never changes a column's type: correct the spec"])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-adopt-bad-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let text = try String(contentsOfFile: TestServer.path("Tests/Fixtures/adopt/specs/analytics-platform/analytics-platform.yaml"), encoding: .utf8)
        try text.replacingOccurrences(of: "source: {type: text, not_null: true}", with: "source: {type: integer, not_null: true}")
            .write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        let run = try tenantwall(["plan", "--spec", dir, "--database", url])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stdout.contains("raw.events.source: the spec says integer, the database has text"), run.stdout)
        let apply = try tenantwall(["apply", "--spec", dir, "--database", url])
        XCTAssertEqual(apply.status, 1, apply.stdout + apply.stderr)
        XCTAssertTrue(apply.stderr.contains("refused: nothing was changed"), apply.stderr)
        XCTAssertEqual(try db.query(catalog).scalar, before, "nothing changed")
    }

    func testIndexesOnTablesThatHoldRowsAreBuiltConcurrentlyAndNeverTwice() throws {
        let (db, _) = try fixture("analytics-platform")
        var spec = try spec("analytics-platform")
        let events = spec.tables.firstIndex { $0.name == "events" }!, users = spec.tables.firstIndex { $0.name == "users" }!
        spec.tables[events].indexes.append(Index(name: "events_tenant_kind_idx", columns: [IndexColumn(name: "tenant_id", descending: false), IndexColumn(name: "kind", descending: false)],
                                                 include: [], unique: false, predicate: nil, location: nil))
        spec.tables[users].indexes.append(Index(name: "users_tenant_email_idx", columns: [IndexColumn(name: "tenant_id", descending: false), IndexColumn(name: "email", descending: false)],
                                                include: [], unique: false, predicate: nil, location: nil))
        let database = LiveDatabase(connection: db)
        let plan = try database.plan(spec)
        let builds = plan.indexStatements.map(\.sql)
        XCTAssertEqual(builds.first { $0.contains("users_tenant_email_idx") }, "CREATE INDEX CONCURRENTLY IF NOT EXISTS \"users_tenant_email_idx\" ON \"raw\".\"users\" (\"tenant_id\", \"email\")")
        XCTAssertTrue(builds.contains("CREATE INDEX IF NOT EXISTS \"events_tenant_kind_idx\" ON ONLY \"raw\".\"events\" (\"tenant_id\", \"kind\")"), builds.joined(separator: "\n"))
        for partition in ["events_2026_10", "events_2026_11", "events_2026_12"] {
            XCTAssertTrue(builds.contains("CREATE INDEX CONCURRENTLY IF NOT EXISTS \"\(partition)_tenant_id_kind_idx\" ON \"raw\".\"\(partition)\" (\"tenant_id\", \"kind\")"), builds.joined(separator: "\n"))
            XCTAssertTrue(builds.contains("ALTER INDEX \"raw\".\"events_tenant_kind_idx\" ATTACH PARTITION \"raw\".\"\(partition)_tenant_id_kind_idx\""))
        }
        XCTAssertFalse(builds.contains { $0.contains("CREATE INDEX") && !$0.contains("CONCURRENTLY") && !$0.contains(" ON ONLY ") }, "no build under lock: \(builds)")
        XCTAssertFalse((plan.statements + plan.indexStatements).contains { $0.sql.contains("events_tenant_id_idx") }, "the existing tenant index is reused, not built again")

        try database.apply(spec)
        // Every partition has the index, including the ones apply made, and the parent's index is valid.
        XCTAssertEqual(try db.query("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'raw.events_tenant_kind_idx'::regclass").scalar, "true")
        XCTAssertEqual(try db.query("SELECT count(*) FROM pg_partition_tree('raw.events_tenant_kind_idx') WHERE isleaf").scalar,
                       try db.query("SELECT count(*) FROM pg_partition_tree('raw.events') WHERE isleaf").scalar)
        XCTAssertEqual(try db.query("""
            SELECT count(*) FROM pg_index AS x JOIN pg_attribute AS a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
            WHERE x.indrelid = 'raw.events'::regclass AND a.attname = 'tenant_id' AND x.indnatts = 2 AND NOT x.indisunique
            """).scalar, "2", "the hand-made (tenant_id, partition_date) and the spec's (tenant_id, kind): no third")
        XCTAssertTrue(try database.plan(spec).isEmpty, "in sync")

        // An interrupted concurrent build leaves an INVALID index: the plan builds it again.
        try db.execute("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'raw.users_tenant_email_idx'::regclass")
        let repair = try database.plan(spec)
        XCTAssertEqual(repair.indexStatements.map(\.sql), ["DROP INDEX CONCURRENTLY IF EXISTS \"raw\".\"users_tenant_email_idx\"",
                                                           "CREATE INDEX CONCURRENTLY IF NOT EXISTS \"users_tenant_email_idx\" ON \"raw\".\"users\" (\"tenant_id\", \"email\")"])
        try database.apply(spec)
        XCTAssertEqual(try db.query("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'raw.users_tenant_email_idx'::regclass").scalar, "true")
    }

    /// A partitioned table's index build stopped half way (the parent's index on ONLY the parent, one
    /// partition's build INVALID, the others not begun): the next plan finishes it without dropping the parent's.
    func testAnInterruptedPartitionedIndexBuildIsFinished() throws {
        let (db, _) = try fixture("analytics-platform")
        var spec = try spec("analytics-platform")
        let events = spec.tables.firstIndex { $0.name == "events" }!
        spec.tables[events].indexes.append(Index(name: "events_tenant_kind_idx", columns: [IndexColumn(name: "tenant_id"), IndexColumn(name: "kind")]))
        try db.execute("""
            CREATE INDEX events_tenant_kind_idx ON ONLY raw.events (tenant_id, kind);
            CREATE INDEX events_2026_10_tenant_id_kind_idx ON raw.events_2026_10 (tenant_id, kind);
            UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'raw.events_2026_10_tenant_id_kind_idx'::regclass;
            """)
        let database = LiveDatabase(connection: db)
        let builds = try database.plan(spec).indexStatements.map(\.sql)
        XCTAssertTrue(builds.contains("DROP INDEX CONCURRENTLY IF EXISTS \"raw\".\"events_2026_10_tenant_id_kind_idx\""), builds.joined(separator: "\n"))
        XCTAssertFalse(builds.contains { $0.hasPrefix("DROP INDEX") && $0.contains("events_tenant_kind_idx") }, "the parent's index is kept: \(builds)")
        try database.apply(spec)
        XCTAssertEqual(try db.query("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'raw.events_tenant_kind_idx'::regclass").scalar, "true")
        XCTAssertTrue(try database.plan(spec).isEmpty)
    }

    func testTheMetricsServicesSessionFlagGivesWayToLoggedAdminMode() throws {
        let (db, url) = try fixture("metrics-service")
        let tables = ["public.accounts", "public.metrics", "public.alerts"]
        let before = try checksums(db, tables)
        var spec = try spec("metrics-service")
        // Without naming the ingestion service, it would lose every row in silence: refused. (Roles are the
        // server's: an earlier test may have made it a member of the admin role already.)
        try db.execute("DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'metrics_admin') THEN REVOKE metrics_admin FROM metrics_ingest; END IF; END $$")
        var unnamed = spec
        unnamed.roles.adminMembers = []
        let refused = try LiveDatabase(connection: db).plan(unnamed)
        XCTAssertTrue(refused.blockers.contains { $0.hasPrefix("metrics_ingest on public.metrics: SELECT, INSERT would reach no row after this change, and the spec does not name the role") },
                      refused.blockers.joined(separator: "\n"))
        let plan = try LiveDatabase(connection: db).apply(spec)
        XCTAssertTrue(plan.effects.contains { $0.hasPrefix("enable_admin_mode() sets app.admin_mode for the whole session; no policy reads app.admin_mode after this change") }, plan.effects.joined(separator: "\n"))
        XCTAssertEqual(try checksums(db, tables), before)
        XCTAssertTrue(try LiveDatabase(connection: db).plan(spec).isEmpty)
        let report = try Verifier(spec: spec, conninfo: url).run()
        XCTAssertEqual(report.checks.filter { $0.status == .notProbed }.map(\.table), [])
        XCTAssertEqual(report.failed.map { "\($0.table) \($0.id) \($0.role): \($0.actual)" }, [], "every wall holds on the adopted metrics service")
        XCTAssertEqual(try checksums(db, tables), before, "verify left every row as it was")

        try db.execute("SET ROLE metrics_ingest")
        XCTAssertThrowsError(try db.execute("SELECT public.enable_admin_mode()")) { XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42501", "the old flag is revoked") }
        try db.execute("SET app.admin_mode = 'true'")
        XCTAssertEqual(try db.query("SELECT count(*) FROM public.metrics").scalar, "0", "a forged flag opens nothing")
        let seen: String? = try db.transaction {
            try db.execute("SELECT tenantwall.enable_admin_mode('nightly ingestion')")
            try db.execute("INSERT INTO public.metrics (tenant_id, ts, name, value) VALUES (2, now(), 'cpu', 1)")
            return try db.query("SELECT count(DISTINCT tenant_id) FROM public.metrics").scalar
        }
        XCTAssertEqual(seen, "3", "in admin mode the ingestion service writes and reads every tenant")
        try db.execute("RESET ROLE; RESET app.admin_mode")
        XCTAssertEqual(try db.query("SELECT actor || ':' || reason FROM tenantwall.admin_mode_log").scalar, "metrics_ingest:nightly ingestion", "and it is logged")
        spec.roles.adminMembers = ["metrics_ingest"]
        try db.execute("SET ROLE metrics_api")
        XCTAssertEqual(try db.transaction { () -> String? in
            try db.execute("SELECT public.set_tenant_context(1)")
            return try db.query("SELECT count(*) || '/' || count(DISTINCT tenant_id) FROM public.metrics").scalar
        }, "300/1", "the API's old setter, now a shim, binds its tenant for the transaction")
        try db.execute("RESET ROLE")
    }
}
