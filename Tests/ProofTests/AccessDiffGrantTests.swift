import Catalog
import Proof
import XCTest

/// Transitions decided without the solver: grants, columns, memberships.
final class AccessDiffGrantTests: XCTestCase {
    let grants = ["owner:SELECT", "owner:INSERT", "owner:UPDATE", "owner:DELETE", "owner:TRUNCATE", "app_user:SELECT", "app_user:INSERT", "app_user:UPDATE", "app_user:DELETE"]

    func testSameStateHasNoChange() {
        XCTAssertEqual(AccessFixture.diff(AccessFixture.base(), AccessFixture.base()), [])
    }

    func testMergingFourPerCommandPoliciesIntoOneForAllChangesNothing() {
        var head = AccessFixture.base()
        head.dropPolicies(["orders_select", "orders_insert", "orders_update", "orders_delete"])
        head.policy("public.orders", "orders_all", roles: ["app_user"], command: "*", using: AccessFixture.wall)
        XCTAssertEqual(AccessFixture.diff(AccessFixture.base(), head), [])
    }

    func testRevokeUpdateIsANarrowing() {
        var head = AccessFixture.base()
        head.alterTable("public.orders", "grants", AccessCatalogBuilder.array(grants.filter { $0 != "app_user:UPDATE" }))
        let changes = AccessFixture.diff(AccessFixture.base(), head)
        XCTAssertEqual(changes.map(\.class), [.narrowing])
        XCTAssertEqual(changes.first?.command, .update)
        XCTAssertEqual(changes.first?.head, "no UPDATE")
        XCTAssertEqual(changes.first?.base, "UPDATE: USING (\(AccessFixture.wall)) WITH CHECK (\(AccessFixture.wall))")
    }

    func testGrantDeleteIsAWidening() {
        var base = AccessFixture.base()
        base.alterTable("public.orders", "grants", AccessCatalogBuilder.array(grants.filter { $0 != "app_user:DELETE" }))
        let changes = AccessFixture.diff(base, AccessFixture.base())
        XCTAssertEqual(changes.map(\.class), [.widening])
        XCTAssertEqual(changes.first.map { [$0.role, $0.object, $0.command.rawValue, $0.base] }, ["app_user", "public.orders", "DELETE", "no DELETE"])
    }

    func testPublicGrantWidensForEveryRoleThatLackedIt() {
        var head = AccessFixture.base()
        head.alterTable("public.orders", "grants", AccessCatalogBuilder.array(grants + ["PUBLIC:SELECT"]))
        let changes = AccessFixture.diff(AccessFixture.base(), head)
        XCTAssertEqual(changes.map(\.role), ["PUBLIC", "admin"])
        XCTAssertEqual(Set(changes.map(\.class)), [.widening])
        XCTAssertEqual(Set(changes.map(\.command)), [.select])
    }

    func testMembershipInARoleWithGrantsWidens() {
        var base = AccessFixture.base()
        base.role("auditor")
        base.table("public.payroll", columns: ["tenant_id uuid!", "salary numeric"], grants: ["auditor:SELECT"])
        var head = base
        head.alterRole("app_user", "member_of", AccessCatalogBuilder.array(["auditor"]))
        let changes = AccessFixture.diff(base, head)
        XCTAssertEqual(changes.map(\.line), ["widening app_user public.payroll SELECT: no SELECT -> SELECT: all rows (row-level security is off on public.payroll)"])
    }

    func testColumnGrantWidenedNamesTheColumn() {
        var base = AccessFixture.base()
        base.table("public.people", columns: ["tenant_id uuid!", "name text", "ssn text"], columnPrivileges: ["app_user:SELECT": ["tenant_id", "name"]])
        var head = AccessFixture.base()
        head.table("public.people", columns: ["tenant_id uuid!", "name text", "ssn text"], columnPrivileges: ["app_user:SELECT": ["tenant_id", "name", "ssn"]])
        let changes = AccessFixture.diff(base, head)
        XCTAssertEqual(changes.map(\.class), [.widening])
        XCTAssertEqual(changes.first?.column, "ssn")
        XCTAssertEqual(changes.first?.line, "widening app_user public.people SELECT (ssn): SELECT (tenant_id, name) -> SELECT (tenant_id, name, ssn)")
        XCTAssertEqual(AccessFixture.diff(head, base).map(\.class), [.narrowing])
    }

