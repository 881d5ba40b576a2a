import Catalog
import Proof
import XCTest

/// Views that run with their owner's rights: the simple ones are held to the wall by their own WHERE.
final class AccessViewTests: XCTestCase {
    static let wallView = """
         SELECT readings.tenant_id,
            readings.value
           FROM walled.readings
          WHERE (readings.tenant_id = ( SELECT desk.current_tenant_id() AS current_tenant_id));
        """

    /// TimescaleDB's walled form: storage without RLS, a security_barrier view owned by the owner, granted to the app.
    func walled(definition: String = wallView, options: [String] = ["security_barrier=true", "check_option=cascaded"]) -> AccessCatalogBuilder {
        var b = AccessFixture.base()
        b.table("walled.readings", columns: ["tenant_id uuid!", "value numeric"])
        b.table("public.readings", columns: ["tenant_id uuid!", "value numeric"], kind: "v", grants: ["app_user:SELECT", "app_user:INSERT"],
                options: options, definition: definition)
        b.dependency(view: "public.readings", table: "walled.readings")
        return b
    }

    func view(_ b: AccessCatalogBuilder) -> ViewReach? {
        guard case .view(let view)? = AccessFixture.state(b).model.entry(role: "app_user", object: "public.readings", command: .select)?.reach else { return nil }
        return view
    }

    func testTheWhereOfASimpleViewIsReadUnqualified() {
        XCTAssertEqual(view(walled())?.condition, "(tenant_id = ( SELECT desk.current_tenant_id() AS current_tenant_id))")
        XCTAssertEqual(view(walled())?.checkOption, true)
        let aliased = " SELECT r.tenant_id, r.value FROM walled.readings r WHERE ((r.tenant_id = desk.current_tenant_id()) AND (r.value > (0)::numeric));"
        XCTAssertEqual(view(walled(definition: aliased))?.condition, "((tenant_id = desk.current_tenant_id()) AND (value > (0)::numeric))")
    }

    func testJoinsAndGroupingHaveNoConditionToSolve() {
        let joined = " SELECT r.tenant_id, r.value FROM (walled.readings r JOIN tenants t ON ((t.id = r.tenant_id))) WHERE (r.tenant_id = desk.current_tenant_id());"
        let grouped = " SELECT readings.tenant_id, sum(readings.value) AS value FROM walled.readings WHERE (readings.tenant_id = desk.current_tenant_id()) GROUP BY readings.tenant_id;"
        XCTAssertNil(view(walled(definition: joined))?.condition)
        XCTAssertNil(view(walled(definition: grouped))?.condition)
    }

    func testAWalledViewIsHeldToTheWallByItsWhereAndItsWritesByTheCheckOption() {
        func obligations(_ b: AccessCatalogBuilder) -> [Obligation] {
            let state = AccessFixture.state(b)
            return ProofObligations.check(model: state.model, catalog: state.catalog).filter { $0.object == "public.readings" }
        }
        let held = obligations(walled())
        XCTAssertEqual(held.map { "\($0.command.rawValue) \($0.kind.rawValue) \($0.clause ?? "")" },
                       ["SELECT wall WHERE", "SELECT no-context WHERE", "INSERT wall WHERE", "INSERT no-context WHERE"])
        XCTAssertTrue(held[0].detail.contains("its WHERE (tenant_id = ( SELECT desk.current_tenant_id() AS current_tenant_id)) implies"), held[0].detail)
        let unchecked = obligations(walled(options: ["security_barrier=true"]))
        XCTAssertEqual(unchecked.filter { $0.command == .insert }.map { "\($0.kind.rawValue) \($0.holds)" }, ["view false"])
        XCTAssertTrue(held.allSatisfy(\.holds), held.filter { !$0.holds }.map(\.line).joined(separator: "\n"))
    }

    func testCheckOptionDroppedWidensWritesThroughTheView() {
        let changes = AccessFixture.diff(walled(), walled(options: ["security_barrier=true"])).filter { $0.role == "app_user" }
        XCTAssertEqual(changes.map { "\($0.class) \($0.command.rawValue)" }, ["widening INSERT"])
    }

    func testOnlyTheWhereChangedIsComparedAsAPredicate() throws {
        let widened = Self.wallView.replacingOccurrences(of: "AS current_tenant_id));", with: "AS current_tenant_id)) OR (readings.value > (100)::numeric);")
        XCTAssertNotNil(view(walled(definition: widened))?.condition)
        let changes = AccessFixture.diff(walled(), walled(definition: widened)).filter { $0.role == "app_user" && $0.command == .select }
        XCTAssertEqual(changes.map(\.clause), ["WHERE"])
        XCTAssertEqual(changes.first?.class, .widening)
        XCTAssertNotNil(changes.first?.witness)
    }
}
