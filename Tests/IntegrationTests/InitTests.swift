import Adoption
import Deploy
import Foundation
import PolicyGen
import Postgres
import Tenantwall
import XCTest

/// `tenantwall init` on databases built by hand (Tests/Fixtures/adopt): the spec it writes says what each one
/// is, `check` accepts it, and applying it changes no table, index or grant (it describes the database as it is).
final class InitTests: XCTestCase {
    /// A fresh database holding a fixture, with a superuser connection.
    func fixture(_ name: String) throws -> (name: String, connection: Connection) {
        let (database, connection) = try TestServer.freshDatabase("init")
        try connection.execute(try String(contentsOfFile: TestServer.path("Tests/Fixtures/adopt/\(name).sql"), encoding: .utf8))
        return (database, connection)
    }

    /// A folder that does not exist yet, removed after the test.
    func outFolder() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tw-init-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func table(_ spec: Spec, _ name: String) throws -> Table { try XCTUnwrap(spec.tables.first { $0.qualifiedName == name }, name) }

    func grants(_ table: Table) -> [String: [Command]] {
        Dictionary(uniqueKeysWithValues: table.grants.map { ($0.role, $0.commands) })
    }

    /// The spec changes no table, index or grant; only the walls (RLS, policies, helpers, setters, partitions).
    func assertDescribesTheDatabase(_ spec: Spec, _ connection: Connection, file: StaticString = #filePath, line: UInt = #line) throws {
        let plan = try LiveDatabase(connection: connection).plan(spec)
        let objects = plan.differences.map(\.object)
        XCTAssertFalse(objects.isEmpty, file: file, line: line)
        for object in objects where object.hasPrefix("table ") || object.hasPrefix("index ") || object.hasPrefix("grants ") {
            XCTFail("the spec changes \(object): \(plan.differences.first { $0.object == object }?.changes() ?? [])", file: file, line: line)
        }
    }

