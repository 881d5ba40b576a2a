import Audit
import Foundation
import XCTest

/// Citus: policies it refuses or weakens on distributed tables (TW132, TW133), an owner that cannot run shard
/// operations (TW134), a context that never reaches the workers (TW135) and silent fan-out (TW206).
final class CitusRuleTests: XCTestCase, RuleTestFile {
    static let covered: Set<String> = ["TW132", "TW133", "TW134", "TW135", "TW206"]
    static let path = #filePath

    static let direct = "(tenant_id = tenantwall.current_tenant_id())"
    static let wrapped = "(tenant_id = ( SELECT tenantwall.current_tenant_id() AS current_tenant_id))"

    /// `public.orders`, hash-distributed (or not), with one policy.
    static func cluster(_ using: String = direct, permissive: Bool = true, ownerLogin: Bool = true, distributed: Bool = true) -> CatalogBuilder {
        var b = CatalogBuilder()
        b.role("owner", login: ownerLogin); b.role("app", login: true)
        b.table("public.orders", columns: ["tenant_id", "id"], rls: true, forced: true, grants: ["app:SELECT"])
        b.policy("public.orders", "p", roles: ["app"], using: using, permissive: permissive)
        if distributed { b.distributed = ["public.orders"] }
        return b
    }

    func testCitusSubqueryPolicy() {
        let found = assertFindings(CitusSubqueryPolicy(), Self.cluster(Self.wrapped), appRoles: ["app"], ["policy public.orders.p"])
        XCTAssertEqual(found.first?.fix, "call the reader directly: tenant_id = current_tenant_id()")
        assertFindings(CitusSubqueryPolicy(), Self.cluster(), appRoles: ["app"], [])
        assertFindings(CitusSubqueryPolicy(), Self.cluster(Self.wrapped, distributed: false), appRoles: ["app"], [], "a local table takes sub-selects")
    }

    func testCitusRestrictivePolicy() {
        let found = assertFindings(CitusRestrictivePolicy(), Self.cluster(permissive: false), appRoles: ["app"], ["policy public.orders.p"])
        XCTAssertEqual(found.first?.fix, "AND the condition into each permissive policy and drop p")
        assertFindings(CitusRestrictivePolicy(), Self.cluster(), appRoles: ["app"], [])
        assertFindings(CitusRestrictivePolicy(), Self.cluster(permissive: false, distributed: false), appRoles: ["app"], [])
    }

    func testCitusOwnerCannotLogIn() {
        let found = assertFindings(CitusOwnerCannotLogIn(), Self.cluster(ownerLogin: false), appRoles: ["app"], ["role owner"])
        XCTAssertEqual(found.first?.fix, #"ALTER ROLE "owner" LOGIN CONNECTION LIMIT -1;"#)
        assertFindings(CitusOwnerCannotLogIn(), Self.cluster(), appRoles: ["app"], [])
        assertFindings(CitusOwnerCannotLogIn(), Self.cluster(ownerLogin: false, distributed: false), appRoles: ["app"], [])
    }

    /// A cluster whose setter has `body`, and `app`'s role settings.
    static func setter(_ body: String, appSettings: String? = nil) -> CatalogBuilder {
        var b = cluster()
        b.function("tenantwall.set_tenant_context", signature: "tenant uuid", securityDefiner: true, config: ["search_path=pg_catalog, pg_temp"],
                   executors: ["owner", "app"], body: body)
        if let appSettings { b.roleSettings["app"] = appSettings }
        return b
    }

    static let setConfig = "SELECT pg_catalog.set_config('app.current_tenant_id', tenant::text, true)"
    static let setLocal = "BEGIN EXECUTE pg_catalog.format('SET LOCAL app.current_tenant_id = %L', tenant); END"
    static let propagating = "BEGIN SET LOCAL citus.propagate_set_commands = 'local'; EXECUTE pg_catalog.format('SET LOCAL app.current_tenant_id = %L', tenant); END"

    func testCitusContextNotPropagated() {
        let found = assertFindings(CitusContextNotPropagated(), Self.setter(Self.setConfig), appRoles: ["app"],
                                   ["function tenantwall.set_tenant_context(tenant uuid)", "role app"])
        XCTAssertEqual(found.map { $0.fix ?? "" }, [
            "SET LOCAL citus.propagate_set_commands = 'local'; then SET LOCAL the setting (tenantwall generates this with distribution: citus)",
            #"ALTER ROLE "app" SET citus.propagate_set_commands = 'local';"#,
        ])
        // SET LOCAL reaches the workers when the setter, or the role, propagates it.
        assertFindings(CitusContextNotPropagated(), Self.setter(Self.setLocal), appRoles: ["app"], ["role app"])
        assertFindings(CitusContextNotPropagated(), Self.setter(Self.propagating), appRoles: ["app"], [])
        assertFindings(CitusContextNotPropagated(), Self.setter(Self.setLocal, appSettings: "{citus.propagate_set_commands=local}"), appRoles: ["app"], [])
        var local = Self.setter(Self.setConfig)
        local.distributed = []
        assertFindings(CitusContextNotPropagated(), local, appRoles: ["app"], [], "no distributed table: nothing to reach")
    }

    func testCitusFanOutUnguarded() {
        let found = assertFindings(CitusFanOutUnguarded(), Self.setter(Self.propagating), appRoles: ["app"], ["function tenantwall.set_tenant_context(tenant uuid)"])
        XCTAssertEqual(found.first?.fix, "tenancy.fan_out: warning (or error) in the spec; or SET LOCAL citus.multi_task_query_log_level = 'warning' in the setter")
        XCTAssertTrue(found.first?.message.contains("forgets WHERE tenant_id = $1") == true, found.first?.message ?? "")
        let guarded = Self.propagating.replacingOccurrences(of: "END", with: "SET LOCAL citus.multi_task_query_log_level = 'warning'; END")
        assertFindings(CitusFanOutUnguarded(), Self.setter(guarded), appRoles: ["app"], [])
        assertFindings(CitusFanOutUnguarded(), Self.setter(guarded.replacingOccurrences(of: "'warning'", with: "'off'")), appRoles: ["app"],
                       ["function tenantwall.set_tenant_context(tenant uuid)"], "off reports nothing")
        // A role setting covers every session of the role.
        assertFindings(CitusFanOutUnguarded(), Self.setter(Self.propagating, appSettings: "{citus.propagate_set_commands=local,citus.multi_task_query_log_level=error}"),
                       appRoles: ["app"], [])
    }
}
