import Audit
import Foundation
import PolicyGen
import XCTest

/// Rules on the spec and its distance from the database: drift (TW301), exempt tables holding tenant ids
/// (TW401), a session-long context (TW402) and the application choosing its own tenant (TW403).
final class SpecRuleTests: XCTestCase, RuleTestFile {
    static let covered: Set<String> = ["TW301", "TW401", "TW402", "TW403"]
    static let path = #filePath

    /// A small spec: `tenancy` (line 1) as given, two tables, the second (line 8) exempt.
    static func spec(tenancy: String = "{column: tenant_id, type: uuid}", exemptColumns: String = "{key: text, value: text}") throws -> Spec {
        try SpecLoader.load([("spec.yaml", """
            tenancy: \(tenancy)
            roles: {owner: o, app: a, admin: d}
            tables:
              - name: orders
                isolation: tenant
                columns: {tenant_id: uuid, id: bigint}
                primary_key: [tenant_id, id]
              - name: flags
                isolation: exempt
                reason: global feature flags
                columns: \(exemptColumns)
            """)])
    }

    func testDrift() throws {
        let spec = try Self.spec()
        // The differences as `audit --spec --database` computes them: snapshots before and after the spec's SQL.
        let live = CatalogSnapshot(objects: ["policies public.orders": "tw_tenant_select USING (true)", "row security public.flags": "off"])
        let desired = CatalogSnapshot(objects: ["policies public.orders": "tw_tenant_select USING (tenant_id = …)", "row security public.flags": "off",
                                                "grants public.orders": "a: SELECT"])
        let drift = Planner.plan(generator: Generator(spec: spec), live: live, desired: desired).differences
        let found = assertFindings(Drift(), AuditInput(spec: spec, drift: drift), ["object grants public.orders", "object policies public.orders"])
        XCTAssertEqual(found.map(\.message), ["grants public.orders is missing", "policies public.orders differs from the spec"])
        XCTAssertEqual(found.first?.fix, "tenantwall plan --spec … --database … prints the SQL that restores it")
        let synced = Planner.plan(generator: Generator(spec: spec), live: desired, desired: desired).differences
        assertFindings(Drift(), AuditInput(spec: spec, drift: synced), [])
    }

    func testExemptTenantTable() throws {
        let spec = try Self.spec(exemptColumns: "{tenant_id: uuid, key: text}")
        let found = assertFindings(ExemptTenantTable(), AuditInput(spec: spec), ["spec.yaml:8:5"])
        XCTAssertEqual(found.first?.message, "public.flags is exempt from RLS but has 'tenant_id' (reason: global feature flags)")
        assertFindings(ExemptTenantTable(), AuditInput(spec: try Self.spec()), [])
    }

    func testSessionScopedContext() throws {
        let found = assertFindings(SessionScopedContext(), AuditInput(spec: try Self.spec(tenancy: "{column: tenant_id, type: uuid, scope: session}")), ["spec.yaml:1:1"])
        XCTAssertEqual(found.first?.fix, "scope: transaction")
        assertFindings(SessionScopedContext(), AuditInput(spec: try Self.spec(tenancy: "{column: tenant_id, type: uuid, scope: transaction}")), [])
        assertFindings(SessionScopedContext(), AuditInput(), [], "no spec")
    }

    func testContextBindingTrustsApplication() throws {
        let found = assertFindings(ContextBindingTrustsApplication(), AuditInput(spec: try Self.spec()), ["spec.yaml:1:1"])
        XCTAssertEqual(found.first?.message, "tenancy.binding is 'context': a can set any tenant id; SQL injection in the application crosses every wall")
        XCTAssertEqual(found.first?.fix, "binding: signed (HS256 tokens checked by the database)")
        // The example whose gateway signs a token: the database checks it, the application chooses nothing.
        assertFindings(ContextBindingTrustsApplication(), AuditInput(spec: try SpecLoader.load(Repository.model("support-desk"))), [])
    }
}
