import Audit
import Foundation
import XCTest

/// Functions that run with more rights than their caller or leak: SECURITY DEFINER without a pinned
/// search_path (TW116) or callable by the application (TW117), LEAKPROOF (TW118), triggers running as a
/// bypassing role (TW119), session-long setters (TW125) and IMMUTABLE functions reading session state (TW126).
final class FunctionRuleTests: XCTestCase, RuleTestFile {
    static let covered: Set<String> = ["TW116", "TW117", "TW118", "TW119", "TW125", "TW126"]
    static let path = #filePath

    static func base() -> CatalogBuilder {
        var b = CatalogBuilder()
        b.role("owner"); b.role("app", login: true); b.role("postgres", superuser: true, login: true)
        b.table("public.t", columns: ["tenant_id", "id"], rls: true, forced: true, grants: ["app:SELECT"])
        return b
    }

    func testDefinerSearchPath() {
        var b = Self.base()
        b.function("public.unpinned", signature: "integer", securityDefiner: true)
        b.function("public.temp_first", securityDefiner: true, config: ["search_path=pg_temp, public"])
        b.function("public.pinned", securityDefiner: true, config: ["search_path=pg_catalog, pg_temp"])
        b.function("public.quoted", securityDefiner: true, config: ["search_path=app, \"pg_temp\""])
        b.function("public.invoker", signature: "integer")
        let found = assertFindings(DefinerSearchPath(), b, ["function public.temp_first()", "function public.unpinned(integer)"])
        XCTAssertEqual(found.last?.fix, #"ALTER FUNCTION "public"."unpinned"(integer) SET search_path = pg_catalog, pg_temp;"#)
        XCTAssertEqual(found.last?.message, "public.unpinned(integer) is SECURITY DEFINER without search_path pinned (pg_temp last)")
    }

    func testDefinerExecutableByApp() {
        var b = Self.base()
        b.function("public.open", signature: "integer", securityDefiner: true, executors: ["owner", "PUBLIC"])
        b.function("public.granted", securityDefiner: true, executors: ["owner", "app"])
        b.function("public.closed", securityDefiner: true, executors: ["owner", "reporting"])
        b.function("public.invoker", executors: ["owner", "PUBLIC", "app"])
        let found = assertFindings(DefinerExecutableByApp(), b, appRoles: ["app"], ["function public.granted()", "function public.open(integer)"])
        XCTAssertEqual(found.map(\.message), ["public.granted() is SECURITY DEFINER and executable by app", "public.open(integer) is SECURITY DEFINER and executable by PUBLIC"])
        // The fix takes EXECUTE from whoever the finding names: a grant to the application is not PUBLIC's.
        XCTAssertEqual(found.map { $0.fix ?? "" }, [#"REVOKE EXECUTE ON FUNCTION "public"."granted"() FROM "app";"#,
                                                    #"REVOKE EXECUTE ON FUNCTION "public"."open"(integer) FROM PUBLIC;"#])
    }

    func testLeakproofFunction() {
        var b = Self.base()
        b.function("public.gt", signature: "integer, integer", leakproof: true, volatility: "i")
        b.function("public.plain", signature: "integer", volatility: "i")
        let found = assertFindings(LeakproofFunction(), b, ["function public.gt(integer, integer)"])
        XCTAssertEqual(found.first?.fix, #"ALTER FUNCTION "public"."gt"(integer, integer) NOT LEAKPROOF;"#)
    }

    func testTriggerRunsAsBypassingRole() {
        var b = Self.base()
        b.trigger("public.t", "stamp", function: "public.stamp()", functionOwner: "postgres", securityDefiner: true)
        b.trigger("public.t", "invoker", function: "public.log()", functionOwner: "postgres", securityDefiner: false)
        b.trigger("public.t", "owned", function: "public.owned()", functionOwner: "owner", securityDefiner: true)
        b.table("public.flags", columns: ["key"])
        b.trigger("public.flags", "unprotected", function: "public.stamp()", functionOwner: "postgres", securityDefiner: true)
        let found = assertFindings(TriggerRunsAsBypassingRole(), b, ["trigger public.t.stamp"])
        XCTAssertEqual(found.first?.message, "trigger stamp on public.t runs public.stamp() as postgres, which bypasses RLS")
    }

    func testSessionScopeSetter() {
        var b = Self.base()
        b.function("public.set_tenant", signature: "p_tenant integer", executors: ["owner", "app"],
                   body: "BEGIN PERFORM set_config('app.tenant', p_tenant::text, false); END")
        b.function("public.set_role_name", executors: ["PUBLIC"], body: "BEGIN SET app.who = 'x'; END")
        b.function("public.set_local", signature: "p_tenant integer", executors: ["app"],
                   body: "BEGIN PERFORM set_config('app.tenant', p_tenant::text, true); END")
        b.function("public.clear", executors: ["app"], body: "BEGIN PERFORM set_config('app.tenant', '', false); END")
        b.function("public.private_set", signature: "p_tenant integer", executors: ["owner"],
                   body: "BEGIN PERFORM set_config('app.tenant', p_tenant::text, false); END")
        let found = assertFindings(SessionScopeSetter(), b, appRoles: ["app"], ["function public.set_role_name()", "function public.set_tenant(p_tenant integer)"])
        XCTAssertEqual(found.map { $0.fix ?? "" }, [#"set_config(…, true) (transaction-local), or REVOKE EXECUTE ON FUNCTION "public"."set_role_name"() FROM PUBLIC;"#,
                                                    #"set_config(…, true) (transaction-local), or REVOKE EXECUTE ON FUNCTION "public"."set_tenant"(p_tenant integer) FROM "app";"#])
    }

    func testImmutableReadsSession() {
        func catalog(volatility: String, body: String) -> CatalogBuilder {
            var b = Self.base()
            b.policy("public.t", "p", roles: ["app"], using: "(tenant_id = ( SELECT app.current_tenant() AS current_tenant))")
            b.function("app.current_tenant", volatility: volatility, parallel: "s", body: body)
            return b
        }
        let reads = "SELECT current_setting('app.tenant', true)::integer"
        let found = assertFindings(ImmutableReadsSession(), catalog(volatility: "i", body: reads), appRoles: ["app"], ["function app.current_tenant()"])
        XCTAssertEqual(found.first?.fix, #"ALTER FUNCTION "app"."current_tenant"() STABLE;"#)
        XCTAssertEqual(found.first?.message, "policy p on public.t calls app.current_tenant(), IMMUTABLE but reading session state or tables")
        assertFindings(ImmutableReadsSession(), catalog(volatility: "i", body: "SELECT tenant_id FROM app.sessions WHERE id = 1"), appRoles: ["app"], ["function app.current_tenant()"])
        assertFindings(ImmutableReadsSession(), catalog(volatility: "s", body: reads), appRoles: ["app"], [])
        assertFindings(ImmutableReadsSession(), catalog(volatility: "i", body: "SELECT 42"), appRoles: ["app"], [], "a constant is immutable")
        // FROM in expressions reads no table.
        assertFindings(ImmutableReadsSession(), catalog(volatility: "i", body: "SELECT extract(year FROM d) = 2026 AND trim(both ' ' FROM s) IS DISTINCT FROM t"),
                       appRoles: ["app"], [])
        assertFindings(ImmutableReadsSession(), catalog(volatility: "i", body: "SELECT extract(year FROM d) = (SELECT y FROM app.years)"), appRoles: ["app"],
                       ["function app.current_tenant()"])
        assertFindings(ImmutableReadsSession(), catalog(volatility: "i", body: "SELECT extract(epoch FROM current_timestamp)::bigint"), appRoles: ["app"],
                       ["function app.current_tenant()"])
    }
}
