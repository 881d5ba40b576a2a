import Audit
import Foundation
import XCTest

/// The row-level security state of tables: off (TW101), dormant policies (TW102), deny-all (TW103), not forced
/// (TW104), partitions reachable around their parent (TW120) and the open tenants table (TW136).
final class RLSRuleTests: XCTestCase, RuleTestFile {
    static let covered: Set<String> = ["TW101", "TW102", "TW103", "TW104", "TW120", "TW136"]
    static let path = #filePath

    /// tenantwall's reader as `pg_get_expr` prints it.
    static let tenantPolicy = "(tenant_id = ( SELECT (NULLIF(current_setting('app.tenant'::text, true), ''::text))::integer AS x))"

    /// One tenant table, walled or not, read by `app`.
    static func orders(rls: Bool = true, forced: Bool = true, policy: Bool = true) -> CatalogBuilder {
        var b = CatalogBuilder()
        b.role("owner"); b.role("app", login: true)
        b.table("public.orders", columns: ["tenant_id", "id"], rls: rls, forced: forced, grants: ["app:SELECT"])
        if policy { b.policy("public.orders", "tenant_isolation", roles: ["app"], using: tenantPolicy) }
        return b
    }

    func testRLSDisabled() {
        let found = assertFindings(RLSDisabled(), Self.orders(rls: false, forced: false, policy: false), ["table public.orders"])
        XCTAssertEqual(found.first?.fix, #"ALTER TABLE "public"."orders" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;"#)
        XCTAssertEqual(found.first?.message, "public.orders has 'tenant_id' but row-level security is disabled")
        assertFindings(RLSDisabled(), Self.orders(), [])
        // Policies without RLS are TW102's; a table without the tenant column holds no tenant rows.
        assertFindings(RLSDisabled(), Self.orders(rls: false, forced: false), [])
        var shared = CatalogBuilder()
        shared.table("public.plans", columns: ["id", "name"], grants: ["app:SELECT"])
        assertFindings(RLSDisabled(), shared, [])
        // The tenant column is the one the audit is told about.
        let input = AuditInput(catalog: Self.orders(rls: false, forced: false, policy: false).build(), tenantColumn: "org_id")
        assertFindings(RLSDisabled(), input, [], "orders has no org_id")
    }

    func testDormantPolicies() {
        let found = assertFindings(DormantPolicies(), Self.orders(rls: false, forced: false), ["table public.orders"])
        XCTAssertEqual(found.first?.fix, #"ALTER TABLE "public"."orders" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;"#)
        XCTAssertEqual(found.first?.message, "public.orders has 1 policies but row-level security is disabled")
        assertFindings(DormantPolicies(), Self.orders(), [])
        assertFindings(DormantPolicies(), Self.orders(rls: false, forced: false, policy: false), [], "no policies: TW101's")
    }

    func testRLSWithoutPolicy() {
        assertFindings(RLSWithoutPolicy(), Self.orders(policy: false), ["table public.orders"])
        // A restrictive policy alone grants nothing.
        var restrictive = Self.orders(policy: false)
        restrictive.policy("public.orders", "only_open", roles: ["app"], using: "(id > 0)", permissive: false)
        assertFindings(RLSWithoutPolicy(), restrictive, ["table public.orders"])
        assertFindings(RLSWithoutPolicy(), Self.orders(), [])
        // A partition is judged through its parent: RLS on it with no policy is how it is closed.
        var partition = Self.orders()
        partition.table("public.orders_1", columns: ["tenant_id", "id"], rls: true, forced: true, parent: "public.orders")
        assertFindings(RLSWithoutPolicy(), partition, [])
    }

    func testRLSNotForced() {
        let found = assertFindings(RLSNotForced(), Self.orders(forced: false), ["table public.orders"])
        XCTAssertEqual(found.first?.fix, #"ALTER TABLE "public"."orders" FORCE ROW LEVEL SECURITY;"#)
        XCTAssertTrue(found.first?.message.contains("its owner owner bypasses it") == true, found.first?.message ?? "")
        assertFindings(RLSNotForced(), Self.orders(), [])
    }

    /// A partition `app` may read directly, in a schema it may use.
    static func partitioned(rls: Bool = false, forced: Bool = false, schemaUsers: [String] = ["PUBLIC"], grants: [String] = ["app:SELECT"]) -> CatalogBuilder {
        var b = orders()
        b.table("public.orders_2026", columns: ["tenant_id", "id"], rls: rls, forced: forced, grants: grants, parent: "public.orders", schemaUsers: schemaUsers)
        return b
    }

    func testPartitionReadable() {
        let found = assertFindings(PartitionReadable(), Self.partitioned(), appRoles: ["app"], ["table public.orders_2026"])
        XCTAssertEqual(found.first?.fix, #"ALTER TABLE "public"."orders_2026" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY; REVOKE ALL ON "public"."orders_2026" FROM "app";"#)
        XCTAssertEqual(found.first?.message, "partition public.orders_2026 (of public.orders) is reachable by app without its parent's policies")
        // Closed: RLS forced and no policy of its own.
        assertFindings(PartitionReadable(), Self.partitioned(rls: true, forced: true), appRoles: ["app"], [])
        // #31: forced, with a tenant policy of its own, is closed too; with a policy that admits every row, not.
        var own = Self.partitioned(rls: true, forced: true)
        own.policy("public.orders_2026", "own_wall", roles: ["app"], using: "(tenant_id = (current_setting('app.tenant'::text, true))::integer)")
        assertFindings(PartitionReadable(), own, appRoles: ["app"], [])
        own.policy("public.orders_2026", "wide", roles: ["app"], using: "((tenant_id = (current_setting('app.tenant'::text, true))::integer) OR true)")
        assertFindings(PartitionReadable(), own, appRoles: ["app"], ["table public.orders_2026"])
        var unrelated = Self.partitioned(rls: true, forced: true)
        unrelated.policy("public.orders_2026", "published", roles: ["app"], using: "(id > 0)")
        assertFindings(PartitionReadable(), unrelated, appRoles: ["app"], ["table public.orders_2026"])
        // Enabled but not forced is not closed for a partition (it is for a chunk, TimeSeriesRuleTests).
        assertFindings(PartitionReadable(), Self.partitioned(rls: true), appRoles: ["app"], ["table public.orders_2026"])
        // Unreachable: the application may not use its schema, or holds nothing on it.
        assertFindings(PartitionReadable(), Self.partitioned(schemaUsers: ["owner"]), appRoles: ["app"], [])
        assertFindings(PartitionReadable(), Self.partitioned(grants: ["owner:SELECT"]), appRoles: ["app"], [])
        // PUBLIC holding a privilege reaches it too.
        let open = assertFindings(PartitionReadable(), Self.partitioned(grants: ["PUBLIC:SELECT"]), appRoles: ["app"], ["table public.orders_2026"])
        XCTAssertTrue(open.first?.fix?.hasSuffix("FROM PUBLIC;") == true, open.first?.fix ?? "")
        // A sub-partition: its parent is a partition, and naming it applies only its own settings too.
        var nested = Self.partitioned(rls: true, forced: true)
        nested.table("public.orders_2026_01", columns: ["tenant_id", "id"], grants: ["app:SELECT"], parent: "public.orders_2026", schemaUsers: ["PUBLIC"])
        let leaf = assertFindings(PartitionReadable(), nested, appRoles: ["app"], ["table public.orders_2026_01"])
        XCTAssertEqual(leaf.first?.message, "partition public.orders_2026_01 (of public.orders_2026) is reachable by app without its parent's policies")
    }

    /// `public.tenants`, referenced by `orders.tenant_id`, readable by `app` without RLS.
    static func tenants(rls: Bool = false, grants: [String] = ["app:SELECT", "app:INSERT"]) -> CatalogBuilder {
        var b = orders(policy: false)
        b.policy("public.orders", "tenant_isolation", roles: ["app"], using: "(tenant_id = (current_setting('app.tenant'::text, true))::integer)")
        b.table("public.tenants", columns: ["id", "name"], rls: rls, grants: grants)
        b.foreignKey("public.orders", "orders_tenant_id_fkey", columns: ["tenant_id"], references: "public.tenants", referencedColumns: ["id"])
        return b
    }

    func testTenantsTableReadable() {
        let found = assertFindings(TenantsTableReadable(), Self.tenants(), appRoles: ["app"], ["table public.tenants"])
        XCTAssertEqual(found.first?.fix, #"ALTER TABLE "public"."tenants" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY; "#
                       + #"CREATE POLICY "tenant_isolation" ON "public"."tenants" TO "app" USING ("id" = (SELECT NULLIF(current_setting('app.tenant', true), '')::integer));"#)
        XCTAssertTrue(found.first?.message.contains("app can INSERT") == true, found.first?.message ?? "")
        assertFindings(TenantsTableReadable(), Self.tenants(rls: true), appRoles: ["app"], [])
        assertFindings(TenantsTableReadable(), Self.tenants(grants: ["reporting:SELECT"]), appRoles: ["app"], [], "read by no application role")
    }
}
