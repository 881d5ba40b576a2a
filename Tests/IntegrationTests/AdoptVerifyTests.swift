import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import PolicyGen
import Postgres
import Tenantwall
import XCTest
import Deploy
import Quoting
import Verification

/// `verify` on databases tenantwall did not create (issue #23): the two hand-built fixtures in
/// Tests/Fixtures/adopt, loaded as they are, hardened with `apply`, then verified. Their tables have what hand-built
/// tables have (partitions made by hand with no default, a tenants table the tenant column points at, a
/// composite foreign key, an enum, a domain, CHECK and NOT NULL columns the spec leaves out): every table must
/// still get every probe, the data must be untouched, and a wall opened on purpose must fail exactly its checks.
/// A table no probe row fits is reported as not probed, with the server's reason, and the command exits 1.
final class AdoptVerifyTests: XCTestCase {
    /// The analytics platform as it is, every column described (the enum `kind` and the domain `amount` as the
    /// database's own types), without `partitioning:` (the partitions exist already, made by hand); the owner
    /// keeps seeing every row, or `plan` would refuse (its materialized view would refresh to 0 rows).
    static let analyticsSpec = """
        tenancy:
          column: tenant_id
          type: uuid
          setting: app.current_tenant_id
        roles:
          owner: analytics_owner
          app: analytics_app
          admin: analytics_admin
          readonly: [analytics_bi]
          owner_access: all
        tables:
          - name: tenants
            schema: raw
            isolation: self
            key: id
            columns:
              id: {type: uuid, default: gen_random_uuid()}
              name: {type: text, not_null: true}
              plan: {type: text, not_null: true, default: free}
              created_at: {type: timestamptz, not_null: true, default: now()}
            primary_key: [id]
            grants:
              analytics_app: [select]
              analytics_bi: [select]
              analytics_admin: all
          - name: users
            schema: raw
            isolation: tenant
            columns:
              tenant_id: uuid
              id: {type: bigint, default: identity}
              email: {type: text, not_null: true}
            primary_key: [tenant_id, id]
            grants:
              analytics_app: [select, insert, update]
              analytics_bi: [select]
              analytics_admin: all
          - name: events
            schema: raw
            isolation: tenant
            columns:
              tenant_id: uuid
              id: {type: bigint, default: identity}
              partition_date: {type: date, not_null: true}
              kind: {type: raw.event_kind, not_null: true}
              user_id: bigint
              amount: raw.amount
              source: {type: text, not_null: true}
              properties: {type: jsonb, not_null: true}
            primary_key: [tenant_id, id, partition_date]
            grants:
              analytics_app: [select, insert]
              analytics_bi: [select]
              analytics_admin: all
        """

    /// The metrics service as it is: integer tenant ids, the enum `status`, `alerts.id` a bigserial.
    static let metricsSpec = """
        tenancy:
          column: tenant_id
          type: integer
          setting: app.tenant_id
        roles:
          owner: metrics_owner
          app: metrics_api
          admin: metrics_admin
          admin_members: [metrics_ingest]
        tables:
          - name: accounts
            isolation: self
            key: id
            columns:
              id: integer
              name: {type: text, not_null: true}
              status: {type: public.account_status, not_null: true}
              created_at: {type: timestamptz, not_null: true, default: now()}
            primary_key: [id]
            grants:
              metrics_api: [select]
              metrics_admin: all
          - name: metrics
            isolation: tenant
            columns:
              tenant_id: integer
              ts: {type: timestamptz, not_null: true}
              name: {type: text, not_null: true}
              value: {type: double precision, not_null: true}
              labels: jsonb
            primary_key: [tenant_id, name, ts]
            grants:
              metrics_api: [select]
              metrics_admin: all
          - name: alerts
            isolation: tenant
            columns:
              id: {type: bigint, default: identity}
              tenant_id: integer
              metric: {type: text, not_null: true}
              threshold: {type: numeric, not_null: true}
              created_at: {type: timestamptz, not_null: true, default: now()}
            primary_key: [id]
            grants:
              metrics_api: [select, insert, update, delete]
              metrics_admin: all
        """

