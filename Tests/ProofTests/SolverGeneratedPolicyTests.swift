@testable import Catalog
import Proof
import XCTest

/// Policies as tenantwall generates them (Tests/PolicyGenTests/Golden/clinic-portal.sql).
final class SolverGeneratedPolicyTests: XCTestCase {
    typealias Column = SolverFixture.Column

    static let reader = SolverFixture.function("portal", "current_tenant_id", returns: "bigint",
                                               body: " SELECT m.tenant FROM \"portal\".\"tenant_roles\" AS m WHERE m.role_name OPERATOR(pg_catalog.=) CURRENT_USER ")
    static let gate = SolverFixture.function("portal", "admin_mode_enabled", returns: "boolean", language: "plpgsql", body: "BEGIN RETURN true; END")

    func side(role: String = "portal_app", memberships: Set<String> = []) -> Side {
        Side(columns: [Column(name: "clinic_id", type: "bigint", notNull: true), Column(name: "actor", type: "name", notNull: true),
                       Column(name: "backend_pid", type: "integer", notNull: true)],
             functions: [Self.reader, Self.gate], role: role, memberships: memberships, gates: ["portal.admin_mode_enabled": "portal_ops"])
    }

    func testGeneratedWallIsItsOwnSpelling() {
        let generated = "\"clinic_id\" = (SELECT \"portal\".\"current_tenant_id\"())"
        assertEquivalent(generated, "portal.current_tenant_id() = clinic_id", side())
    }

    func testAdminBranchWidensOnlyForTheGatesRole() throws {
        let wall = Predicate.expression("\"clinic_id\" = (SELECT \"portal\".\"current_tenant_id\"())")
        let admin = Predicate.or([wall, .expression("(SELECT \"portal\".\"admin_mode_enabled\"())")])
        XCTAssertEqual(solver.entails(admin, in: side(), wall, in: side()), .holds)
        let ops = side(role: "portal_ops")
        let witness = try XCTUnwrap(assertWidens(admin, wall, ops))
        XCTAssertEqual(witness.context["gate:portal.admin_mode_enabled"], "true")
        XCTAssertTrue(witness.context.keys.contains("function:portal.current_tenant_id()"), "\(witness)")
    }

    func testAdminLogPolicyReadsBackendPid() {
        let log = "actor OPERATOR(pg_catalog.=) CURRENT_USER AND backend_pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid()"
        assertEquivalent(log, "pg_backend_pid() = backend_pid AND actor = CURRENT_USER", side())
        assertWidens("actor = CURRENT_USER", log, side())
    }
}

/// A helper called inside a sub-select: the sub-select is opaque, but a changed helper body changes it.
final class SolverOpaqueVersionTests: XCTestCase {
    func testChangedHelperUnderASubSelectIsNotTheSameValue() {
        let before = SolverFixture.function("app", "my_tenants", returns: "SETOF uuid", language: "plpgsql",
                                            body: "BEGIN RETURN QUERY SELECT tenant FROM app.members WHERE name = current_user; END")
        var after = before
        after.body = "BEGIN RETURN QUERY SELECT id FROM app.tenants; END"
        let policy = "tenant_id IN (SELECT app.my_tenants() AS my_tenants)"
        let base = SolverFixture.side(functions: [before])
        let head = SolverFixture.side(functions: [after])
        XCTAssertEqual(verdict(policy, policy, base, conclusionSide: SolverFixture.side(functions: [before])), .holds)
        guard case .fails = verdict(policy, policy, head, conclusionSide: base) else {
            return XCTFail("a changed helper body must not be taken as the same sub-select")
        }
    }
}
