import Audit
import Foundation
import XCTest

/// What makes policies slow: a context read per row (TW201), VOLATILE or PARALLEL UNSAFE helpers (TW202), no
/// index leading with the tenant column (TW203), OR-ed permissive policies (TW204) and duplicate indexes (TW205).
final class PerformanceRuleTests: XCTestCase, RuleTestFile {
    static let covered: Set<String> = ["TW201", "TW202", "TW203", "TW204", "TW205"]
    static let path = #filePath

    static let bare = "(tenant_id = (current_setting('app.tenant'::text, true))::integer)"
    static let wrapped = "(tenant_id = ( SELECT (current_setting('app.tenant'::text, true))::integer AS current_setting))"

    static func table(_ using: String? = wrapped, index: [String]? = ["tenant_id", "id"]) -> CatalogBuilder {
        var b = CatalogBuilder()
        b.role("owner"); b.role("app", login: true)
        b.table("app.orders", columns: ["tenant_id", "id"], rls: true, forced: true, grants: ["app:SELECT"])
        if let using { b.policy("app.orders", "p", roles: ["app"], using: using) }
        if let index { b.index("app.orders", "orders_idx", columns: index) }
        return b
    }

    func testContextPerRow() {
        let found = assertFindings(ContextPerRow(), Self.table(Self.bare), appRoles: ["app"], ["policy app.orders.p"])
        XCTAssertEqual(found.first?.fix, "wrap the call: (SELECT current_setting(…))")
        XCTAssertEqual(found.first?.message, "policy p on app.orders calls current_setting() outside a sub-select")
        assertFindings(ContextPerRow(), Self.table(), appRoles: ["app"], [])
        // The extension's native reader, bare, is an index condition evaluated once per scan.
        var native = Self.table("(tenant_id = tenantwall.current_tenant_id())")
        native.function("tenantwall.current_tenant_id", volatility: "s", parallel: "s", native: true)
        assertFindings(ContextPerRow(), native, appRoles: ["app"], [])
        // A plain SQL reader of the same name is not.
        var sql = Self.table("(tenant_id = tenantwall.current_tenant_id())")
        sql.function("tenantwall.current_tenant_id", volatility: "s", parallel: "s", body: "SELECT current_setting('app.tenant', true)::integer")
        assertFindings(ContextPerRow(), sql, appRoles: ["app"], ["policy app.orders.p"])
        // On a Citus distributed table the call must be bare (TW132).
        var citus = Self.table(Self.bare)
        citus.distributed = ["app.orders"]
        assertFindings(ContextPerRow(), citus, appRoles: ["app"], [])
    }

    func helper(volatility: String, parallel: String) -> CatalogBuilder {
        var b = Self.table("(tenant_id = ( SELECT app.current_tenant() AS current_tenant))")
        b.function("app.current_tenant", volatility: volatility, parallel: parallel, body: "SELECT 1")
        return b
    }

    func testVolatileFunctionInPolicy() {
        let volatile = assertFindings(VolatileFunctionInPolicy(), helper(volatility: "v", parallel: "s"), appRoles: ["app"], ["policy app.orders.p"])
        XCTAssertEqual(volatile.first?.fix, #"ALTER FUNCTION "app"."current_tenant"() STABLE PARALLEL SAFE;"#)
        XCTAssertEqual(volatile.first?.message, "policy p on app.orders calls app.current_tenant(), which is VOLATILE")
        let unsafe = assertFindings(VolatileFunctionInPolicy(), helper(volatility: "s", parallel: "u"), appRoles: ["app"], ["policy app.orders.p"])
        XCTAssertEqual(unsafe.first?.message, "policy p on app.orders calls app.current_tenant(), which is PARALLEL UNSAFE")
        assertFindings(VolatileFunctionInPolicy(), helper(volatility: "s", parallel: "s"), appRoles: ["app"], [])
    }

    func testPolicyColumnNotIndexed() {
        let found = assertFindings(PolicyColumnNotIndexed(), Self.table(index: nil), appRoles: ["app"], ["table app.orders"])
        XCTAssertEqual(found.first?.fix, #"CREATE INDEX CONCURRENTLY ON "app"."orders" ("tenant_id");"#)
        assertFindings(PolicyColumnNotIndexed(), Self.table(index: ["id", "tenant_id"]), appRoles: ["app"], ["table app.orders"], "the column must lead")
        assertFindings(PolicyColumnNotIndexed(), Self.table(), appRoles: ["app"], [])
        assertFindings(PolicyColumnNotIndexed(), Self.table("(id > 0)", index: nil), appRoles: ["app"], [], "a policy that does not filter on it")
    }

    func testMultiplePermissivePolicies() {
        var b = Self.table()
        b.policy("app.orders", "read_recent", roles: ["app"], command: "r", using: "(id > 100)")
        let found = assertFindings(MultiplePermissivePolicies(), b, appRoles: ["app"], ["table app.orders"])
        XCTAssertEqual(found.first?.message, "app.orders: 2 permissive SELECT policies for app: p, read_recent")
        var restrictive = Self.table()
        restrictive.policy("app.orders", "read_recent", roles: ["app"], command: "r", using: "(id > 100)", permissive: false)
        assertFindings(MultiplePermissivePolicies(), restrictive, appRoles: ["app"], [])
        var otherRole = Self.table()
        otherRole.policy("app.orders", "reporting", roles: ["reporting"], command: "r", using: "(id > 100)")
        assertFindings(MultiplePermissivePolicies(), otherRole, appRoles: ["app"], [])
        // tenantwall's admin policies sit beside its tenant policy by design.
        var admin = CatalogBuilder()
        admin.table("app.orders", columns: ["tenant_id"], rls: true, forced: true)
        admin.policy("app.orders", "tw_tenant_select", roles: ["app"], command: "r", using: Self.wrapped)
        admin.policy("app.orders", "tw_admin_select", roles: ["app"], command: "r", using: "tenantwall.admin_mode_enabled()")
        assertFindings(MultiplePermissivePolicies(), admin, appRoles: ["app"], [])
    }

    func testDuplicateIndex() {
        var b = Self.table()
        b.index("app.orders", "orders_tenant_idx", columns: ["tenant_id", "id"])
        b.index("app.orders", "orders_other_idx", columns: ["id"])
        let found = assertFindings(DuplicateIndex(), b, appRoles: ["app"], ["index orders_tenant_idx"])
        XCTAssertEqual(found.first?.message, "app.orders: indexes orders_idx, orders_tenant_idx are identical")
        // The index lives in its table's schema, which need not be on the search_path.
        XCTAssertEqual(found.first?.fix, #"DROP INDEX CONCURRENTLY "app"."orders_tenant_idx";"#)
        var unique = Self.table()
        unique.index("app.orders", "orders_key", columns: ["tenant_id", "id"], unique: true)
        assertFindings(DuplicateIndex(), unique, appRoles: ["app"], [], "a unique index is not the same index")
    }
}
