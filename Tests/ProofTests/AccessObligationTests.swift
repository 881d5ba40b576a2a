import Catalog
import Proof
import XCTest

final class AccessObligationTests: XCTestCase {
    func obligations(_ b: AccessCatalogBuilder, options: AccessOptions = AccessFixture.options) -> [Obligation] {
        let state = AccessFixture.state(b, options: options)
        return ProofObligations.check(model: state.model, catalog: state.catalog, solver: PredicateSolver())
    }

    func testEveryCommandTheAppHoldsGetsTheWallAndNoContextPerClauseAndTheOwnerIsLeftOut() {
        let all = obligations(AccessFixture.base())
        XCTAssertEqual(Set(all.map(\.role)), ["app_user"])
        XCTAssertEqual(all.map { "\($0.command.rawValue) \($0.kind.rawValue) \($0.clause ?? "")" },
                       ["SELECT wall USING", "SELECT no-context USING", "INSERT wall WITH CHECK", "INSERT no-context WITH CHECK",
                        "UPDATE wall USING", "UPDATE no-context USING", "UPDATE wall WITH CHECK", "UPDATE no-context WITH CHECK",
                        "DELETE wall USING", "DELETE no-context USING"])
        XCTAssertEqual(all.first?.detail,
                       "\(AccessFixture.wall) implies (\"tenant_id\" = desk.current_tenant_id()) OR ((SELECT \"desk\".\"admin_mode_enabled\"()))")
    }

    func testOwnerNamedAsAnAccessRoleIsHeldToTheWall() {
        var b = AccessFixture.base()
        b.alterTable("public.orders", "owner", "app_user")
        b.alterTable("public.orders", "forced", "false")
        var options = AccessFixture.options
        options.roles = ["app_user"]
        let around = obligations(b, options: options).filter { $0.kind == .reachesAround }
        XCTAssertEqual(around.map(\.command), [.select, .insert, .update, .delete, .truncate, .references])
        XCTAssertFalse(around.contains(where: \.holds))
        XCTAssertTrue(around[0].detail.hasSuffix("app_user owns public.orders and row-level security is not forced"), around[0].detail)
    }

    func testPublicGrantWithRLSOffAndBypassAndTruncateFail() {
        var b = AccessFixture.base()
        b.table("public.invoices", columns: ["tenant_id uuid!", "total numeric"], grants: ["PUBLIC:SELECT", "app_user:TRUNCATE"])
        b.role("migrator", bypassRLS: true)
        b.alterTable("public.orders", "grants", AccessCatalogBuilder.array(["app_user:SELECT", "migrator:SELECT"]))
        let failed = obligations(b).filter { !$0.holds && $0.kind == .reachesAround }.map { "\($0.role) \($0.object) \($0.command.rawValue)" }
        XCTAssertEqual(failed, ["PUBLIC public.invoices SELECT", "admin public.invoices SELECT", "app_user public.invoices SELECT",
                                "app_user public.invoices TRUNCATE", "migrator public.invoices SELECT", "migrator public.orders SELECT"])
    }

    func testDefinerViewOverATenantTableFailsAndAnInvokerViewHolds() {
        var b = AccessFixture.base()
        b.alterTable("public.orders", "forced", "false")
        for (name, options) in [("public.definer_list", [String]()), ("public.invoker_list", ["security_invoker=true"])] {
            b.table(name, columns: ["id bigint"], kind: "v", grants: ["app_user:SELECT"], options: options, definition: " SELECT orders.id FROM orders;")
            b.dependency(view: name, table: "public.orders")
        }
        let views = obligations(b).filter { $0.kind == .view }
        XCTAssertEqual(views.map { "\($0.object) \($0.holds)" }, ["public.definer_list false", "public.invoker_list true"])
    }

    func testWithoutAReaderTheWallIsUndecidedNotPassed() {
        var options = AccessFixture.options
        options.reader = nil
        let all = obligations(AccessFixture.base(), options: options)
        XCTAssertFalse(all.isEmpty)
        XCTAssertTrue(all.allSatisfy { $0.verdict == .unknown("no reader expression given: the tenant wall cannot be stated") })
    }

    func testSolverDecidesTheWallAndFailOpenPredicates() throws {
        XCTAssertTrue(obligations(AccessFixture.base()).allSatisfy(\.holds), obligations(AccessFixture.base()).filter { !$0.holds }.map(\.line).joined(separator: "\n"))
        var widened = AccessFixture.base()
        widened.policy("public.orders", "public_rows", roles: ["app_user"], command: "r", using: "is_public")
        let wall = obligations(widened).first { $0.command == .select && $0.kind == .wall }
        guard case .fails(let witness)? = wall?.verdict else { return XCTFail("OR is_public must break the wall: \(String(describing: wall))") }
        XCTAssertEqual(witness.row["is_public"], "true")
        var failOpen = AccessFixture.base()
        failOpen.policy("public.orders", "no_tenant", roles: ["app_user"], command: "r", using: "(desk.current_tenant_id() IS NULL)")
        let closed = obligations(failOpen).first { $0.command == .select && $0.kind == .noContext }
        XCTAssertFalse(closed?.holds ?? true)
    }

    func testTheGateOpensTheWallForTheAdminRoleAlone() throws {
        var b = AccessFixture.base()
        b.alterTable("public.orders", "grants", AccessCatalogBuilder.array(["app_user:SELECT", "admin:SELECT"]))
        b.dropPolicies(["orders_select"])
        b.policy("public.orders", "orders_select", roles: ["app_user", "admin"], command: "r",
                 using: "((tenant_id = desk.current_tenant_id()) OR (SELECT desk.admin_mode_enabled() AS admin_mode_enabled))")
        let select = obligations(b).filter { $0.command == .select }
        XCTAssertEqual(select.map { "\($0.role) \($0.kind.rawValue) \($0.holds)" },
                       ["admin wall true", "admin no-context true", "app_user wall true", "app_user no-context true"],
                       select.map(\.line).joined(separator: "\n"))
    }

    func testARestrictiveOnlyBoundaryThatAdmitsEverythingFails() throws {
        var b = AccessFixture.base()
        b.dropPolicies(["orders_select"])
        b.policy("public.orders", "orders_open", roles: ["app_user"], command: "r", using: "true")
        b.policy("public.orders", "orders_boundary", roles: ["app_user"], command: "r", using: "((tenant_id = desk.current_tenant_id()) OR true)",
                 permissive: false)
        let select = obligations(b).filter { $0.command == .select }
        XCTAssertEqual(select.map { "\($0.kind.rawValue) \($0.holds)" }, ["wall false", "no-context false"], select.map(\.line).joined(separator: "\n"))
    }
}
