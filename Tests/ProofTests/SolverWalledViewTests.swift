import Proof
import XCTest

/// Walled views (TimescaleDB's walled form, rollups, continuous aggregates) filter by
/// `tenant_id = ANY ((SELECT CASE … admin_tenant_ids() … END)::uuid[])`, printed here as `pg_get_viewdef` does.
/// The solver reads the CASE: ARRAY[reader] is the reader, admin_tenant_ids() a set it does not look into,
/// reached only through the admin gate.
final class SolverWalledViewTests: XCTestCase {
    static let adminTenants = SolverFixture.function("app", "admin_tenant_ids", returns: "uuid[]",
                                                     body: "SELECT pg_catalog.array_agg(id) FROM app.tenants")

    static func walled(tenantBranch: String = "ARRAY[app.current_tenant_id()]", memberTest: String = "pg_has_role(CURRENT_USER, 'admin'::name, 'USAGE'::text)") -> String {
        """
        (tenant_id = ANY (( SELECT
                        CASE
                            WHEN \(memberTest) THEN
                            CASE
                                WHEN app.admin_mode_enabled() THEN app.admin_tenant_ids()
                                ELSE \(tenantBranch)
                            END
                            ELSE \(tenantBranch)
                        END AS "array")::uuid[]))
        """
    }

    let wall = Predicate.or([.expression(SolverFixture.wall), .expression("(SELECT app.admin_mode_enabled())")])
    let noContext = Predicate.expression("(app.current_tenant_id() IS NULL) AND ((SELECT app.admin_mode_enabled()) IS NOT TRUE)")

    func side(_ role: String) -> Side {
        SolverFixture.side(role: role, memberships: role == "app_admin" ? ["admin"] : [], functions: [Self.adminTenants])
    }

    func testWalledViewKeepsTheWallForEveryRole() {
        for role in ["app_user", "app_admin"] {
            XCTAssertEqual(solver.entails(.expression(Self.walled()), in: side(role), wall, in: side(role)), .holds, role)
            XCTAssertEqual(solver.entails(.expression(Self.walled()), in: side(role), .none, in: side(role), assuming: noContext), .holds, role)
        }
    }

    func testTenantSideIsExactlyTheWall() {
        XCTAssertEqual(solver.entails(.expression(SolverFixture.wall), in: side("app_user"), .expression(Self.walled()), in: side("app_user")), .holds)
    }

    /// The counterexample does not need the admin's set: it does not name it (no statement could set it).
    func testOrTrueWidens() {
        for role in ["app_user", "app_admin"] {
            let witness = assertWidens(.expression(Self.walled() + " OR true"), wall, side(role))
            XCTAssertFalse(witness?.context.keys.contains { $0.hasPrefix("function:app.admin_tenant_ids") } ?? true, "\(String(describing: witness))")
        }
    }

    func testTenantBranchReadingAColumnWidens() {
        let witness = assertWidens(.expression(Self.walled(tenantBranch: "ARRAY[id]")), wall, side("app_user"))
        XCTAssertEqual(witness?.row["tenant_id"], witness?.row["id"], "\(String(describing: witness))")
    }

    /// The admin's set without admin mode: a member of the admin role reaches it without the gate. The
    /// counterexample rests on the set's content, which no statement sets.
    func testAdminSetWithoutTheGateWidensForMembersOnly() {
        let ungated = "tenant_id = ANY ((SELECT CASE WHEN pg_has_role(CURRENT_USER, 'admin'::name, 'USAGE'::text) THEN app.admin_tenant_ids() ELSE ARRAY[app.current_tenant_id()] END)::uuid[])"
        XCTAssertEqual(solver.entails(.expression(ungated), in: side("app_user"), wall, in: side("app_user")), .holds)
        guard case .fails(let witness) = solver.entails(.expression(ungated), in: side("app_admin"), wall, in: side("app_admin")) else {
            return XCTFail("the admin set reached without the gate must widen")
        }
        XCTAssertEqual(witness.context["gate:app.admin_mode_enabled"], "false", "\(witness)")
    }

    func testArrayMembershipSemantics() {
        let s = side("app_user")
        XCTAssertEqual(solver.entails(.expression("tenant_id = ANY ((ARRAY[app.current_tenant_id()])::uuid[])"), in: s,
                                      .expression(SolverFixture.wall), in: s), .holds)
        XCTAssertEqual(verdict("tenant_id = ANY (NULL::uuid[])", "false", s), .holds)
        XCTAssertEqual(verdict("NOT (tenant_id = ANY (NULL::uuid[]))", "false", s), .holds)
        XCTAssertEqual(verdict("tenant_id = ANY ((SELECT CASE WHEN is_public THEN ARRAY[id] END)::uuid[])", "is_public AND tenant_id = id", s), .holds)
        XCTAssertEqual(verdict("tenant_id <> ALL ((SELECT ARRAY[id, app.current_tenant_id()])::uuid[])", "tenant_id <> id", s), .holds)
        assertWidens("tenant_id <> ALL ((SELECT ARRAY[id])::uuid[])", "tenant_id <> app.current_tenant_id()", s)
    }

    /// The same unread array on both sides is one set; a changed function body is another.
    func testUnreadArrayIsOneSetPerFunctionVersion() {
        let s = side("app_user")
        let member = "tenant_id = ANY (app.admin_tenant_ids())"
        XCTAssertEqual(verdict(member, "(" + member + ") AND true", s), .holds)
        var changed = Self.adminTenants
        changed.body = "SELECT pg_catalog.array_agg(id) FROM app.other_tenants"
        let head = SolverFixture.side(functions: [changed])
        guard case .fails = solver.entails(.expression(member), in: head, .expression(member), in: s) else {
            return XCTFail("a changed function body must not be taken as the same set")
        }
    }
}
