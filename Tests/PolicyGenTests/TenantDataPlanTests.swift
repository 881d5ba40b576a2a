import Audit
import PolicyGen
import XCTest

/// The tables a tenant's rows live in, found from a spec and a hand-built catalog: foreign keys followed level
/// by level, shared tables left out, referenced tables first, and the SQL that picks one tenant's rows.
final class TenantDataPlanTests: XCTestCase {
    let spec = """
        tenancy: {column: tenant_id, type: bigint}
        roles: {owner: shop_owner, app: shop_app}
        tables:
          - name: tenants
            isolation: self
            key: id
            columns: {id: bigint, name: text}
          - name: orders
            isolation: tenant
            columns: {tenant_id: bigint, id: bigint}
            primary_key: [tenant_id, id]
          - name: countries
            isolation: shared
            columns: {code: text}
        """

    func plan(_ build: (inout CatalogBuilder) -> Void) throws -> TenantDataPlan {
        var b = CatalogBuilder()
        for name in ["public.tenants", "public.orders", "public.countries", "public.order_lines", "public.line_notes", "public.refunds", "public.country_notes"] {
            b.table(name, columns: ["id"])
        }
        build(&b)
        return TenantDataPlan(spec: try SpecLoader.load([("shop.yaml", spec)]), catalog: b.build())
    }

    func testForeignKeysAreFollowedLevelByLevelAndReferencedTablesComeFirst() throws {
        let plan = try plan { b in
            b.foreignKey("public.line_notes", "line_notes_line_fkey", columns: ["line_id"], references: "public.order_lines", referencedColumns: ["id"])
            b.foreignKey("public.order_lines", "order_lines_order_fkey", columns: ["order_tenant", "order_id"], references: "public.orders", referencedColumns: ["tenant_id", "id"])
            b.foreignKey("public.orders", "orders_tenant_fkey", columns: ["tenant_id"], references: "public.tenants", referencedColumns: ["id"])
            // A table that points only at a shared table is nobody's.
            b.foreignKey("public.country_notes", "country_notes_code_fkey", columns: ["code"], references: "public.countries", referencedColumns: ["code"])
        }
        XCTAssertEqual(plan.entries.map(\.qualified), ["public.tenants", "public.orders", "public.order_lines", "public.line_notes"])
        let notes = plan.entries[3]
        XCTAssertEqual(plan.select(notes, tenant: "'7'::bigint"), """
            SELECT * FROM "public"."line_notes" AS t WHERE EXISTS (SELECT 1 FROM "public"."order_lines" AS "p1" WHERE "p1"."id" = "t"."line_id" \
            AND EXISTS (SELECT 1 FROM "public"."orders" AS "p2" WHERE "p2"."tenant_id" = "p1"."order_tenant" AND "p2"."id" = "p1"."order_id" \
            AND "p2"."tenant_id" = '7'::bigint))
            """)
    }

    /// A row reached through two keys is the tenant's when either points at the tenant's row; the tenants table
    /// leads even when no foreign key says tenant tables depend on it.
    func testTwoKeysAreEitherAndTheTenantsTableLeads() throws {
        let plan = try plan { b in
            b.foreignKey("public.refunds", "refunds_tenant_fkey", columns: ["tenant"], references: "public.tenants", referencedColumns: ["id"])
            b.foreignKey("public.refunds", "refunds_order_fkey", columns: ["order_tenant", "order_id"], references: "public.orders", referencedColumns: ["tenant_id", "id"])
        }
        XCTAssertEqual(plan.entries.map(\.qualified), ["public.tenants", "public.orders", "public.refunds"])
        XCTAssertEqual(plan.condition(plan.entries[2], alias: "t", tenant: "$1"), """
            (EXISTS (SELECT 1 FROM "public"."orders" AS "p1" WHERE "p1"."tenant_id" = "t"."order_tenant" AND "p1"."id" = "t"."order_id" AND "p1"."tenant_id" = $1) \
            OR EXISTS (SELECT 1 FROM "public"."tenants" AS "p1" WHERE "p1"."id" = "t"."tenant" AND "p1"."id" = $1))
            """)
    }

    func testAViewIsNeverReached() throws {
        let plan = try plan { b in
            b.table("public.order_view", columns: ["id"], kind: "v")
            b.foreignKey("public.order_view", "impossible", columns: ["order_id"], references: "public.orders", referencedColumns: ["id"])
        }
        XCTAssertEqual(plan.entries.map(\.qualified), ["public.tenants", "public.orders"])
    }
}
