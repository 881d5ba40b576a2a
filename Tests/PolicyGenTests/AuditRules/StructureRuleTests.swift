import Audit
import Foundation
import SQLParser
import XCTest

/// Objects that read protected rows around their policies: views running as their owner (TW114), materialized
/// views (TW115), and keys whose checks see every tenant: unique keys (TW127) and foreign keys (TW128).
final class StructureRuleTests: XCTestCase, RuleTestFile {
    static let covered: Set<String> = ["TW114", "TW115", "TW127", "TW128"]
    static let path = #filePath

    static func base() -> CatalogBuilder {
        var b = CatalogBuilder()
        b.role("owner"); b.role("app", login: true)
        b.table("public.orders", columns: ["tenant_id", "id", "email"], rls: true, forced: true, grants: ["app:SELECT"])
        b.policy("public.orders", "p", roles: ["app"], using: "(tenant_id = ( SELECT tenantwall.current_tenant_id() AS current_tenant_id))")
        return b
    }

    func testViewNotSecurityInvoker() {
        func view(options: [String]) -> CatalogBuilder {
            var b = Self.base()
            b.table("public.recent", columns: ["tenant_id", "id"], grants: ["app:SELECT"], kind: "v", options: options)
            b.dependency(view: "public.recent", table: "public.orders")
            return b
        }
        let found = assertFindings(ViewNotSecurityInvoker(), view(options: []), appRoles: ["app"], ["view public.recent"])
        XCTAssertEqual(found.first?.fix, #"ALTER VIEW "public"."recent" SET (security_invoker = true);"#)
        XCTAssertEqual(found.first?.message, "view public.recent reads public.orders with the rights of owner")
        assertFindings(ViewNotSecurityInvoker(), view(options: ["security_barrier=true"]), appRoles: ["app"], ["view public.recent"], "a barrier is not invoker's rights")
        assertFindings(ViewNotSecurityInvoker(), view(options: ["security_invoker=true"]), appRoles: ["app"], [])
        // reloptions keep the spelling: every one PostgreSQL reads as true is invoker's rights (checked on 15).
        for spelling in ["on", "yes", "1", "ON", "t"] {
            assertFindings(ViewNotSecurityInvoker(), view(options: ["security_invoker=\(spelling)"]), appRoles: ["app"], [], spelling)
        }
        assertFindings(ViewNotSecurityInvoker(), view(options: ["security_invoker=off"]), appRoles: ["app"], ["view public.recent"])
        assertFindings(ViewNotSecurityInvoker(), view(options: ["security_invoker=0"]), appRoles: ["app"], ["view public.recent"])
        // A view over unprotected data is none of this rule's business.
        var plans = Self.base()
        plans.table("public.plans", columns: ["id"])
        plans.table("public.plan_names", columns: ["id"], kind: "v")
        plans.dependency(view: "public.plan_names", table: "public.plans")
        assertFindings(ViewNotSecurityInvoker(), plans, appRoles: ["app"], [])
    }

    func materialized(columns: [String] = ["tenant_id", "total"], grants: [String] = ["owner:SELECT", "app:SELECT"]) -> CatalogBuilder {
        var b = Self.base()
        b.table("public.totals", columns: columns, grants: grants, kind: "m")
        b.dependency(view: "public.totals", table: "public.orders")
        return b
    }

    func testMaterializedViewOverProtected() throws {
        let found = assertFindings(MaterializedViewOverProtected(), materialized(), appRoles: ["app"], ["view public.totals"])
        XCTAssertEqual(found.first?.message, "materialized view public.totals holds rows of public.orders without any policy, readable by app")
        let fix = try XCTUnwrap(found.first?.fix)
        XCTAssertEqual(fix, [
            #"CREATE SCHEMA IF NOT EXISTS "tenantwall_rollups" AUTHORIZATION "owner""#,
            #"REVOKE ALL ON SCHEMA "tenantwall_rollups" FROM PUBLIC"#,
            #"ALTER MATERIALIZED VIEW "public"."totals" SET SCHEMA "tenantwall_rollups""#,
            #"REVOKE ALL ON "tenantwall_rollups"."totals" FROM "app""#,
            #"CREATE VIEW "public"."totals" WITH (security_barrier) AS SELECT * FROM "tenantwall_rollups"."totals" WHERE "tenant_id" = (SELECT "tenantwall"."current_tenant_id"())"#,
            #"ALTER VIEW "public"."totals" OWNER TO "owner""#,
            #"GRANT SELECT ON "public"."totals" TO "app""#,
        ].joined(separator: "; ") + ";")
        XCTAssertEqual(try SQLParser.statements(in: fix).count, 7, "the fix is SQL")
        // Without the tenant column there is nothing to filter by: the fix takes the grant back.
        let untenanted = assertFindings(MaterializedViewOverProtected(), materialized(columns: ["total"], grants: ["PUBLIC:SELECT"]), appRoles: ["app"], ["view public.totals"])
        XCTAssertEqual(untenanted.first?.fix, #"REVOKE SELECT ON "public"."totals" FROM PUBLIC;"#)
        // Read by its owner alone (tenantwall's walled rollups): no finding.
        assertFindings(MaterializedViewOverProtected(), materialized(grants: ["owner:SELECT"]), appRoles: ["app"], [])
    }

    func testUniqueWithoutTenant() {
        var b = Self.base()
        b.index("public.orders", "orders_email_key", columns: ["email"], unique: true)
        b.index("public.orders", "orders_tenant_email_key", columns: ["tenant_id", "email"], unique: true)
        b.index("public.orders", "orders_email_idx", columns: ["email"])
        let found = assertFindings(UniqueWithoutTenant(), b, appRoles: ["app"], ["index orders_email_key"])
        XCTAssertEqual(found.first?.fix, "make it unique per tenant: (tenant_id, email)")
        XCTAssertEqual(found.first?.message, "unique index orders_email_key on public.orders (email) does not include tenant_id")
        var shared = CatalogBuilder()
        shared.table("public.plans", columns: ["id", "code"])
        shared.index("public.plans", "plans_code_key", columns: ["code"], unique: true)
        assertFindings(UniqueWithoutTenant(), shared, [], "no tenant rows to reveal")
    }

    /// #31: a key the database generates (identity, a sequence default) is no oracle, since nobody picks its value;
    /// a generated column next to a chosen one still is.
    func testUniqueWithoutTenantIgnoresGeneratedKeys() {
        var b = CatalogBuilder()
        b.role("owner"); b.role("app", login: true)
        b.table("public.orders", columns: ["tenant_id", "id", "seq", "email"], rls: true, forced: true, grants: ["app:SELECT"], generated: ["id", "seq"])
        b.policy("public.orders", "p", roles: ["app"], using: "(tenant_id = ( SELECT tenantwall.current_tenant_id() AS current_tenant_id))")
        b.index("public.orders", "orders_pkey", columns: ["id"], unique: true)
        b.index("public.orders", "orders_seq_key", columns: ["seq"], unique: true)
        b.index("public.orders", "orders_seq_email_key", columns: ["seq", "email"], unique: true)
        assertFindings(UniqueWithoutTenant(), b, appRoles: ["app"], ["index orders_seq_email_key"])
    }

    func testForeignKeyIntoProtected() {
        var b = Self.base()
        b.table("public.items", columns: ["tenant_id", "order_id"], rls: true, forced: true)
        b.foreignKey("public.items", "items_order_fkey", columns: ["order_id"], references: "public.orders", referencedColumns: ["id"])
        b.foreignKey("public.items", "items_tenant_order_fkey", columns: ["tenant_id", "order_id"], references: "public.orders", referencedColumns: ["tenant_id", "id"])
        b.table("public.plans", columns: ["id"])
        b.foreignKey("public.orders", "orders_plan_fkey", columns: ["plan_id"], references: "public.plans", referencedColumns: ["id"])
        let found = assertFindings(ForeignKeyIntoProtected(), b, appRoles: ["app"], ["constraint public.items.items_order_fkey"])
        XCTAssertEqual(found.first?.fix, "reference (tenant_id, …) so that a tenant can only point at its own rows")
        XCTAssertEqual(found.first?.message, "foreign key items_order_fkey on public.items references public.orders without the tenant column")
    }
}