    func testAnalyticsPlatform() throws {
        let (_, db) = try fixture("analytics-platform")
        let out = outFolder()
        let result = try InitRun(out: out).run(db)
        XCTAssertTrue(result.path.hasPrefix(out + "/") && result.path.hasSuffix(".yaml"), result.path)
        let spec = try SpecFiles.load([out])

        XCTAssertEqual(spec.tenancy.column, "tenant_id")
        XCTAssertEqual(spec.tenancy.type, .uuid)
        XCTAssertEqual(spec.tenancy.setting, "app.current_tenant_id")
        XCTAssertEqual(spec.tenancy.helpers, .inline)
        XCTAssertEqual(spec.tenancy.scope, .transaction)
        XCTAssertEqual(spec.tables.map(\.qualifiedName), ["raw.tenants", "raw.events", "raw.users"])
        XCTAssertEqual(spec.tables.map(\.isolation), [.self, .tenant, .tenant])
        XCTAssertEqual(spec.tables[0].key, "id")

        XCTAssertEqual(spec.roles.owner, "analytics_owner")
        XCTAssertEqual(spec.roles.app, "analytics_app")
        XCTAssertEqual(spec.roles.readonly, ["analytics_bi"])
        XCTAssertEqual(spec.roles.admin, "")
        XCTAssertEqual(spec.roles.ownerAccess, .all)
        XCTAssertFalse(spec.roles.create)
        XCTAssertEqual(result.draft.ownerReaders, ["analytics.tenant_daily_summary", "analytics.refresh_daily_summary()", "raw.purge_old_events()"])

        let tenants = try table(spec, "raw.tenants"), events = try table(spec, "raw.events"), users = try table(spec, "raw.users")
        XCTAssertEqual(grants(tenants), ["analytics_app": [.select, .insert], "analytics_bi": [.select]])
        XCTAssertEqual(grants(users), ["analytics_app": [.select, .insert, .update], "analytics_bi": [.select]])
        XCTAssertEqual(grants(events), ["analytics_app": [.select, .insert], "analytics_bi": [.select]])

        XCTAssertEqual(events.columns.map(\.name), ["tenant_id", "id", "partition_date", "kind", "user_id", "amount", "source", "properties"])
        XCTAssertEqual(events.columns.map(\.type), ["uuid", "bigint", "date", "raw.event_kind", "bigint", "raw.amount", "text", "jsonb"])
        XCTAssertEqual(events.columns.map(\.notNull), [true, true, true, true, false, false, true, true])
        XCTAssertEqual(events.columns.map(\.defaultValue), [nil, .function("identity"), nil, nil, nil, nil, nil, .string("{}")])
        XCTAssertEqual(tenants.columns.map(\.defaultValue), [.function("gen_random_uuid()"), nil, .string("free"), .function("now()")])
        XCTAssertEqual(tenants.columns.last?.type, "timestamp with time zone")
        XCTAssertEqual(events.primaryKey, ["tenant_id", "id", "partition_date"])
        XCTAssertEqual(users.primaryKey, ["tenant_id", "id"])

        let partitioning = try XCTUnwrap(events.partitioning)
        XCTAssertEqual(partitioning.column, "partition_date")
        XCTAssertEqual(partitioning.interval, "1 month")
        XCTAssertEqual(partitioning.manager, .native)
        XCTAssertEqual(partitioning.premake, PartitionBounds.ahead(
            [("2026-10-01", "2026-11-01"), ("2026-11-01", "2026-12-01"), ("2026-12-01", "2027-01-01")].map {
                ExistingDatabase.Partition(name: "", bound: "FOR VALUES FROM ('\($0.0)') TO ('\($0.1)')")
            }, today: try XCTUnwrap(db.query("SELECT current_date::text").scalar)).nonZero ?? 3)
        XCTAssertNil(users.partitioning)

        XCTAssertEqual(events.indexes.map(\.name), ["events_tenant_date_idx"])
        XCTAssertEqual(events.indexes[0].columns.map(\.name), ["tenant_id", "partition_date"])
        XCTAssertEqual(tenants.indexes.map(\.name), ["tenants_name_key"])
        XCTAssertEqual(tenants.indexes.map(\.unique), [true])
        XCTAssertEqual(users.indexes.map(\.name), ["users_tenant_id_email_key"])
        XCTAssertEqual(users.indexes[0].columns.map(\.name), ["tenant_id", "email"])

        XCTAssertEqual(spec.legacyFunctions.map(\.signature), ["public.set_tenant_context(uuid)"])
        XCTAssertEqual(spec.legacyFunctions.map(\.action), [.replace])
        XCTAssertEqual(result.draft.questions.count, 0, "\(result.draft.questions)")
        XCTAssertEqual(result.summary.checkErrors, [])

        try assertDescribesTheDatabase(spec, db)
        // Applied, the owner's refresh still sees every tenant's rows (owner_access: all), and a second plan is empty.
        try LiveDatabase(connection: db).apply(spec)
        XCTAssertTrue(try LiveDatabase(connection: db).plan(spec).isEmpty)
        try db.execute("SET ROLE analytics_owner")
        XCTAssertEqual(try db.query("SELECT analytics.refresh_daily_summary()::text").scalar, try db.query("SELECT count(DISTINCT (tenant_id, partition_date, kind))::text FROM raw.events").scalar)
        try db.execute("RESET ROLE")
    }

