import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Audit
import PolicyGen
import Postgres
import Tenantwall
import XCTest
import Deploy
import Quoting
import Verification

/// `tenantwall verify` on databases broken on purpose: each break is caught by the check named for it,
/// and a run leaves every row as it was.
final class VerifyTests: XCTestCase {
    static var counter = 0

    /// The workflow example with role names unique to this test, since roles are shared by the server's databases.
    func uniqueSpec(_ model: String = "workflow-platform") throws -> Spec {
        Self.counter += 1
        var spec = try SpecFiles.load([TestServer.path("policies/" + model)])
        let suffix = "_v\(Self.counter)_\(getpid())"
        func rename(_ role: String) -> String { role + suffix }
        spec.roles.owner = rename(spec.roles.owner)
        spec.roles.app = rename(spec.roles.app)
        spec.roles.admin = rename(spec.roles.admin)
        spec.roles.readonly = spec.roles.readonly.map(rename)
        spec.roles.adminMembers = spec.roles.adminMembers.map(rename)
        spec.tables = spec.tables.map { table in
            var table = table
            table.grants = table.grants.map { (rename($0.role), $0.commands) }
            return table
        }
        return spec
    }

    func applied(_ model: String = "workflow-platform") throws -> (Spec, Connection, String) {
        let spec = try uniqueSpec(model)
        let (name, db) = try TestServer.freshDatabase("verify")
        try TestServer.requireExtensions(spec, db)
        try LiveDatabase(connection: db).apply(spec)
        return (spec, db, try TestServer.shared.connectionString(database: name))
    }

    func failedIds(_ spec: Spec, _ conninfo: String, table: String? = nil) throws -> Set<String> {
        let report = try Verifier(spec: spec, conninfo: conninfo).run()
        return Set(report.failed.filter { table == nil || $0.table == table }.map(\.id))
    }

    func testCleanDatabaseVerifiesAndLeavesEveryRowAsItWas() throws {
        let (spec, db, conninfo) = try applied()
        try db.execute("""
            INSERT INTO public.tenants (id, slug) OVERRIDING SYSTEM VALUE VALUES (1, 'one'), (2, 'two');
            INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'a', '{}'), (2, 'b', '{}');
            INSERT INTO public.executions (tenant_id, workflow_id) VALUES (1, 1), (2, 2);
            INSERT INTO public.audit_logs (tenant_id, actor, action) VALUES (1, 'x', 'y');
            """)
        let fingerprint = spec.tables.map { t in
            "SELECT '\(t.name)', count(*), md5(COALESCE(string_agg(x::text, ',' ORDER BY x::text), '')) FROM \(SQL.qualified(t.schema, t.name)) AS x"
        }.joined(separator: " UNION ALL ") + " UNION ALL SELECT 'log', count(*), '' FROM tenantwall.admin_mode_log"
        let before = try db.query(fingerprint).rows
        let report = try Verifier(spec: spec, conninfo: conninfo).run()
        XCTAssertEqual(report.failed.map(\.id), [])
        XCTAssertEqual(report.notProbed.map(\.actual), [], "every table probed")
        XCTAssertGreaterThan(report.checks.count, 200)
        XCTAssertEqual(try db.query(fingerprint).rows, before, "row counts and contents unchanged, no admin-mode log row left")
        XCTAssertEqual(Set(report.checks.map(\.tenant)).intersection(["A", "B", "C"]), ["A", "B", "C"], "three tenants acted")
        XCTAssertEqual(Set(report.checks.map(\.id)).subtracting(VerifyChecks.ids), [], "every check a run reports is in the registry")
        // The evidence is what ran: the role and context statements come first, the attempt after them.
        let select = try XCTUnwrap(report.checks.first { $0.id == "select-own-rows" && $0.role == spec.roles.app && $0.tenant == "A" })
        XCTAssertTrue(select.sql.hasPrefix("SET LOCAL ROLE \(SQL.ident(spec.roles.app));\nSELECT \"tenantwall\".\"set_tenant_context\"('910000'::bigint);\nSELECT"), select.sql)
    }