    /// A fresh database holding the fixture, hardened with the spec; its name and a superuser connection.
    func adopted(_ fixture: String, _ yaml: String) throws -> (spec: Spec, db: Connection, conninfo: String) {
        let (name, db) = try TestServer.freshDatabase("adopt")
        try db.execute(try String(contentsOfFile: TestServer.path("Tests/Fixtures/adopt/\(fixture).sql"), encoding: .utf8))
        let spec = try SpecLoader.load([(path: "\(fixture).yaml", text: yaml)])
        try LiveDatabase(connection: db).apply(spec)
        if fixture == "metrics-service" {
            // The admin role the spec adds writes alerts too, and alerts.id is a bigserial: its sequence is
            // granted by hand, as the fixture grants it to the API (the spec cannot name a sequence).
            try db.execute("GRANT USAGE ON SEQUENCE public.alerts_id_seq TO metrics_admin")
        }
        return (spec, db, TestServer.shared.connectionString(database: name))
    }

    /// Every table's row count and content checksum (and the materialized view's), to compare before and after.
    func fingerprint(_ db: Connection, _ tables: [String]) throws -> [[String?]] {
        try db.query(tables.map { table in
            "SELECT \(SQL.literal(table)), count(*), md5(COALESCE(string_agg(x::text, ',' ORDER BY x::text), '')) FROM \(table) AS x"
        }.joined(separator: " UNION ALL ")).rows
    }

    /// Every table of the spec was probed: no table left unprobed, and each acting role tried its own rows as
    /// every probe tenant, and wrote its own and another tenant's row where it may insert.
    func assertEveryTableProbed(_ spec: Spec, _ report: VerifyReport, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(report.notProbed.map { "\($0.table): \($0.actual)" }, [], file: file, line: line)
        XCTAssertEqual(report.summary.notProbed, 0, file: file, line: line)
        for table in spec.tables {
            let roles = [spec.roles.app] + spec.roles.readonly + [spec.roles.admin]
            for role in roles {
                let tenants = Set(report.checks.filter { $0.table == table.qualifiedName && $0.role == role && $0.id == "select-own-rows" }.map(\.tenant))
                XCTAssertEqual(tenants, ["A", "B", "C"], "\(table.qualifiedName) as \(role)", file: file, line: line)
                guard table.isolation == .tenant, table.commands(for: role).contains(.insert) else { continue }
                for id in ["insert-own-tenant", "insert-other-tenant"] {
                    let results = report.checks.filter { $0.table == table.qualifiedName && $0.role == role && $0.id == id }
                    XCTAssertEqual(results.count, 3, "\(table.qualifiedName) \(id) as \(role)", file: file, line: line)
                    XCTAssertTrue(results.allSatisfy(\.passed), "\(table.qualifiedName) \(id) as \(role): \(results.map(\.actual))", file: file, line: line)
                }
            }
        }
    }

    func failures(_ report: VerifyReport) -> Set<String> { Set(report.failed.map { "\($0.table) \($0.id) \($0.role)" }) }

    func testAnalyticsPlatformIsProbedAsItIs() throws {
        let (spec, db, conninfo) = try adopted("analytics-platform", Self.analyticsSpec)
        let tables = ["raw.tenants", "raw.users", "raw.events", "analytics.tenant_daily_summary"]
        let before = try fingerprint(db, tables)
        let report = try Verifier(spec: spec, conninfo: conninfo).run()
        XCTAssertEqual(try fingerprint(db, tables), before, "row counts and contents unchanged")
        assertEveryTableProbed(spec, report)
        // The hand-made partitions (no default) are each named directly by every acting role.
        let partitions = Set(report.checks.filter { $0.table == "raw.events" && $0.id == "partition-write" }.map(\.title).compactMap { title in
            ["raw.events_2026_10", "raw.events_2026_11", "raw.events_2026_12"].first { title.contains($0) }
        })
        XCTAssertEqual(partitions, ["raw.events_2026_10", "raw.events_2026_11", "raw.events_2026_12"])
        // The probe rows fit: a tenant in raw.tenants first, a date inside a partition, the enum, the domain
        // and the CHECK columns from an existing row, NULL for the composite key's user.
        let own = try XCTUnwrap(report.checks.first { $0.table == "raw.events" && $0.id == "insert-own-tenant" && $0.role == spec.roles.app })
        XCTAssertTrue(own.sql.contains("\"kind\"") && own.sql.contains("\"user_id\""), own.sql)
        // The one failure a hardened copy of this database still has: the dashboards' materialized view, which
        // never applies row-level security, is readable by the application and BI roles.
        XCTAssertEqual(failures(report), ["raw.events view-without-context analytics_app", "raw.events view-without-context analytics_bi"])

        try db.execute("CREATE POLICY leak ON raw.events FOR SELECT TO analytics_app USING (true)")
        let leaked = try Verifier(spec: spec, conninfo: conninfo).run()
        XCTAssertEqual(try fingerprint(db, tables), before)
        assertEveryTableProbed(spec, leaked)
        let opened = failures(leaked).subtracting(failures(report))
        XCTAssertEqual(opened, Set(["select-own-rows", "copy-own-rows", "select-none-context", "select-empty-context", "select-malformed-context"]
            .map { "raw.events \($0) analytics_app" }), "the leak fails exactly the app's reads of raw.events")
    }

