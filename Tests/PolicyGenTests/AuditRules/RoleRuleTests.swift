import Audit
import Foundation
import XCTest

/// Who can get around the wall: application roles that bypass RLS (TW112), own a protected table (TW113), hold
/// privileges RLS does not govern (TW121), get them through PUBLIC (TW122) or default privileges (TW129), or can
/// SET ROLE to a table's owner (TW130).
final class RoleRuleTests: XCTestCase, RuleTestFile {
    static let covered: Set<String> = ["TW112", "TW113", "TW121", "TW122", "TW129", "TW130"]
    static let path = #filePath

    /// `public.t`, a walled tenant table owned by `owner`, with the given grants.
    static func walled(owner: String = "owner", grants: [String] = ["app:SELECT"], columnGrants: [String] = []) -> CatalogBuilder {
        var b = CatalogBuilder()
        b.role("owner"); b.role("app", login: true)
        b.table("public.t", owner: owner, columns: ["tenant_id", "id"], rls: true, forced: true, grants: grants, columnGrants: columnGrants)
        b.policy("public.t", "p", roles: ["app"], using: "(tenant_id = ( SELECT tenantwall.current_tenant_id() AS current_tenant_id))")
        return b
    }

    func testAppRoleBypasses() {
        var b = Self.walled()
        b.roles.removeAll()
        b.role("owner"); b.role("postgres", superuser: true, login: true)
        b.role("app", superuser: true, login: true)
        b.role("etl", bypassRLS: true, login: true)
        b.role("api", bypassMemberships: ["postgres", "etl"], login: true, memberOf: ["postgres", "etl"])
        b.role("web", login: true)
        let found = assertFindings(AppRoleBypasses(), b, appRoles: ["app", "etl", "api", "web"], ["role api", "role app", "role etl"])
        XCTAssertEqual(found.map { $0.fix ?? "" }, [#"REVOKE "postgres" FROM "api"; REVOKE "etl" FROM "api";"#, #"ALTER ROLE "app" NOSUPERUSER;"#,
                                                    #"ALTER ROLE "etl" NOBYPASSRLS;"#])
        XCTAssertEqual(found.map(\.message), ["application role api is a member of postgres, etl", "application role app is a superuser", "application role etl has BYPASSRLS"])
        // The superuser itself is no application role.
        assertFindings(AppRoleBypasses(), Self.walled(), appRoles: ["app"], [])
    }

    /// #31: a policy written `TO postgres` does not make the superuser an application role: it bypasses every
    /// policy anyway, and audit's inference must not report it (TW112) or the tables it owns (TW113).
    func testSuperuserNamedByAPolicyIsNoApplicationRole() {
        var b = Self.walled(owner: "postgres")
        b.roles.removeAll()
        b.role("postgres", superuser: true, login: true); b.role("app", login: true)
        b.policy("public.t", "admin_all", roles: ["postgres"], using: "true")
        let input = AuditInput(catalog: b.build())
        XCTAssertEqual(input.appRoles, ["app"])
        assertFindings(AppRoleBypasses(), input, [])
        assertFindings(AppRoleOwnsTable(), input, [])
        // Named explicitly, it is judged like any other.
        assertFindings(AppRoleBypasses(), b, appRoles: ["postgres"], ["role postgres"])
    }

    func testAppRoleOwnsTable() {
        let found = assertFindings(AppRoleOwnsTable(), Self.walled(owner: "app"), appRoles: ["app"], ["table public.t"])
        XCTAssertEqual(found.first?.fix, #"ALTER TABLE "public"."t" OWNER TO <owner role>;"#)
        XCTAssertEqual(found.first?.message, "public.t is owned by application role app")
        assertFindings(AppRoleOwnsTable(), Self.walled(), appRoles: ["app"], [])
    }

    func testUngovernedPrivileges() {
        let found = assertFindings(UngovernedPrivileges(), Self.walled(grants: ["app:SELECT", "app:TRUNCATE"], columnGrants: ["app:REFERENCES"]),
                                   appRoles: ["app"], ["table public.t", "table public.t"])
        XCTAssertEqual(found.map { $0.fix ?? "" }, [#"REVOKE REFERENCES ON "public"."t" FROM "app";"#, #"REVOKE TRUNCATE ON "public"."t" FROM "app";"#])
        XCTAssertEqual(found.map(\.message), ["app holds REFERENCES on public.t", "app holds TRUNCATE on public.t"])
        assertFindings(UngovernedPrivileges(), Self.walled(grants: ["app:SELECT", "owner:TRUNCATE", "reporting:TRUNCATE"]), appRoles: ["app"], [],
                       "the owner, and roles that are not the application's")
    }

    func testGrantToPublic() {
        let found = assertFindings(GrantToPublic(), Self.walled(grants: ["PUBLIC:SELECT", "PUBLIC:UPDATE", "app:SELECT"]), appRoles: ["app"], ["table public.t"])
        XCTAssertEqual(found.first?.fix, #"REVOKE ALL ON "public"."t" FROM PUBLIC;"#)
        XCTAssertEqual(found.first?.message, "PUBLIC holds SELECT, UPDATE on public.t")
        assertFindings(GrantToPublic(), Self.walled(), appRoles: ["app"], [])
        // A column-level grant to PUBLIC reaches every role too.
        assertFindings(GrantToPublic(), Self.walled(columnGrants: ["PUBLIC:SELECT"]), appRoles: ["app"], ["table public.t"])
    }

    func testDefaultPrivilegesToApp() {
        var b = Self.walled()
        b.defaultPrivilege(owner: "owner", schema: "public", grantee: "app", privilege: "SELECT")
        b.defaultPrivilege(owner: "owner", schema: "public", grantee: "app", privilege: "INSERT")
        b.defaultPrivilege(owner: "owner", grantee: "PUBLIC", privilege: "SELECT")
        b.defaultPrivilege(owner: "owner", grantee: "reporting", privilege: "SELECT")
        let found = assertFindings(DefaultPrivilegesToApp(), b, appRoles: ["app"], ["default privileges owner", "default privileges owner.public"])
        XCTAssertEqual(found.map { $0.fix ?? "" }, [#"ALTER DEFAULT PRIVILEGES FOR ROLE "owner" REVOKE ALL ON TABLES FROM PUBLIC;"#,
                                                    #"ALTER DEFAULT PRIVILEGES FOR ROLE "owner" IN SCHEMA "public" REVOKE ALL ON TABLES FROM "app";"#])
        XCTAssertEqual(found.map(\.message), ["tables that owner creates are granted SELECT to PUBLIC by default",
                                              "tables that owner creates in public are granted INSERT, SELECT to app by default"])
        var good = Self.walled()
        good.defaultPrivilege(owner: "owner", schema: "public", grantee: "reporting", privilege: "SELECT")
        assertFindings(DefaultPrivilegesToApp(), good, appRoles: ["app"], [])
    }

    func testMembershipEscalation() {
        var b = Self.walled()
        b.roles.removeAll()
        b.role("owner"); b.role("app", login: true, memberOf: ["staff", "owner"]); b.role("staff", memberOf: ["owner"])
        let found = assertFindings(MembershipEscalation(), b, appRoles: ["app"], ["role app"])
        XCTAssertEqual(found.first?.fix, #"REVOKE "owner" FROM "app";"#)
        XCTAssertEqual(found.first?.message, "app can SET ROLE owner, the owner of public.t")
        assertFindings(MembershipEscalation(), Self.walled(), appRoles: ["app"], [])
    }

    /// Through a chain (app → staff → owner), revoking the owner from the application does nothing: the fix
    /// revokes the direct grant the chain starts with.
    func testMembershipEscalationFixRevokesTheGrantOnThePath() {
        var b = Self.walled()
        b.roles.removeAll()
        b.role("owner"); b.role("reporting")
        b.role("app", login: true, memberOf: ["staff", "owner", "reporting"], granted: ["reporting", "staff"]); b.role("staff", memberOf: ["owner"], granted: ["owner"])
        let found = assertFindings(MembershipEscalation(), b, appRoles: ["app"], ["role app"])
        XCTAssertEqual(found.first?.fix, #"REVOKE "staff" FROM "app";"#)
    }
}
