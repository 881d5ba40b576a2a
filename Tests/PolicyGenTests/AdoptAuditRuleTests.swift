import Audit
import Foundation
import Migrations
import PolicyGen
import SQLParser
import XCTest

/// The adoption rules on catalogs and migrations written by hand: TW105's fix, TW124 without a spec, TW136,
/// TW509 and TW516 on tenantwall's own migrations, and who counts as the application.
final class AdoptAuditRuleTests: XCTestCase {
    /// The metrics service's policy as `pg_get_expr` prints it.
    static let metricsPolicy = "((tenant_id = (current_setting('app.tenant_id'::text, true))::integer) OR (current_setting('app.admin_mode'::text, true) = 'true'::text))"
    static let analyticsPolicy = "(tenant_id = (current_setting('app.current_tenant_id'::text, true))::uuid)"

    /// An analytics-platform-like catalog: raw.tenants open, raw.events and raw.users with a TO PUBLIC policy.
    static func analytics(tenantsGrants: [String] = ["owner:SELECT", "app:SELECT", "app:INSERT", "bi:SELECT"], tenantsRLS: Bool = false) -> CatalogBuilder {
        var b = CatalogBuilder()
        b.role("owner", login: true); b.role("app", login: true); b.role("bi", login: true); b.role("postgres", superuser: true, login: true)
        b.table("raw.tenants", columns: ["id", "name"], rls: tenantsRLS, grants: tenantsGrants)
        for name in ["raw.events", "raw.users"] {
            b.table(name, columns: ["tenant_id", "id"], rls: true, grants: ["owner:SELECT", "app:SELECT", "app:INSERT", "bi:SELECT", "postgres:SELECT"])
            b.policy(name, "tenant_isolation", using: analyticsPolicy)
            b.foreignKey(name, name.dropFirst(4) + "_tenant_id_fkey", columns: ["tenant_id"], references: "raw.tenants", referencedColumns: ["id"])
        }
        return b
    }

    func run(_ rule: any AuditRule, _ catalog: AuditCatalog, spec: Spec? = nil, appRoles: [String] = []) -> [Finding] {
        rule.check(AuditInput(catalog: catalog, spec: spec, appRoles: appRoles))
    }

    // MARK: TW105

