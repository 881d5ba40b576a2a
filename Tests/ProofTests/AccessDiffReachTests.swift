import Catalog
import Proof
import XCTest

/// Transitions of the rows reached that need no solver: RLS bypassed, FORCE removed, views, helper bodies.
final class AccessDiffReachTests: XCTestCase {
    func testBypassRLSWidensEveryFilteredCommand() {
        var head = AccessFixture.base()
        head.alterRole("app_user", "bypassrls", "true")
        let changes = AccessFixture.diff(AccessFixture.base(), head)
        XCTAssertEqual(changes.map(\.command), [.select, .insert, .update, .delete])
        XCTAssertEqual(Set(changes.map(\.class)), [.widening])
        XCTAssertEqual(changes.first?.reason, "app_user has BYPASSRLS")
        XCTAssertEqual(changes.first?.line, "widening app_user public.orders SELECT: USING (\(AccessFixture.wall)) -> all rows (app_user has BYPASSRLS)")
    }

    func testForceRemovedForAnOwnerThatIsAnAccessRoleWidens() {
        var base = AccessFixture.base()
        base.alterTable("public.orders", "owner", "app_user")
        var head = base
        head.alterTable("public.orders", "forced", "false")
        let changes = AccessFixture.diff(base, head).filter { $0.role == "app_user" }
        XCTAssertEqual(changes.map(\.command), [.select, .insert, .update, .delete])
        XCTAssertEqual(Set(changes.map(\.class)), [.widening])
        XCTAssertEqual(changes.first?.reason, "app_user owns public.orders and row-level security is not forced")
    }

    func testRowLevelSecurityDisabledWidensAndEnabledAgainIsNoWidening() {
        var head = AccessFixture.base()
        head.alterTable("public.orders", "rls", "false")
        let widened = AccessFixture.diff(AccessFixture.base(), head).filter { $0.role == "app_user" }
        XCTAssertEqual(Set(widened.map(\.class)), [.widening])
        let back = AccessFixture.diff(head, AccessFixture.base()).filter { $0.role == "app_user" }
        XCTAssertEqual(back.count, 4)
        XCTAssertFalse(back.contains { $0.class == .widening }, back.map(\.line).joined(separator: "\n"))
    }

    func testTruncateGrantedWidens() {
        var head = AccessFixture.base()
        head.alterTable("public.orders", "grants", AccessCatalogBuilder.array(["owner:SELECT", "owner:INSERT", "owner:UPDATE", "owner:DELETE", "owner:TRUNCATE",
                                                                               "app_user:SELECT", "app_user:INSERT", "app_user:UPDATE", "app_user:DELETE",
                                                                               "app_user:TRUNCATE"]))
        XCTAssertEqual(AccessFixture.diff(AccessFixture.base(), head).map(\.line),
                       ["widening app_user public.orders TRUNCATE: no TRUNCATE -> TRUNCATE: all rows (TRUNCATE is not subject to row-level security)"])
    }

    func testViewSwitchedToDefinerRightsWidens() {
        var base = AccessFixture.base()
        base.alterTable("public.orders", "forced", "false")
        base.table("public.order_list", columns: ["tenant_id uuid", "id bigint"], kind: "v", grants: ["app_user:SELECT"],
                   options: ["security_invoker=true"], definition: " SELECT orders.tenant_id, orders.id FROM orders;")
        base.dependency(view: "public.order_list", table: "public.orders")
        var head = base
        head.alterTable("public.order_list", "options", nil)
        let changes = AccessFixture.diff(base, head).filter { $0.role == "app_user" }
        XCTAssertEqual(changes.map(\.class), [.widening])
        XCTAssertEqual(changes.first?.base, "security_invoker view")
        XCTAssertEqual(changes.first?.head, "view with the rights of owner (public.orders: owner owns public.orders and row-level security is not forced)")
        XCTAssertEqual(AccessFixture.diff(head, base).filter { $0.role == "app_user" }.map(\.class), [.narrowing])
    }

    func testViewQueryChangedIsUnknownUnlessOnlyWhiteSpace() {
        var base = AccessFixture.base()
        base.table("public.order_list", columns: ["id bigint"], kind: "v", grants: ["app_user:SELECT"], options: ["security_invoker=on"],
                   definition: " SELECT orders.id\n   FROM orders;")
        var spaced = base, changed = base
        spaced.alterTable("public.order_list", "definition", "SELECT orders.id FROM orders;")
        changed.alterTable("public.order_list", "definition", "SELECT orders.id FROM orders WHERE orders.is_public;")
        XCTAssertEqual(AccessFixture.diff(base, spaced), [])
        XCTAssertEqual(AccessFixture.diff(base, changed).filter { $0.role == "app_user" }.map(\.class), [.unknown])
    }

    func testHelperBodyChangedIsComparedThoughNoPolicyTextChanged() throws {
        var head = AccessFixture.base()
        head.functions.removeAll { $0["name"] == "current_tenant_id" }
        head.function("desk.current_tenant_id", body: " SELECT NULLIF(current_setting('app.forgeable', true), '')::uuid ")
        let changes = AccessFixture.diff(AccessFixture.base(), head).filter { $0.role == "app_user" }
        XCTAssertEqual(changes.map(\.command), [.select, .insert, .update, .update, .delete])
        XCTAssertEqual(changes.map(\.clause), ["USING", "WITH CHECK", "USING", "WITH CHECK", "USING"])
        XCTAssertFalse(changes.contains { [.equivalent, .narrowing, .added].contains($0.class) }, changes.map(\.line).joined(separator: "\n"))
        XCTAssertEqual(Set(changes.map(\.class)), [.widening])
        XCTAssertNotNil(changes.first?.witness)
    }
}

extension AccessDiffReachTests {
    func testRoleMadeSuperuserWidensWhatItDidNotReachUnfilteredAndBackNarrows() {
        var head = AccessFixture.base()
        head.alterRole("app_user", "superuser", "true")
        let changes = AccessFixture.diff(AccessFixture.base(), head)
        XCTAssertEqual(changes.map { "\($0.class) \($0.command.rawValue)" },
                       ["widening SELECT", "widening INSERT", "widening UPDATE", "widening DELETE", "widening TRUNCATE", "widening REFERENCES"])
        XCTAssertEqual(changes.first?.head, "SELECT: all rows (app_user is a superuser)")
        XCTAssertEqual(Set(AccessFixture.diff(head, AccessFixture.base()).map(\.class)), [.narrowing])
    }
}