    /// The documented table of checks is the registry's, row for row (`verify --list-checks` prints it).
    func testDocsListEveryCheck() throws {
        let docs = try String(contentsOfFile: TestServer.path("docs/verify.md"), encoding: .utf8)
        XCTAssertTrue(docs.contains(VerifyChecks.markdownTable()), "docs/verify.md's check table is stale: paste `tenantwall verify --list-checks` over it")
        XCTAssertEqual(VerifyChecks.all.count, Set(VerifyChecks.all.map(\.id)).count, "ids are unique")
        let listed = try TenantwallProcess.run(["verify", "--list-checks"])
        XCTAssertEqual(listed.status, 0)
        XCTAssertEqual(listed.stdout, VerifyChecks.markdownTable())
    }

    /// Exactly these checks run for each table and role of the workflow example: a verifier that silently
    /// stopped running a class of checks fails here, whatever the total count.
    func testEveryTableAndRoleGetsExactlyItsChecks() throws {
        let (spec, _, conninfo) = try applied()
        let report = try Verifier(spec: spec, conninfo: conninfo).run()
        let suffix = String(spec.roles.app.dropFirst("wf_app".count))
        var actual: [String: Set<String>] = [:]
        for check in report.checks {
            let role = check.role.hasSuffix(suffix) && !suffix.isEmpty ? String(check.role.dropLast(suffix.count)) : check.role
            actual["\(check.table) \(role)", default: []].insert(check.id)
        }
        // PostgreSQL 17 added the MAINTAIN privilege, and the verifier checks it there.
        let read = try Set(["copy-own-rows", "no-references", "no-trigger", "no-truncate", "select-empty-context", "select-malformed-context",
                        "select-none-context", "select-own-rows"] + (TestServer.majorVersion >= 17 ? ["no-maintain"] : []))
        let insert: Set = ["insert-empty-context", "insert-malformed-context", "insert-none-context", "insert-other-tenant", "insert-own-tenant"]
        let write: Set = ["delete-other-tenant", "update-move-row", "update-other-tenant", "upsert-other-tenant"]
        let expected: [String: Set<String>] = [
            "- wf_admin": ["role-no-bypass"], "- wf_support": ["role-no-bypass"],
            "- wf_app": ["binding-trusts-application", "context-transaction-local", "context-setting-transaction-local", "no-preset-tenant-setting", "role-no-bypass"],
            "public.audit_logs -": ["rls-enabled-forced"], "public.audit_logs wf_admin": read, "public.audit_logs wf_app": read.union(insert),
            "public.audit_logs wf_support": read,
            "public.executions -": ["rls-enabled-forced"], "public.executions wf_admin": read.union(insert).union(write),
            "public.executions wf_app": read.union(insert).union(write), "public.executions wf_support": read,
            "public.tenants -": ["rls-enabled-forced"], "public.tenants wf_admin": read.union(insert).union(write).subtracting(["insert-own-tenant"]),
            "public.tenants wf_app": read, "public.tenants wf_support": read,
            "public.workflows -": ["rls-enabled-forced"],
            "public.workflows wf_admin": read.union(insert).union(write).union(["admin-forged-token-admin", "admin-mode-sees-all"]),
            "public.workflows wf_app": read.union(insert).union(write).union(["admin-enable-nonmember", "admin-forged-token-app"]),
            "public.workflows wf_support": read.union(["admin-enable-nonmember"]),
        ]
        XCTAssertEqual(Set(actual.keys), Set(expected.keys))
        for (key, ids) in expected.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(actual[key] ?? [], ids, "\(key): missing \(ids.subtracting(actual[key] ?? [])), unexpected \((actual[key] ?? []).subtracting(ids))")
        }
        // Every tenant acts in turn on every tenant table.
        let tenantsActing = Set(report.checks.filter { $0.id == "select-own-rows" && $0.table == "public.workflows" }.map(\.tenant))
        XCTAssertEqual(tenantsActing, ["A", "B", "C"])
    }

    /// MAINTAIN exists from PostgreSQL 17 on: granted to the application there, it is caught by verify (no-maintain)
    /// and audit (TW121); on older servers the check is not run, since the server would not know the word.
    func testMaintainPrivilegeOnSeventeenAndLater() throws {
        let (spec, db, conninfo) = try applied()
        let major = try TestServer.majorVersion
        guard major >= 17 else {
            let ids = Set(try Verifier(spec: spec, conninfo: conninfo).run().checks.map(\.id))
            XCTAssertFalse(ids.contains("no-maintain"), "PostgreSQL \(major) has no MAINTAIN privilege")
            return
        }
        try db.execute("GRANT MAINTAIN ON public.workflows TO \(SQL.ident(spec.roles.app))")
        XCTAssertEqual(try failedIds(spec, conninfo, table: "public.workflows"), ["no-maintain"])
        let catalog = try AuditCatalogReader.read(db)
        let findings = Auditor.run(AuditInput(catalog: catalog, spec: spec, drift: [], appRoles: []))
        XCTAssertTrue(findings.contains { $0.ruleId == "TW121" && $0.message.contains("MAINTAIN on public.workflows") }, findings.map(\.message).joined(separator: "\n"))
    }

    func testUpdatePolicyWithoutScope() throws {
        let (spec, db, conninfo) = try applied()
        try db.execute("ALTER POLICY tw_tenant_update ON public.workflows USING (true)")
        let failed = try failedIds(spec, conninfo, table: "public.workflows")
        XCTAssertEqual(failed, ["update-other-tenant"], "the UPDATE with no WHERE takes other tenants' rows")
    }

    /// ON CONFLICT DO UPDATE checks the proposed row against the INSERT policy and the existing row against the
    /// SELECT and UPDATE policies: only with all of them broken does an upsert reach another tenant's row.
    func testUpsertAcrossTenants() throws {
        let (spec, db, conninfo) = try applied()
        try db.execute("""
            ALTER POLICY tw_tenant_update ON public.workflows USING (true) WITH CHECK (true);
            ALTER POLICY tw_tenant_select ON public.workflows USING (true);
            ALTER POLICY tw_tenant_insert ON public.workflows WITH CHECK (true);
            """)
        let failed = try failedIds(spec, conninfo, table: "public.workflows")
        XCTAssertTrue(failed.isSuperset(of: ["upsert-other-tenant", "update-other-tenant", "select-own-rows", "insert-other-tenant"]), "\(failed)")
    }

    func testUpdateCheckThatLetsARowMove() throws {
        let (spec, db, conninfo) = try applied()
        try db.execute("ALTER POLICY tw_tenant_update ON public.workflows WITH CHECK (true)")
        XCTAssertEqual(try failedIds(spec, conninfo, table: "public.workflows"), ["update-move-row"])
    }

    func testDeletePolicyWithoutScope() throws {
        let (spec, db, conninfo) = try applied()
        try db.execute("ALTER POLICY tw_tenant_delete ON public.workflows USING (true)")
        XCTAssertEqual(try failedIds(spec, conninfo, table: "public.workflows"), ["delete-other-tenant"])
    }

    func testAdminModeThatTrustsAnyToken() throws {
        let (spec, db, conninfo) = try applied()
        try db.execute("""
            CREATE OR REPLACE FUNCTION tenantwall.admin_mode_enabled() RETURNS boolean LANGUAGE sql STABLE
            AS $$ SELECT COALESCE(current_setting('tenantwall.admin_token', true), '') <> '' $$
            """)
        // The application's forged token still shows it nothing: the admin policies are for the admin role only.
        XCTAssertEqual(try failedIds(spec, conninfo, table: "public.workflows"), ["admin-forged-token-admin"])
    }

    func testAdminModeOpenToTheApplication() throws {
        let (spec, db, conninfo) = try applied()
        // EXECUTE alone is not enough (the log refuses the application's row): membership in the admin role is.
        try db.execute("GRANT \(SQL.ident(spec.roles.admin)) TO \(SQL.ident(spec.roles.app))")
        XCTAssertTrue(try failedIds(spec, conninfo, table: "public.workflows").contains("admin-enable-nonmember"))
    }

    func testRLSDisabledOnOneTable() throws {
        let (spec, db, conninfo) = try applied()
        try db.execute("ALTER TABLE public.workflows DISABLE ROW LEVEL SECURITY")
        let failed = try failedIds(spec, conninfo, table: "public.workflows")
        XCTAssertTrue(failed.isSuperset(of: ["rls-enabled-forced", "select-own-rows", "insert-other-tenant"]), "\(failed)")
        XCTAssertTrue(try failedIds(spec, conninfo, table: "public.executions").isEmpty)
    }

    func testPolicyUsingTrue() throws {
        let (spec, db, conninfo) = try applied()
        try db.execute("ALTER POLICY tw_tenant_select ON public.workflows USING (true)")
        let failed = try failedIds(spec, conninfo, table: "public.workflows")
        XCTAssertTrue(failed.contains("select-own-rows"), "\(failed)")
        XCTAssertTrue(failed.contains("copy-own-rows"), "\(failed)")
    }

    func testInsertPolicyWithoutWithCheck() throws {
        let (spec, db, conninfo) = try applied()
        try db.execute("DROP POLICY tw_tenant_insert ON public.workflows; CREATE POLICY loose ON public.workflows FOR INSERT TO \(SQL.ident(spec.roles.app)) WITH CHECK (true)")
        let failed = try failedIds(spec, conninfo, table: "public.workflows")
        XCTAssertTrue(failed.contains("insert-other-tenant"), "\(failed)")
    }

    func testNotForcedWhileTheAppOwnsTheTable() throws {
        let (spec, db, conninfo) = try applied()
        try db.execute("ALTER TABLE public.workflows NO FORCE ROW LEVEL SECURITY; ALTER TABLE public.workflows OWNER TO \(SQL.ident(spec.roles.app))")
        let failed = try failedIds(spec, conninfo, table: "public.workflows")
        XCTAssertTrue(failed.isSuperset(of: ["role-owns-table", "rls-enabled-forced", "select-own-rows"]), "\(failed)")
    }

    func testViewWithoutSecurityInvoker() throws {
        let (spec, db, conninfo) = try applied()
        try db.execute("CREATE VIEW public.workflow_names AS SELECT tenant_id, name FROM public.workflows; GRANT SELECT ON public.workflow_names TO \(SQL.ident(spec.roles.app))")
        XCTAssertTrue(try failedIds(spec, conninfo, table: "public.workflows").contains("view-without-context"))
        try db.execute("ALTER VIEW public.workflow_names SET (security_invoker = true)")
        XCTAssertFalse(try failedIds(spec, conninfo, table: "public.workflows").contains("view-without-context"), "a security_invoker view passes")
    }

    func testPartitionReadableDirectly() throws {
        let (spec, db, conninfo) = try applied("analytics-warehouse")
        // The partition guard re-secures a partition whose RLS is turned off, so the break needs it disabled too.
        try db.execute("""
            ALTER EVENT TRIGGER tenantwall_secure_partitions DISABLE;
            ALTER TABLE analytics.daily_usage_default NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
            GRANT SELECT, INSERT, UPDATE, DELETE ON analytics.daily_usage_default TO \(SQL.ident(spec.roles.app));
            """)
        let failed = try failedIds(spec, conninfo, table: "analytics.daily_usage")
        XCTAssertTrue(failed.isSuperset(of: ["partition-read", "partition-write", "partition-update", "partition-delete"]), "\(failed)")
    }

    /// A direct write that fails for another reason than a wall (here a unique index the probe row, a copy of a
    /// row the partition holds, collides with) is not evidence of a wall: the check still fails when the walls are down.
    func testPartitionWriteRefusedOnlyByAWall() throws {
        let (spec, db, conninfo) = try applied("analytics-warehouse")
        try db.execute("""
            ALTER EVENT TRIGGER tenantwall_secure_partitions DISABLE;
            ALTER TABLE analytics.daily_usage_default NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
            GRANT SELECT, INSERT ON analytics.daily_usage_default TO \(SQL.ident(spec.roles.app));
            CREATE UNIQUE INDEX one_row_per_day ON analytics.daily_usage_default (day);
            """)
        let report = try Verifier(spec: spec, conninfo: conninfo).run()
        let writes = report.checks.filter { $0.id == "partition-write" && $0.title.contains("daily_usage_default") && $0.role == spec.roles.app }
        XCTAssertFalse(writes.isEmpty)
        for write in writes {
            XCTAssertFalse(write.passed, "refused by 23505, not by a privilege or a policy: \(write.actual)")
            XCTAssertTrue(write.actual.hasPrefix("23505"), write.actual)
        }
    }

    func testAppRoleWithBypassRLS() throws {
        let (spec, db, conninfo) = try applied()
        try db.execute("ALTER ROLE \(SQL.ident(spec.roles.app)) BYPASSRLS")
        defer { _ = try? db.execute("ALTER ROLE \(SQL.ident(spec.roles.app)) NOBYPASSRLS") }
        let failed = try failedIds(spec, conninfo)
        XCTAssertTrue(failed.isSuperset(of: ["role-no-bypass", "select-own-rows"]), "\(failed)")
    }

    func testContextSetterWithSessionScope() throws {
        let (spec, db, conninfo) = try applied()
        try db.execute("""
            CREATE OR REPLACE FUNCTION tenantwall.set_tenant_context(tenant bigint) RETURNS void LANGUAGE sql VOLATILE
            AS $$ SELECT pg_catalog.set_config('app.current_tenant_id', tenant::text, false) $$
            """)
        XCTAssertEqual(try failedIds(spec, conninfo), ["context-transaction-local", "context-setting-transaction-local"])
    }

    func testUncoveredTenantTableIsFlagged() throws {
        let (spec, db, conninfo) = try applied()
        try db.execute("CREATE TABLE public.forgotten (tenant_id bigint, secret text)")
        let report = try Verifier(spec: spec, conninfo: conninfo).run()
        XCTAssertEqual(report.failed.map { "\($0.id) \($0.table)" }, ["table-covered public.forgotten"])
    }

    func testCommandWritesEveryReportAndExitsOneOnAFailure() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-report-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clean = try TestServer.freshDatabase("verifycli")
        let example = try SpecFiles.load([TestServer.path("policies/workflow-platform")])
        try LiveDatabase(connection: clean.connection).apply(example)
        let url = try TestServer.shared.connectionString(database: clean.name)
        let ok = try TenantwallProcess.run(["verify", "--spec", "policies/workflow-platform", "--database", url, "--report-dir", dir])
        XCTAssertEqual(ok.status, 0, ok.stdout + ok.stderr)
        for file in ["report.xml", "report.md", "report.html", "report.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + file), file)
        }
        let xml = try String(contentsOfFile: dir + "/report.xml", encoding: .utf8)
        XCTAssertNoThrow(try XMLDocument(xmlString: xml), "JUnit XML is well-formed")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/report.json"))) as? [String: Any]
        XCTAssertEqual((json?["summary"] as? [String: Any])?["verdict"] as? String, "hold")
        try clean.connection.execute("ALTER ROLE wf_app LOGIN"); try clean.connection.execute("ALTER POLICY tw_tenant_select ON public.workflows USING (true)")
        let broken = try TenantwallProcess.run(["verify", "--spec", "policies/workflow-platform", "--database", url, "--report-dir", dir])
        XCTAssertEqual(broken.status, 1)
        XCTAssertTrue(broken.stdout.contains("FAIL public.workflows select-own-rows"), broken.stdout)
        let html = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("check(s) failed") && html.contains("select-own-rows"))
        let failures = try XCTUnwrap(html.range(of: "<h2>Failed checks</h2>")), matrix = try XCTUnwrap(html.range(of: "<h2>Matrix"))
        XCTAssertLessThan(failures.lowerBound, matrix.lowerBound, "failures come before the hundreds of passes")
        XCTAssertTrue(html.contains("<div class=\"scroll\"><table class=\"matrix\">"), "the matrix scrolls instead of being cut off")
        XCTAssertNoThrow(try XMLDocument(xmlString: try String(contentsOfFile: dir + "/report.xml", encoding: .utf8)))
        let unusable = try TenantwallProcess.run(["verify", "--spec", "policies/workflow-platform", "--database", TestServer.shared.connectionString(database: clean.name, user: example.roles.app)])
        XCTAssertEqual(unusable.status, 2, "a connection that cannot bypass RLS cannot seed probes: " + unusable.stderr)
    }

    /// Probe tenant ids are valid and distinct for every count verify accepts (a 33-digit uuid from tenant 10 on
    /// once made `verify --tenants 11` fail on uuid specs).
    func testProbeTenantIdsAreValidForEveryCount() throws {
        var settings = Verifier.Settings()
        settings.tenants = 26
        for type in TenantType.allCases {
            var spec = try SpecFiles.load([TestServer.path("policies/workflow-platform")])
            spec.tenancy.type = type
            let ids = Verifier(spec: spec, conninfo: "", settings: settings).tenantIds
            XCTAssertEqual(Set(ids).count, 26, "\(type)")
            if type == .uuid {
                XCTAssertTrue(ids.allSatisfy { UUID(uuidString: $0) != nil }, "\(ids)")
            }
        }
    }
}