    func testPolicyToPublicNamesTheRolesHoldingPrivileges() throws {
        var b = Self.analytics()
        b.table("raw.open", columns: ["tenant_id"], rls: true, grants: ["owner:SELECT", "PUBLIC:SELECT", "app:UPDATE"])
        b.policy("raw.open", "p", using: Self.analyticsPolicy)
        b.table("raw.unused", columns: ["tenant_id"], rls: true, grants: ["owner:SELECT"])
        b.policy("raw.unused", "p", using: Self.analyticsPolicy)
        let found = Dictionary(uniqueKeysWithValues: run(PolicyToPublic(), b.build()).map { ($0.location.object!, $0) })
        // Not the owner, not the superuser, not PUBLIC: the roles that read the table today.
        XCTAssertEqual(found["raw.events.tenant_isolation"]?.fix, #"ALTER POLICY "tenant_isolation" ON "raw"."events" TO "app", "bi";"#)
        XCTAssertEqual(found["raw.open.p"]?.fix, #"ALTER POLICY "p" ON "raw"."open" TO "app";"#)
        XCTAssertTrue(found["raw.open.p"]!.message.contains("PUBLIC itself holds SELECT on it"), found["raw.open.p"]!.message)
        XCTAssertFalse(found["raw.events.tenant_isolation"]!.message.contains("PUBLIC itself"))
        // Nobody but the owner holds a privilege: the application's roles (here inferred: app, bi, and the LOGIN
        // owner of unforced tables and the superuser granted SELECT, neither of which a policy can usefully name).
        XCTAssertEqual(found["raw.unused.p"]?.fix, #"ALTER POLICY "p" ON "raw"."unused" TO "app", "bi";"#)
        XCTAssertEqual(run(PolicyToPublic(), b.build(), appRoles: ["app"]).first { $0.location.object == "raw.unused.p" }?.fix,
                       #"ALTER POLICY "p" ON "raw"."unused" TO "app";"#)
    }

    // MARK: TW124 and the tenant context

    func testTheTenantSettingIsContextAndTheAdminFlagIsASwitch() throws {
        let metrics = try XCTUnwrap(PolicyExpression(Self.metricsPolicy))
        XCTAssertEqual(metrics.settingSwitches, ["app.admin_mode"], "app.tenant_id is compared with a column, not a constant")
        XCTAssertEqual(metrics.contextComparisons.map { "\($0.column)=\($0.setting)::\($0.type ?? "-")" }, ["tenant_id=app.tenant_id::integer"])
        let analytics = try XCTUnwrap(PolicyExpression(Self.analyticsPolicy))
        XCTAssertEqual(analytics.settingSwitches, [])
        XCTAssertEqual(analytics.contextComparisons.map { "\($0.column)=\($0.setting)::\($0.type ?? "-")" }, ["tenant_id=app.current_tenant_id::uuid"])
        // tenantwall's own form, and a reversed comparison: still context.
        let wrapped = try XCTUnwrap(PolicyExpression("(tenant_id = ( SELECT (NULLIF(current_setting('app.t'::text, true), ''::text))::bigint AS x))"))
        XCTAssertEqual(wrapped.contextComparisons.map { "\($0.column)=\($0.setting)::\($0.type ?? "-")" }, ["tenant_id=app.t::bigint"])
        XCTAssertEqual(PolicyExpression("((current_setting('app.t'::text, true))::integer = tenant_id)")!.settingSwitches, [])
    }

    func testForgeableSettingNeedsNoSpecNorApplicationRoles() {
        var b = CatalogBuilder()
        b.role("metrics_owner")
        for table in ["public.metrics", "public.alerts"] {
            b.table(table, owner: "metrics_owner", columns: ["tenant_id", "value"], rls: true)
            b.policy(table, table.dropFirst(7) + "_tenant", using: Self.metricsPolicy)
        }
        let input = AuditInput(catalog: b.build())
        XCTAssertEqual(input.appRoles, [], "no grants, no named roles: nothing to infer")
        let found = ForgeableSetting().check(input)
        XCTAssertEqual(found.map(\.location.object), ["public.metrics.metrics_tenant", "public.alerts.alerts_tenant"])
        XCTAssertTrue(found.allSatisfy { $0.message.contains("app.admin_mode") && !$0.message.contains("app.tenant_id") }, found.map(\.message).joined(separator: "\n"))
        XCTAssertEqual(UnsafeCurrentSetting().check(input).first?.fix, "use NULLIF(current_setting('app.tenant_id', true), '')::integer, or tenantwall's current_tenant_id()",
                       "the fix reads the policy's own setting, as its own type")
    }

    // MARK: TW136

    func testTenantsTableReadableByTheApplication() throws {
        let found = run(TenantsTableReadable(), Self.analytics().build())
        XCTAssertEqual(found.map(\.location.description), ["table raw.tenants"])
        XCTAssertEqual(found.first?.severity, .error)
        XCTAssertEqual(found.first?.fix, #"ALTER TABLE "raw"."tenants" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY; "#
                       + #"CREATE POLICY "tenant_isolation" ON "raw"."tenants" TO "app", "bi" USING ("id" = (SELECT NULLIF(current_setting('app.current_tenant_id', true), '')::uuid));"#)
        XCTAssertTrue(found.first!.message.contains("raw.events, raw.users") && found.first!.message.contains("app can INSERT"), found.first!.message)
        // The fix parses as SQL.
        XCTAssertEqual(try SQLParser.statements(in: found.first!.fix!).map(\.kind), ["AlterTableStmt", "CreatePolicyStmt"])
    }

    func testTenantsTableReaderComesFromTheSpecWhenThereIsOne() throws {
        var spec = try SpecLoader.load(Repository.model("workflow-platform"))
        let native = run(TenantsTableReadable(), Self.analytics().build(), spec: spec, appRoles: ["app"]).first?.fix ?? ""
        XCTAssertTrue(native.hasSuffix(#"USING ("id" = "tenantwall"."current_tenant_id"());"#), native)
        spec.tenancy.helpers = .inline
        let inline = run(TenantsTableReadable(), Self.analytics().build(), spec: spec, appRoles: ["app"]).first
        XCTAssertTrue(inline?.fix?.hasSuffix(#"USING ("id" = (SELECT "tenantwall"."current_tenant_id"()));"#) == true, inline?.fix ?? "")
        XCTAssertTrue(inline?.message.contains("isolation: self") == true)
    }

    func testTenantsTableNotReportedWhenProtectedOrUnread() {
        XCTAssertEqual(run(TenantsTableReadable(), Self.analytics(tenantsRLS: true).build()), [], "RLS on: its policies are judged by the other rules")
        XCTAssertEqual(run(TenantsTableReadable(), Self.analytics(tenantsGrants: ["owner:SELECT", "owner:INSERT"]).build()), [], "only the owner reads it")
        var b = Self.analytics()
        b.policy("raw.tenants", "dormant", roles: ["app"], using: "(id = '00000000-0000-0000-0000-000000000000'::uuid)")
        XCTAssertEqual(run(TenantsTableReadable(), b.build()), [], "policies without RLS are TW102's")
        // A composite key (tenant_id, user_id) → users does not make users the tenants table.
        var c = CatalogBuilder()
        c.role("app")
        c.table("raw.people", columns: ["org", "id"], grants: ["app:SELECT"])
        c.table("raw.events", columns: ["tenant_id", "user_id"], rls: true, grants: ["app:SELECT"])
        c.foreignKey("raw.events", "events_user_fkey", columns: ["tenant_id", "user_id"], references: "raw.people", referencedColumns: ["org", "id"])
        XCTAssertEqual(run(TenantsTableReadable(), c.build()), [])
        // PUBLIC reading it counts; the fix's policy then names the application's roles.
        let open = run(TenantsTableReadable(), Self.analytics(tenantsGrants: ["PUBLIC:SELECT"]).build(), appRoles: ["app"])
        XCTAssertTrue(open.first?.fix?.contains(#"ON "raw"."tenants" TO "app" USING"#) == true, open.first?.fix ?? "")
    }

    // MARK: who is the application

    func testALoginOwnerWhoseForcedTablesHideRowsFromItIsNotTheApplication() {
        var b = CatalogBuilder()
        b.role("owner", login: true); b.role("app")
        b.table("public.t", columns: ["tenant_id"], rls: true, forced: true, grants: ["app:SELECT"])
        b.policy("public.t", "p", roles: ["app"], using: Self.analyticsPolicy)
        XCTAssertEqual(AuditInput(catalog: b.build()).appRoles, ["app"])
        var unforced = b
        unforced.table("public.u", columns: ["tenant_id"], rls: true, forced: false)
        XCTAssertEqual(AuditInput(catalog: unforced.build()).appRoles, ["app", "owner"], "an unforced table gives its owner every row")
        var toPublic = b
        toPublic.policy("public.t", "q", using: Self.analyticsPolicy)
        XCTAssertEqual(AuditInput(catalog: toPublic.build()).appRoles, ["app", "owner"], "a policy TO PUBLIC binds the owner too: it reads rows")
    }

    // MARK: TW509 and TW516 on migrations

    func migration(_ text: String, name: String = "V0001__x.sql") throws -> ParsedMigration {
        try ParsedMigration(file: MigrationFile(name: name, bytes: Array(text.utf8)), path: name)
    }

    func findings(_ rule: any AuditRule, _ texts: String...) throws -> [String] {
        let parsed = try texts.enumerated().map { try migration($1, name: "V000\($0 + 1)__x.sql") }
        return rule.check(AuditInput(migrations: parsed)).map { "\($0.location.file!):\($0.location.line!) \($0.message)" }
    }

    func testDropPolicyReplacedInTheSameFileIsNotReported() throws {
        let replace = """
            DROP POLICY IF EXISTS "p" ON "public"."t";
            CREATE POLICY "p" ON "public"."t" USING (tenant_id = 1);
            DROP POLICY IF EXISTS q ON t;
            CREATE POLICY q ON public.t USING (tenant_id = 1);
            """
        XCTAssertEqual(try findings(DisablesIsolation(), replace), [])
        // Another name, another table, or an earlier CREATE: an opening.
        XCTAssertEqual(try findings(DisablesIsolation(), "DROP POLICY p ON t;\nCREATE POLICY other ON t USING (tenant_id = 1);"),
                       ["V0001__x.sql:1 DROP POLICY p ON t, not created again later in this file"])
        XCTAssertEqual(try findings(DisablesIsolation(), "DROP POLICY p ON t;\nCREATE POLICY p ON u USING (tenant_id = 1);").count, 1)
        XCTAssertEqual(try findings(DisablesIsolation(), "CREATE POLICY p ON t USING (tenant_id = 1);\nDROP POLICY p ON t;").count, 1)
        // Re-created in the next file: between the two files the table is without it.
        XCTAssertEqual(try findings(DisablesIsolation(), "DROP POLICY p ON t;", "CREATE POLICY p ON t USING (tenant_id = 1);").count, 1)
        // A no-transaction file commits each statement on its own.
        XCTAssertEqual(try findings(DisablesIsolation(), "-- tenantwall:no-transaction\n" + replace).count, 2)
    }

    func testDoBlocksThatDropPolicies() throws {
        let stale = """
            DO $tw$
            DECLARE stale name;
            BEGIN
                FOR stale IN SELECT polname FROM pg_catalog.pg_policy WHERE polrelid = '"public"."tenants"'::regclass AND polname <> ALL (ARRAY['tw_tenant_select']::name[]) LOOP
                    EXECUTE pg_catalog.format('DROP POLICY %I ON %s', stale, '"public"."tenants"'::regclass);
                END LOOP;
            END
            $tw$;

            """
        let create = "CREATE POLICY \"tw_tenant_select\" ON \"public\".\"tenants\" FOR SELECT USING (id = 1);\n"
        XCTAssertEqual(try findings(DisablesIsolation(), stale + create), [], "the table keeps the file's own policies")
        XCTAssertEqual(try findings(DisablesIsolation(), stale), ["V0001__x.sql:1 a DO block drops policies on public.tenants, and this file creates none on it afterwards"])
        XCTAssertEqual(try findings(DisablesIsolation(), stale + "CREATE POLICY p ON public.other USING (id = 1);").count, 1)
        let computed = """
            DO $$ DECLARE r record; BEGIN
                FOR r IN SELECT polname, polrelid::regclass AS rel FROM pg_catalog.pg_policy WHERE polrelid = ANY (SELECT oid FROM pg_catalog.pg_class WHERE relname LIKE 'x%') LOOP
                    EXECUTE format('DROP POLICY %I ON %s', r.polname, r.rel);
                END LOOP;
            END $$;

            """
        XCTAssertEqual(try findings(DisablesIsolation(), computed + create), ["V0001__x.sql:1 a DO block drops policies on tables its text does not name"])
        // tenantwall's hand-over from inline helpers: only its own tw_ policies, which the file creates again.
        let handOver = computed.replacingOccurrences(of: "relname LIKE 'x%')", with: "relname LIKE 'x%') AND polname LIKE 'tw\\_%'")
        XCTAssertEqual(try findings(DisablesIsolation(), handOver + create), [])
        XCTAssertEqual(try findings(DisablesIsolation(), handOver + "CREATE POLICY mine ON t USING (id = 1);").count, 1)
    }

    func testDisablingRLSOnATableWithoutTenantRows() throws {
        let exempt = "CREATE TABLE IF NOT EXISTS s.flags (key text PRIMARY KEY, value text);\nALTER TABLE s.flags NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;"
        XCTAssertEqual(try findings(DisablesIsolation(), exempt), [])
        XCTAssertEqual(try findings(DisablesIsolation(), exempt.replacingOccurrences(of: "value text", with: "tenant_id uuid")).count, 2)
        XCTAssertEqual(try findings(DisablesIsolation(), "ALTER TABLE s.flags DISABLE ROW LEVEL SECURITY;").count, 1, "a table the file does not create")
    }

    func testAlwaysTruePolicyOnSharedData() throws {
        let shared = "CREATE TABLE a.plans (id int PRIMARY KEY, name text);\nCREATE POLICY \"tw_shared_select\" ON \"a\".\"plans\" FOR SELECT USING (true);"
        XCTAssertEqual(try findings(MigrationPolicyAlwaysTrue(), shared), [])
        XCTAssertEqual(try findings(MigrationPolicyAlwaysTrue(), shared.replacingOccurrences(of: "name text", with: "tenant_id uuid")),
                       ["V0001__x.sql:2 policy tw_shared_select on a.plans is always true"])
        XCTAssertEqual(try findings(MigrationPolicyAlwaysTrue(), "CREATE POLICY p ON a.plans FOR SELECT USING (true);"),
                       ["V0001__x.sql:1 policy p on a.plans is always true"], "a table the migrations do not create may hold tenant rows")
        // The owner's own policy (owner_access: all), on a table the migrations gave it: it could turn RLS off.
        let owned = "CREATE TABLE a.t (tenant_id uuid);\nALTER TABLE a.t OWNER TO o;\nCREATE POLICY tw_owner_all ON a.t FOR ALL TO o USING (true) WITH CHECK (true);"
        XCTAssertEqual(try findings(MigrationPolicyAlwaysTrue(), owned), [])
        XCTAssertEqual(try findings(MigrationPolicyAlwaysTrue(), owned.replacingOccurrences(of: "TO o USING", with: "TO o, app USING")).count, 1, "another role too")
        XCTAssertEqual(try findings(MigrationPolicyAlwaysTrue(), owned.replacingOccurrences(of: "OWNER TO o", with: "OWNER TO x")).count, 1, "not the owner")
    }

    /// tenantwall's generated migration for every example passes its own statement rules: no error, and no
    /// warning (the catalog rules on it are checked against a server in AdoptAuditTests).
    func testGeneratedMigrationsPassTheirOwnAudit() throws {
        for model in Repository.models {
            let sql = Generator(spec: try SpecLoader.load(Repository.model(model))).script()
            let findings = Auditor.run(AuditInput(migrations: [try migration(sql)]))
            XCTAssertEqual(findings.filter { $0.severity >= .warning }.map { "\($0.ruleId) \($0.location.description): \($0.message)" }, [], model)
        }
    }
}