    func testMetricsService() throws {
        let (_, db) = try fixture("metrics-service")
        let out = outFolder()
        let result = try InitRun(out: out).run(db)
        let spec = try SpecFiles.load([out])

        XCTAssertEqual(spec.tenancy.column, "tenant_id")
        XCTAssertEqual(spec.tenancy.type, .integer)
        XCTAssertEqual(spec.tenancy.setting, "app.tenant_id")
        XCTAssertEqual(spec.tables.map(\.qualifiedName), ["public.accounts", "public.alerts", "public.metrics"])
        XCTAssertEqual(spec.tables.map(\.isolation), [.self, .tenant, .tenant])
        XCTAssertEqual(spec.tables[0].key, "id")
        XCTAssertEqual(spec.roles.owner, "metrics_owner")
        XCTAssertEqual(spec.roles.app, "metrics_api")
        XCTAssertEqual(spec.roles.readonly, [])
        XCTAssertEqual(spec.roles.admin, "")
        XCTAssertEqual(spec.roles.ownerAccess, OwnerAccess.none)

        let accounts = try table(spec, "public.accounts"), alerts = try table(spec, "public.alerts"), metrics = try table(spec, "public.metrics")
        XCTAssertEqual(grants(accounts), ["metrics_api": [.select]])
        XCTAssertEqual(grants(alerts), ["metrics_api": [.select, .insert, .update, .delete]])
        XCTAssertEqual(grants(metrics), ["metrics_api": [.select]])
        XCTAssertEqual(accounts.columns.map(\.type), ["integer", "text", "public.account_status", "timestamp with time zone"])
        XCTAssertEqual(accounts.columns.map(\.defaultValue), [nil, nil, .string("active"), .function("now()")])
        XCTAssertEqual(alerts.columns.first?.name, "id")
        XCTAssertNil(alerts.columns.first?.defaultValue, "a bigserial's nextval() is not the spec's to say: it stays as it is")
        XCTAssertEqual(metrics.columns.map(\.type), ["integer", "timestamp with time zone", "text", "double precision", "jsonb"])
        XCTAssertEqual(alerts.primaryKey, ["id"])
        XCTAssertEqual(metrics.primaryKey, ["tenant_id", "name", "ts"])
        XCTAssertEqual(alerts.indexes.map(\.name), ["alerts_tenant_id_idx"])
        XCTAssertEqual(metrics.indexes.map(\.name), [])
        XCTAssertNil(metrics.partitioning)

        XCTAssertEqual(spec.legacyFunctions.map(\.signature), ["public.enable_admin_mode()", "public.set_tenant_context(integer)"])
        XCTAssertEqual(spec.legacyFunctions.map(\.action), [.revoke, .replace])
        XCTAssertTrue(result.draft.legacyFunctions[0].today.hasPrefix("sets app.admin_mode, which the policies read, for the session"))

        // The ingestion service writes metrics and is no declared role: a question, its grants commented.
        XCTAssertEqual(result.draft.questions.map(\.at), ["roles"])
        XCTAssertTrue(result.draft.questions[0].question.hasPrefix("metrics_ingest writes public.metrics (insert) and is not declared (as many tenant tables as metrics_api, which holds more privileges on them and is roles.app): is it the application"), result.draft.questions[0].question)
        let text = try String(contentsOfFile: result.path, encoding: .utf8)
        XCTAssertTrue(text.contains("  # QUESTION: metrics_ingest writes public.metrics (insert)"), text)
        XCTAssertTrue(text.contains("      # metrics_ingest: [select, insert]   (not declared: see the question under roles)"), text)
        XCTAssertTrue(text.contains("    # defaults the spec cannot say stay as they are: id nextval('public.alerts_id_seq'::regclass)"), text)
        XCTAssertEqual(result.summary.checkErrors, [])
        try assertDescribesTheDatabase(spec, db)
    }

    /// Two columns that each point at a table of their own from as many tables: an error naming both, which
    /// --tenant-column settles; no candidate at all: an error that says what to give.
    func testTwoCandidateTenantColumnsOrNoneAreNamedNotGuessed() throws {
        let (_, db) = try TestServer.freshDatabase("init")
        try db.execute("""
            CREATE TABLE orgs (id bigint PRIMARY KEY);
            CREATE TABLE regions (id bigint PRIMARY KEY);
            CREATE TABLE sites (org_id bigint NOT NULL REFERENCES orgs, region_id bigint REFERENCES regions, name text);
            CREATE TABLE devices (org_id bigint NOT NULL REFERENCES orgs, region_id bigint REFERENCES regions, serial text UNIQUE);
            CREATE TABLE notes (body text);
            """)
        XCTAssertThrowsError(try InitRun(out: outFolder()).run(db)) { error in
            XCTAssertEqual("\(error)", "2 candidate tenant columns: org_id (2 tables → public.orgs), region_id (2 tables → public.regions); name one with --tenant-column NAME")
        }
        var run = InitRun(out: outFolder())
        run.options.tenantColumn = "org_id"
        let result = try run.run(db)
        let spec = try SpecFiles.load([run.out])
        XCTAssertEqual(spec.tables.map(\.qualifiedName), ["public.orgs", "public.devices", "public.sites", "public.notes", "public.regions"])
        XCTAssertEqual(spec.tables.map(\.isolation), [.self, .tenant, .tenant, .shared, .shared])
        XCTAssertEqual(spec.tenancy.type, .bigint)
        // No policy and no setter name the setting; nobody but the owner uses the tables; a global unique key: questions.
        let questions = result.draft.questions.map { "\($0.at): \($0.question)" }
        XCTAssertTrue(questions.contains { $0.hasPrefix("tenancy: no policy or setter names the setting") }, "\(questions)")
        XCTAssertTrue(questions.contains { $0.hasPrefix("roles: no role other than the owner uses the tenant tables") }, "\(questions)")
        XCTAssertTrue(questions.contains { $0.hasPrefix("public.devices: unique index devices_serial_key does not lead with org_id") }, "\(questions)")
        XCTAssertEqual(result.summary.checkErrors, [])

        let (_, empty) = try TestServer.freshDatabase("init")
        try empty.execute("CREATE TABLE notes (id uuid PRIMARY KEY, body text)")
        XCTAssertThrowsError(try InitRun(out: outFolder()).run(empty)) { error in
            XCTAssertTrue("\(error)".hasPrefix("no tenant column found: no column is shared by tables whose foreign keys point at one table"), "\(error)")
        }
        let (_, nothing) = try TestServer.freshDatabase("init")
        XCTAssertThrowsError(try InitRun(out: outFolder()).run(nothing)) { XCTAssertTrue("\($0)".hasPrefix("no tables in any user schema"), "\($0)") }
    }

