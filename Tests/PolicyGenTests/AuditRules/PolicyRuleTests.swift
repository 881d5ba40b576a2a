import Audit
import Foundation
import XCTest

/// What policies say: for whom (TW105), always true (TW106), writes unchecked (TW107), fail-open (TW108), raising
/// reads of the context (TW109), blind to the row (TW110), a hard-coded tenant (TW111), a forgeable switch
/// (TW124) and a forgeable membership lookup (TW131).
final class PolicyRuleTests: XCTestCase, RuleTestFile {
    static let covered: Set<String> = ["TW105", "TW106", "TW107", "TW108", "TW109", "TW110", "TW111", "TW124", "TW131"]
    static let path = #filePath

    static let context = "(tenant_id = (NULLIF(current_setting('app.tenant'::text, true), ''::text))::integer)"

    /// `public.t` (tenant rows, RLS forced, read by `app`) with one policy `p`.
    static func table(_ using: String?, check: String? = nil, roles: [String] = ["app"], command: String = "*", permissive: Bool = true) -> CatalogBuilder {
        var b = CatalogBuilder()
        b.role("owner"); b.role("app", login: true); b.role("admin")
        b.table("public.t", columns: ["tenant_id", "id", "deleted_at"], rls: true, forced: true, grants: ["app:SELECT", "app:INSERT"])
        b.policy("public.t", "p", roles: roles, command: command, using: using, check: check, permissive: permissive)
        return b
    }

    @discardableResult
    func run(_ rule: any AuditRule, _ using: String?, check: String? = nil, roles: [String] = ["app"], command: String = "*", permissive: Bool = true,
             _ expected: [String], _ message: String = "", file: StaticString = #filePath, line: UInt = #line) -> [Finding] {
        assertFindings(rule, Self.table(using, check: check, roles: roles, command: command, permissive: permissive), appRoles: ["app"], expected, message,
                       file: file, line: line)
    }

