import Catalog
import Proof
import XCTest

/// Transitions the solver decides: classes and witnesses. An expression it cannot read stays `unknown`.
final class AccessSolverDiffTests: XCTestCase {
    func rewrite(_ using: String, check: String? = nil, restrictive: String? = nil) -> AccessCatalogBuilder {
        var head = AccessFixture.base()
        head.dropPolicies(["orders_select"])
        head.policy("public.orders", "orders_select", roles: ["app_user"], command: "r", using: using, check: check)
        if let restrictive {
            head.policy("public.orders", "orders_guard", roles: ["app_user"], command: "r", using: restrictive, permissive: false)
        }
        return head
    }

    func selectChanges(_ head: AccessCatalogBuilder) -> [Change] {
        AccessFixture.diff(AccessFixture.base(), head).filter { $0.role == "app_user" && $0.command == .select }
    }

    func testUndecidedPredicateIsReportedUnknownNeverDropped() throws {
        let changes = selectChanges(rewrite("((tenant_id = desk.current_tenant_id()) OR ))("))
        XCTAssertEqual(changes.map(\.class), [.unknown])
        XCTAssertEqual(changes.first?.clause, "USING")
        XCTAssertFalse(changes.first?.reason.isEmpty ?? true)
    }

    func testOperandOrderIsEquivalent() throws {
        let changes = selectChanges(rewrite("(desk.current_tenant_id() = tenant_id)"))
        XCTAssertEqual(changes.map(\.class), [.equivalent])
    }

    func testMergedForAllWrittenDifferentlyIsEquivalentToFourPerCommandPolicies() throws {
        var head = AccessFixture.base()
        head.dropPolicies(["orders_select", "orders_insert", "orders_update", "orders_delete"])
        head.policy("public.orders", "orders_all", roles: ["app_user"], command: "*", using: "((desk.current_tenant_id() = tenant_id) AND true)")
        let changes = AccessFixture.diff(AccessFixture.base(), head)
        XCTAssertEqual(changes.count, 5, changes.map(\.line).joined(separator: "\n"))
        XCTAssertEqual(Set(changes.map(\.class)), [.equivalent])
    }

    func testOrIsPublicWidensWithAWitnessOfAnotherTenantsPublicRow() throws {
        let changes = selectChanges(rewrite("((tenant_id = desk.current_tenant_id()) OR is_public)"))
        XCTAssertEqual(changes.map(\.class), [.widening])
        let witness = try XCTUnwrap(changes.first?.witness)
        XCTAssertEqual(witness.row["is_public"], "true")
        let tenant = try XCTUnwrap(witness.row["tenant_id"] ?? nil)
        XCTAssertNotEqual(witness.context["setting:app.tenant_id"] ?? nil, tenant.components(separatedBy: "'").dropFirst().first)
    }

    func testRestrictivePolicyAddedNarrows() throws {
        let changes = selectChanges(rewrite(AccessFixture.wall, restrictive: "(NOT is_public)"))
        XCTAssertEqual(changes.map(\.class), [.narrowing])
        XCTAssertEqual(changes.first?.head, "(\(AccessFixture.wall)) AND ((NOT is_public))")
    }

    func testFilteredToUnfilteredWidensWithARowTheBaseKeptOut() throws {
        var head = AccessFixture.base()
        head.alterTable("public.orders", "rls", "false")
        let select = AccessFixture.diff(AccessFixture.base(), head).first { $0.role == "app_user" && $0.command == .select }
        XCTAssertEqual(select?.class, .widening)
        XCTAssertNotNil(select?.witness)
        let back = AccessFixture.diff(head, AccessFixture.base()).first { $0.role == "app_user" && $0.command == .select }
        XCTAssertEqual(back?.class, .narrowing)
    }
}