    /// Only user schemas are read: never tenantwall's own, an extension's tables (pg_partman's part_config), or
    /// a schema left out by --schema; a table pg_partman manages is written with its manager and premake.
    func testSchemasReadAndPgPartman() throws {
        let (_, db) = try fixture("analytics-platform")
        guard try db.query("SELECT count(*) > 0 FROM pg_available_extensions WHERE name = 'pg_partman'").flag else {
            throw XCTSkip("pg_partman is not installed for this server (Debian's postgresql-15-partman)")
        }
        try db.execute("""
            CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman;
            CREATE SCHEMA tenantwall; CREATE TABLE tenantwall.leftover (tenant_id uuid);
            CREATE TABLE raw.clicks (tenant_id uuid NOT NULL REFERENCES raw.tenants (id), at timestamptz NOT NULL, PRIMARY KEY (tenant_id, at))
                PARTITION BY RANGE (at);
            ALTER TABLE raw.clicks OWNER TO analytics_owner;
            DO $$ BEGIN  -- pg_partman 4.x (PostgreSQL 15, Debian) and 5.x (16+) take different arguments
                IF split_part((SELECT extversion FROM pg_extension WHERE extname = 'pg_partman'), '.', 1)::int >= 5 THEN
                    PERFORM partman.create_parent(p_parent_table := 'raw.clicks', p_control := 'at', p_interval := '1 day', p_premake := 5);
                ELSE
                    PERFORM partman.create_parent(p_parent_table := 'raw.clicks', p_control := 'at', p_type := 'native', p_interval := 'daily', p_premake := 5);
                END IF;
            END $$;
            CREATE TABLE public.audit_log (tenant_id uuid NOT NULL, message text);
            """)
        var run = InitRun(out: outFolder())
        let result = try run.run(db)
        let spec = try SpecFiles.load([run.out])
        XCTAssertEqual(spec.tables.map(\.qualifiedName), ["raw.tenants", "public.audit_log", "raw.clicks", "raw.events", "raw.users"])
        let clicks = try XCTUnwrap(try table(spec, "raw.clicks").partitioning)
        XCTAssertEqual([clicks.column, clicks.interval, "\(clicks.premake)", clicks.manager.rawValue], ["at", "1 day", "5", "pg_partman"])
        XCTAssertEqual(result.summary.checkErrors, [])

        run = InitRun(out: outFolder())
        run.schemas = ["raw"]
        XCTAssertEqual(try run.run(db).draft.tables.map(\.table.qualifiedName), ["raw.tenants", "raw.clicks", "raw.events", "raw.users"])
        run = InitRun(out: outFolder())
        run.schemas = ["analytics"]
        XCTAssertThrowsError(try run.run(db)) { XCTAssertEqual("\($0)", "no tables in schema analytics (system, extension and tenantwall schemas are left out)") }
    }