    func testMetricsServiceIsProbedAsItIs() throws {
        let (spec, db, conninfo) = try adopted("metrics-service", Self.metricsSpec)
        let tables = ["public.accounts", "public.metrics", "public.alerts"]
        let before = try fingerprint(db, tables)
        let report = try Verifier(spec: spec, conninfo: conninfo).run()
        XCTAssertEqual(try fingerprint(db, tables), before, "row counts and contents unchanged")
        assertEveryTableProbed(spec, report)
        XCTAssertEqual(failures(report), [])
        XCTAssertEqual(report.summary.verdict, "hold")

        try db.execute("CREATE POLICY leak ON public.alerts FOR DELETE TO metrics_api USING (true)")
        let leaked = try Verifier(spec: spec, conninfo: conninfo).run()
        XCTAssertEqual(try fingerprint(db, tables), before)
        assertEveryTableProbed(spec, leaked)
        XCTAssertEqual(failures(leaked), ["public.alerts delete-other-tenant metrics_api"])
    }

    /// A hand-made partitioned table with no row and no default partition: the probe rows take the partitions'
    /// bounds, three distinct days inside the first partition, since the primary key (tenant_id, day) allows a
    /// tenant one row per day (two probe rows and the one a write check adds live together).
    func testEmptyHandMadePartitionsGiveTheirBounds() throws {
        let spec = Self.metricsSpec + """

              - name: daily_totals
                isolation: tenant
                columns:
                  tenant_id: integer
                  day: {type: date, not_null: true}
                  total: {type: numeric, not_null: true}
                primary_key: [tenant_id, day]
                grants:
                  metrics_api: [select, insert, update]
                  metrics_admin: all
            """
        let (name, db) = try TestServer.freshDatabase("adopt")
        try db.execute(try String(contentsOfFile: TestServer.path("Tests/Fixtures/adopt/metrics-service.sql"), encoding: .utf8))
        try db.execute("""
            SET ROLE metrics_owner;
            CREATE TABLE public.daily_totals (
                tenant_id integer NOT NULL REFERENCES public.accounts (id),
                day date NOT NULL,
                total numeric NOT NULL CHECK (total >= 0),
                PRIMARY KEY (tenant_id, day)
            ) PARTITION BY RANGE (day);
            CREATE TABLE public.daily_totals_2027_01 PARTITION OF public.daily_totals FOR VALUES FROM ('2027-01-01') TO ('2027-02-01');
            CREATE TABLE public.daily_totals_2027_02 PARTITION OF public.daily_totals FOR VALUES FROM ('2027-02-01') TO ('2027-03-01');
            RESET ROLE;
            """)
        let loaded = try SpecLoader.load([(path: "metrics.yaml", text: spec)])
        try LiveDatabase(connection: db).apply(loaded)
        try db.execute("GRANT USAGE ON SEQUENCE public.alerts_id_seq TO metrics_admin")
        let report = try Verifier(spec: loaded, conninfo: TestServer.shared.connectionString(database: name)).run()
        assertEveryTableProbed(loaded, report)
        XCTAssertEqual(failures(report), [])
        XCTAssertEqual(try db.query("SELECT count(*) FROM public.daily_totals").scalar, "0", "no probe row left")
        let own = try XCTUnwrap(report.checks.first { $0.table == "public.daily_totals" && $0.id == "insert-own-tenant" && $0.role == "metrics_api" })
        XCTAssertTrue(own.sql.contains("'2027-01-03'"), "the third day of the first partition: \(own.sql)")
    }