    func testPolicyToPublic() {
        let found = run(PolicyToPublic(), Self.context, roles: ["public"], ["policy public.t.p"])
        XCTAssertEqual(found.first?.fix, #"ALTER POLICY "p" ON "public"."t" TO "app";"#)
        XCTAssertTrue(found.first?.message.contains("the roles holding privileges on it today are app") == true, found.first?.message ?? "")
        run(PolicyToPublic(), Self.context, [])
        assertFindings(PolicyToPublic(), Self.table(Self.context, roles: ["public"], permissive: false), appRoles: ["app"], [], "a restrictive policy grants nothing")
    }

    func testPolicyAlwaysTrue() {
        let found = run(PolicyAlwaysTrue(), "true", ["policy public.t.p"])
        XCTAssertEqual(found.first?.message, "policy p on public.t: USING is always true (true)")
        let buried = run(PolicyAlwaysTrue(), "((tenant_id = 1) OR true)", check: "true", ["policy public.t.p"])
        XCTAssertEqual(buried.first?.message, "policy p on public.t: USING and WITH CHECK is always true (((tenant_id = 1) OR true))")
        run(PolicyAlwaysTrue(), Self.context, [])
        // The owner's own policy opens nothing the owner could not open itself.
        run(PolicyAlwaysTrue(), "true", roles: ["owner"], [])
    }

    func testWriteCheckDropsScope() {
        let insert = run(WriteCheckDropsScope(), nil, command: "a", ["policy public.t.p"])
        XCTAssertEqual(insert.first?.message, "policy p on public.t (INSERT) has no WITH CHECK")
        let blind = run(WriteCheckDropsScope(), Self.context, check: "(CURRENT_USER = 'app'::name)", ["policy public.t.p"])
        XCTAssertEqual(blind.first?.message, "policy p on public.t: WITH CHECK ((CURRENT_USER = 'app'::name)) does not look at the new row")
        run(WriteCheckDropsScope(), nil, check: Self.context, command: "a", [])
        run(WriteCheckDropsScope(), Self.context, command: "w", [])
        // An admin gate checks the session, not the row, by design.
        run(WriteCheckDropsScope(), "(CURRENT_USER = 'admin'::name)", check: "(CURRENT_USER = 'admin'::name)", roles: ["admin"], [])
        run(WriteCheckDropsScope(), Self.context, check: "tenantwall.admin_mode_enabled()", [])
    }

    func testFailOpenNull() {
        let open = "((current_setting('app.tenant'::text, true) IS NULL) OR \(Self.context))"
        let found = run(FailOpenNull(), open, ["policy public.t.p"])
        XCTAssertEqual(found.first?.message, "policy p on public.t grants rows when the context IS NULL: \(open)")
        // A WITH CHECK that fails open lets a session without a tenant write rows for any tenant: the message shows that one.
        let write = run(FailOpenNull(), Self.context, check: open, ["policy public.t.p"])
        XCTAssertEqual(write.first?.message, "policy p on public.t grants rows when the context IS NULL: \(open)")
        run(FailOpenNull(), open, roles: ["app"], permissive: false, [], "a restrictive policy grants nothing")
        run(FailOpenNull(), Self.context, [])
        run(FailOpenNull(), "((deleted_at IS NULL) OR \(Self.context))", [])
    }

    func testUnsafeCurrentSetting() {
        let found = run(UnsafeCurrentSetting(), "(tenant_id = (current_setting('app.tenant'::text))::uuid)", ["policy public.t.p"])
        XCTAssertEqual(found.first?.message, "policy p on public.t uses current_setting() without missing_ok and a cast that raises on ''")
        XCTAssertEqual(found.first?.fix, "use NULLIF(current_setting('app.tenant', true), '')::uuid, or tenantwall's current_tenant_id()")
        let cast = run(UnsafeCurrentSetting(), "(tenant_id = (current_setting('app.tenant'::text, true))::integer)", ["policy public.t.p"])
        XCTAssertEqual(cast.first?.message, "policy p on public.t uses a cast that raises on ''")
        run(UnsafeCurrentSetting(), Self.context, [])
    }

    func testPolicyWithoutRowColumn() {
        let found = run(PolicyWithoutRowColumn(), "(CURRENT_USER = 'app'::name)", ["policy public.t.p"])
        XCTAssertEqual(found.first?.message, "policy p on public.t does not look at the row: (CURRENT_USER = 'app'::name)")
        run(PolicyWithoutRowColumn(), Self.context, [])
        // The same gate for an admin role (not the application's) is admin access by design.
        run(PolicyWithoutRowColumn(), "(CURRENT_USER = 'admin'::name)", roles: ["admin"], [])
    }

    func testHardcodedTenant() {
        let found = run(HardcodedTenant(), "((tenant_id = 42) OR \(Self.context))", ["policy public.t.p"])
        XCTAssertEqual(found.first?.message, "policy p on public.t compares tenant_id with the literal '42'")
        run(HardcodedTenant(), "(\(Self.context) AND (id = 42))", [], "another column's literal is no tenant")
    }

    func testForgeableSetting() {
        let flag = "(\(Self.context) OR (current_setting('app.admin'::text, true) = 'on'::text))"
        let found = run(ForgeableSetting(), flag, ["policy public.t.p"])
        XCTAssertEqual(found.first?.message, "policy p on public.t grants access on the value of app.admin, which any session can SET")
        XCTAssertEqual(found.first?.fix, "grant that access through a role the application is not a member of (a policy TO that role), or tenantwall's admin mode")
        run(ForgeableSetting(), Self.context, [])
        // The same switch inside a function the policy calls.
        var b = Self.table("(\(Self.context) OR app.is_admin())")
        b.function("app.is_admin", volatility: "s", body: "SELECT current_setting('app.admin', true) = 'on'")
        assertFindings(ForgeableSetting(), b, appRoles: ["app"], ["policy public.t.p"])
        var role = Self.table("(\(Self.context) OR app.is_admin())")
        role.function("app.is_admin", volatility: "s", body: "SELECT pg_has_role('admin', 'MEMBER')")
        assertFindings(ForgeableSetting(), role, appRoles: ["app"], [])
    }

    /// A policy that looks up `public.memberships`, which has no RLS.
    static func membership(grants: [String], rls: Bool = false) -> CatalogBuilder {
        var b = table("(tenant_id IN ( SELECT m.tenant_id FROM public.memberships m WHERE (m.user_id = (current_setting('app.user'::text, true))::integer)))")
        b.table("public.memberships", columns: ["user_id", "tenant_id"], rls: rls, grants: grants)
        return b
    }

    func testForgeableMembership() {
        let found = assertFindings(ForgeableMembership(), Self.membership(grants: ["app:SELECT", "app:INSERT"]), appRoles: ["app"], ["policy public.t.p"])
        XCTAssertEqual(found.first?.fix, #"ALTER TABLE "public"."memberships" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY; (with its own policies), "#
                       + #"or REVOKE INSERT, UPDATE ON "public"."memberships" FROM "app";"#)
        XCTAssertEqual(found.first?.message, "policy p on public.t looks up public.memberships, which has no RLS and which app can write")
        assertFindings(ForgeableMembership(), Self.membership(grants: ["app:SELECT"]), appRoles: ["app"], [], "read-only for the application")
        assertFindings(ForgeableMembership(), Self.membership(grants: ["app:SELECT", "app:INSERT"], rls: true), appRoles: ["app"], [])
        // Unqualified in the policy: the table in the policy's own schema.
        var bare = Self.table("(tenant_id IN ( SELECT memberships.tenant_id FROM memberships))")
        bare.table("public.memberships", columns: ["user_id", "tenant_id"], grants: ["PUBLIC:UPDATE"])
        assertFindings(ForgeableMembership(), bare, appRoles: ["app"], ["policy public.t.p"])
    }
}