    func testDroppedTableIsRemovedAndANewUntenantedTableIsAdded() {
        var head = AccessFixture.base()
        head.tables.removeAll { $0["name"] == "orders" }
        head.table("public.countries", columns: ["code text!"], grants: ["app_user:SELECT"])
        let changes = AccessFixture.diff(AccessFixture.base(), head)
        XCTAssertEqual(changes.filter { $0.object == "public.countries" }.map { "\($0.class) \($0.role) \($0.command.rawValue)" },
                       ["added app_user SELECT", "added owner SELECT", "added owner INSERT", "added owner UPDATE", "added owner DELETE",
                        "added owner TRUNCATE", "added owner REFERENCES"])
        let removed = changes.filter { $0.object == "public.orders" }
        XCTAssertEqual(Set(removed.map(\.class)), [.removed])
        XCTAssertEqual(removed.filter { $0.role == "app_user" }.map(\.command), [.select, .insert, .update, .delete])
    }

    func testANewTenantTableOpenToPublicIsAWideningNotAnAddition() {
        var head = AccessFixture.base()
        head.table("public.invoices", columns: ["tenant_id uuid!", "total numeric"], grants: ["PUBLIC:SELECT"])
        let changes = AccessFixture.diff(AccessFixture.base(), head).filter { $0.command == .select && $0.role != "owner" }
        XCTAssertEqual(changes.map(\.class), [.widening, .widening, .widening])
        XCTAssertTrue(changes[0].reason.contains("row-level security is off on public.invoices"), changes[0].reason)
    }
}

extension AccessDiffGrantTests {
    /// `GRANT admin TO app_user`: the policies' texts stay, but the gate now opens for app_user.
    func testMembershipInTheGatesRoleWidensThoughNoPolicyTextChanged() throws {
        var base = AccessFixture.base()
        base.dropPolicies(["orders_select"])
        base.policy("public.orders", "orders_select", roles: ["app_user"], command: "r",
                    using: "((tenant_id = desk.current_tenant_id()) OR (SELECT desk.admin_mode_enabled() AS admin_mode_enabled))")
        var head = base
        head.alterRole("app_user", "member_of", AccessCatalogBuilder.array(["admin"]))
        let changes = AccessFixture.diff(base, head)
        XCTAssertEqual(changes.map { "\($0.class) \($0.role) \($0.command.rawValue)" }, ["widening app_user SELECT"])
        XCTAssertEqual(changes.first?.witness?.context["gate:desk.admin_mode_enabled"], "true")
    }

    /// A gate whose body no longer checks membership is read by its bodies on both sides: the admin it was
    /// meant for reaches the same rows (equivalent: a helper changed), everyone else more.
    func testAGateWhoseBodyStopsCheckingMembershipWidensForEveryoneButItsRole() throws {
        func schema(gate body: String) -> AccessCatalogBuilder {
            var b = AccessFixture.base()
            b.functions.removeAll { $0["name"] == "admin_mode_enabled" }
            b.function("desk.admin_mode_enabled", body: body, returns: "boolean")
            b.alterTable("public.orders", "grants", AccessCatalogBuilder.array(["app_user:SELECT", "admin:SELECT"]))
            b.dropPolicies(["orders_select"])
            b.policy("public.orders", "orders_select", roles: ["app_user", "admin"], command: "r",
                     using: "((tenant_id = desk.current_tenant_id()) OR desk.admin_mode_enabled())")
            return b
        }
        let base = schema(gate: " SELECT pg_has_role(current_user, 'admin', 'MEMBER') AND coalesce(current_setting('app.admin_mode', true), '') = 'on' ")
        let head = schema(gate: " SELECT coalesce(current_setting('app.admin_mode', true), '') = 'on' ")
        let changes = AccessFixture.diff(base, head).filter { $0.command == .select }
        XCTAssertEqual(changes.map { "\($0.class) \($0.role)" }, ["equivalent admin", "widening app_user"], changes.map(\.line).joined(separator: "\n"))
        XCTAssertEqual(changes.first?.reason, "a function it calls changed; both admit the same rows")
    }
}