    /// A table that refuses every row (a CHECK no row can satisfy, added NOT VALID so existing rows stay) is
    /// reported once as not probed, with the SQLSTATE and message, counted apart from passes and failures.
    func testUnprobeableTableIsReportedNotProbed() throws {
        let (spec, db, conninfo) = try adopted("metrics-service", Self.metricsSpec)
        try db.execute("ALTER TABLE public.alerts ADD CONSTRAINT alerts_frozen CHECK (false) NOT VALID")
        let report = try Verifier(spec: spec, conninfo: conninfo).run()
        XCTAssertEqual(report.notProbed.count, 1)
        let unprobed = try XCTUnwrap(report.notProbed.first)
        XCTAssertEqual(unprobed.table, "public.alerts")
        XCTAssertEqual(unprobed.status, .notProbed)
        XCTAssertFalse(unprobed.passed)
        XCTAssertTrue(unprobed.actual.contains("23514") && unprobed.actual.contains("alerts_frozen"), unprobed.actual)
        XCTAssertTrue(unprobed.sql.hasPrefix("INSERT INTO \"public\".\"alerts\""), unprobed.sql)
        XCTAssertEqual(report.failed.map(\.id), [], "not probed is not a failed wall")
        XCTAssertEqual(report.summary.notProbed, 1)
        XCTAssertEqual(report.summary.failed, 0)
        XCTAssertEqual(report.summary.verdict, "incomplete")
        XCTAssertFalse(report.holds)
        XCTAssertFalse(report.checks.contains { $0.table == "public.alerts" && $0.id == "select-own-rows" }, "no wall of it was tried")
        XCTAssertTrue(report.checks.contains { $0.table == "public.metrics" && $0.id == "select-own-rows" }, "the other tables were")
        XCTAssertEqual(report.checks.filter { $0.table == "public.alerts" && $0.status == .passed }.map(\.id), ["rls-enabled-forced"],
                       "only the catalog check ran on it")

        // Every report says so as a third status.
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(JSONReport.render(report).utf8)) as? [String: Any])
        let checks = try XCTUnwrap(json["checks"] as? [[String: Any]])
        XCTAssertEqual(checks.filter { $0["status"] as? String == "not_probed" }.count, 1)
        XCTAssertEqual(checks.filter { $0["status"] as? String == "passed" }.count, report.passedCount)
        XCTAssertEqual((json["summary"] as? [String: Any])?["notProbed"] as? Int, 1)
        let decoded = try JSONDecoder().decode(VerifyReport.self, from: Data(JSONReport.render(report).utf8))
        XCTAssertEqual(decoded.notProbed.map(\.table), ["public.alerts"], "the JSON reads back")
        let junit = JUnitReport.render(report)
        XCTAssertNoThrow(try XMLDocument(xmlString: junit))
        XCTAssertTrue(junit.contains("errors=\"1\"") && junit.contains("<error message=\"could not probe: 23514"), junit)
        XCTAssertTrue(junit.contains("failures=\"0\""))
        let markdown = MarkdownReport.render(report)
        XCTAssertTrue(markdown.hasPrefix("## tenantwall verify: 1 table(s) could not be probed"), markdown)
        XCTAssertTrue(markdown.contains("### Could not probe") && markdown.contains("alerts_frozen"))
        let html = HTMLReport.render(report)
        XCTAssertTrue(html.contains("<h2>Could not probe</h2>") && html.contains("class=\"np\" colspan="), "amber verdict and row")
        XCTAssertFalse(html.contains("Every wall holds"))
    }

    /// `tenantwall verify` exits 1 when a table could not be probed (a trigger refuses every insert), and says why.
    func testCommandExitsOneWhenATableCouldNotBeProbed() throws {
        let (_, db, conninfo) = try adopted("metrics-service", Self.metricsSpec)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-adopt-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Self.metricsSpec.write(toFile: dir + "/metrics.yaml", atomically: true, encoding: .utf8)

        let holds = try TenantwallProcess.run(["verify", "--spec", dir, "--database", conninfo])
        XCTAssertEqual(holds.status, 0, holds.stdout + holds.stderr)

        try db.execute("""
            CREATE FUNCTION public.refuse_metric() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'metrics are written by the ingest service only' USING ERRCODE = 'P0001'; END $$;
            CREATE TRIGGER refuse BEFORE INSERT ON public.metrics FOR EACH ROW EXECUTE FUNCTION public.refuse_metric();
            """)
        let run = try TenantwallProcess.run(["verify", "--spec", dir, "--database", conninfo, "--report-dir", dir + "/reports"])
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("NOT PROBED public.metrics: could not probe: P0001: metrics are written by the ingest service only"), run.stdout)
        XCTAssertTrue(run.stdout.contains("0 failed, 1 not probed"), run.stdout)
        XCTAssertTrue(run.stdout.contains("walls unproven"), run.stdout)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/reports/report.json"))) as? [String: Any]
        XCTAssertEqual((json?["summary"] as? [String: Any])?["verdict"] as? String, "incomplete")
    }
}