    /// A TimescaleDB hypertable becomes `hypertable:` with its time column, chunk interval, space partitions and
    /// retention (skipped, saying why, where TimescaleDB is not installed and preloaded).
    func testHypertable() throws {
        let (_, db) = try TestServer.freshDatabase("init")
        guard try ServerCapabilities(connection: db).available("timescaledb") else {
            throw XCTSkip("TimescaleDB is not installed and preloaded on this server (not packaged for Debian: build 2.28.x from source, see docs/install.md)")
        }
        try db.execute("""
            CREATE EXTENSION IF NOT EXISTS timescaledb;
            CREATE TABLE tenants (id uuid PRIMARY KEY);
            CREATE TABLE readings (tenant_id uuid NOT NULL REFERENCES tenants, time timestamptz NOT NULL, value double precision);
            SELECT create_hypertable('readings', by_range('time', INTERVAL '1 day'));
            SELECT add_dimension('readings', by_hash('tenant_id', 4));
            SELECT add_retention_policy('readings', INTERVAL '30 days');
            """)
        let out = outFolder()
        _ = try InitRun(out: out).run(db)
        let hypertable = try XCTUnwrap(try table(try SpecFiles.load([out]), "public.readings").hypertable)
        XCTAssertEqual(hypertable.timeColumn, "time")
        XCTAssertEqual(hypertable.chunkInterval, "1 day")
        XCTAssertEqual(hypertable.spacePartitions, 4)
        XCTAssertEqual(hypertable.retention, "30 days")
    }

    /// Through the built binary: the summary and questions on stderr, exit 0; a folder that holds files is
    /// refused (exit 2) unless --force; --format json on stdout; a bad connection exits 2.
    func testCommandLine() throws {
        let (name, _) = try fixture("metrics-service")
        let url = try TestServer.shared.connectionString(database: name)
        let out = outFolder()
        let first = try TenantwallProcess.run(["init", "--database", url, "--out", out])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(first.stdout, "")
        XCTAssertTrue(first.stderr.contains("  tenant    public.alerts, public.metrics\n  self      public.accounts\n"), first.stderr)
        XCTAssertTrue(first.stderr.contains("1 question (each a # QUESTION in the file):\n  roles: metrics_ingest writes public.metrics"), first.stderr)
        // check accepts the spec, and with the database it refuses what apply would: the role init asked about
        // would lose every row in silence.
        let check = try TenantwallProcess.run(["check", "--spec", out, "--database", url])
        XCTAssertEqual(check.status, 2, check.stdout + check.stderr)
        XCTAssertTrue(check.stdout.contains(": ok (3 tables)"), check.stdout)
        XCTAssertTrue(check.stdout.contains("  - metrics_ingest on public.metrics: SELECT, INSERT would reach no row after this change, and the spec does not name the role"), check.stdout)

        let again = try TenantwallProcess.run(["init", "--database", url, "--out", out])
        XCTAssertEqual(again.status, 2)
        XCTAssertTrue(again.stderr.contains("error: \(out) is not empty (1 entry); give --force to write into it"), again.stderr)

        let json = try TenantwallProcess.run(["init", "--database", url, "--out", out, "--force", "--format", "json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        XCTAssertEqual(json.stderr, "")
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((summary["tenancy"] as? [String: String])?["setting"], "app.tenant_id")
        XCTAssertEqual((summary["tables"] as? [[String: String]])?.map { $0["isolation"] ?? "" }, ["self", "tenant", "tenant"])
        XCTAssertEqual((summary["roles"] as? [String: Any])?["app"] as? String, "metrics_api")
        XCTAssertEqual((summary["legacy_functions"] as? [[String: String]])?.map { $0["action"] ?? "" }, ["revoke", "replace"])
        XCTAssertEqual((summary["questions"] as? [[String: String]])?.map { $0["at"] ?? "" }, ["roles"])
        XCTAssertEqual(summary["check_errors"] as? [String], [])

        let tie = try TestServer.freshDatabase("init")
        try tie.connection.execute("""
            CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY);
            CREATE TABLE c (a_id int REFERENCES a, b_id int REFERENCES b);
            """)
        let undecided = try TenantwallProcess.run(["init", "--database", TestServer.shared.connectionString(database: tie.name), "--out", outFolder()])
        XCTAssertEqual(undecided.status, 2)
        XCTAssertTrue(undecided.stderr.contains("error: 2 candidate tenant columns: a_id (1 table → public.a), b_id (1 table → public.b)"), undecided.stderr)
        let unreachable = try TenantwallProcess.run(["init", "--database", "host=/nonexistent-socket-dir dbname=x", "--out", outFolder()])
        XCTAssertEqual(unreachable.status, 2)
        XCTAssertTrue(unreachable.stderr.contains("08001"), unreachable.stderr)
        XCTAssertEqual(try TenantwallProcess.run(["init", "--database", url]).status, 2, "--out is required")
    }
}

private extension Int {
    var nonZero: Int? { self == 0 ? nil : self }
}
