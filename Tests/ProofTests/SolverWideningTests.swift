import Proof
import XCTest

/// Changes that let a role see more: each verdict carries a witness that really is a counterexample.
final class SolverWideningTests: XCTestCase {
    static let one = "'00000000-0000-0000-0000-000000000001'::uuid"

    func testOrIsPublicWidensWithAPublicRowOfAnotherTenant() throws {
        let witness = try XCTUnwrap(assertWidens(SolverFixture.wall + " OR is_public", SolverFixture.wall))
        XCTAssertEqual(witness.row["is_public"], "true")
        let tenant = try XCTUnwrap(witness.row["tenant_id"] ?? nil)
        XCTAssertTrue(tenant.hasSuffix("::uuid"), tenant)
        let reader = try XCTUnwrap(witness.context["setting:app.tenant_id"] ?? nil, "a tenant is set: \(witness)")
        XCTAssertEqual(reader.count, 36, reader)
        XCTAssertNotEqual(reader, String(tenant.dropFirst().prefix(36)))
    }

    func testWitnessValuesAreSmall() throws {
        let witness = try XCTUnwrap(assertWidens(SolverFixture.wall + " OR is_public", SolverFixture.wall))
        for (name, value) in witness.row {
            guard let value, value.hasSuffix("::uuid") else { continue }
            XCTAssertTrue(value.hasPrefix("'00000000-0000-0000-0000-00000000000"), "\(name) = \(value)")
        }
    }

    func testFailOpenWhenTheSettingIsMissing() throws {
        let failOpen = "NOT (current_setting('app.tenant_id', true) IS NOT NULL) OR tenant_id = (current_setting('app.tenant_id', true))::uuid"
        let witness = try XCTUnwrap(assertWidens(failOpen, SolverFixture.wall))
        XCTAssertEqual(witness.context["setting:app.tenant_id"], .some(nil))
    }

    func testCoalesceToEmptyIsNotTheNullIfForm() throws {
        // COALESCE(…, '') compares '' with the text of tenant_id, never equal: no row without a tenant; the two
        // agree wherever the setting is set, and both admit nothing when it is not.
        let coalesce = "COALESCE(current_setting('app.tenant_id', true), '') = (tenant_id)::text"
        assertEquivalent(coalesce, SolverFixture.wall)
        let empty = "COALESCE(current_setting('app.tenant_id', true), '') = COALESCE((owner_id)::text, '')"
        let witness = try XCTUnwrap(assertWidens(empty, "(owner_id)::text = current_setting('app.tenant_id', true)"))
        XCTAssertEqual(witness.row["owner_id"], .some(nil))
    }

    func testLikePrefixWidens() throws {
        let exact = "path = current_setting('app.tenant_id', true)"
        let prefix = "path LIKE (current_setting('app.tenant_id', true) || '%')"
        XCTAssertEqual(verdict(exact, prefix), .holds)
        let witness = try XCTUnwrap(assertWidens(prefix, exact))
        let path = try XCTUnwrap(witness.row["path"] ?? nil)
        let setting = try XCTUnwrap(witness.context["setting:app.tenant_id"] ?? nil)
        XCTAssertTrue(path.hasPrefix("'" + setting), "\(path) vs \(setting)")
    }

    func testLikePatternConstants() {
        assertWidens("title LIKE 'ab%'", "title = 'ab'")
        XCTAssertEqual(verdict("title LIKE 'ab_'", "title LIKE 'ab%'"), .holds)
        XCTAssertEqual(verdict("title ILIKE 'AB'", "title LIKE 'ab' OR title LIKE 'Ab' OR title LIKE 'aB' OR title LIKE 'AB'"), .holds)
        assertWidens("title ILIKE 'ab'", "title LIKE 'ab'")
        XCTAssertEqual(verdict("title NOT LIKE '%x%' AND title LIKE 'a%'", "title <> 'ax'"), .holds)
    }

    func testTenantTextLikeWorksOnUUIDs() {
        XCTAssertEqual(verdict("(tenant_id)::text LIKE '00000000-%'", "(tenant_id)::text >= '0'"), .holds)
        assertWidens("(tenant_id)::text LIKE '0%'", "(tenant_id)::text LIKE '00%'")
    }

    func testPermissivePolicyAddedWidens() {
        let base = Predicate.expression(SolverFixture.wall)
        let head = Predicate.or([base, .expression("owner_id = 7")])
        let witness = assertWidens(head, base)
        XCTAssertEqual(witness?.row["owner_id"], "7")
    }

    func testGateIsFalseForANonMember() {
        let gated = SolverFixture.wall + " OR (SELECT app.admin_mode_enabled())"
        XCTAssertEqual(verdict(gated, SolverFixture.wall), .holds)
        let admin = SolverFixture.side(role: "support", memberships: ["admin"])
        let witness = assertWidens(gated, SolverFixture.wall, admin)
        XCTAssertEqual(witness?.context["gate:app.admin_mode_enabled"], "true")
    }

    func testChangedPlpgsqlBodyIsNotEquivalent() {
        let before = SolverFixture.function("app", "reader", returns: "uuid", language: "plpgsql",
                                            body: "BEGIN RETURN current_setting('app.tenant_id')::uuid; END")
        var after = before
        after.body = "BEGIN RETURN current_setting('app.any_tenant')::uuid; END"
        let base = SolverFixture.side(functions: [before])
        let head = SolverFixture.side(functions: [after])
        XCTAssertEqual(verdict("tenant_id = app.reader()", "tenant_id = app.reader()", head, conclusionSide: head), .holds)
        let witness = assertWidens(.expression("tenant_id = app.reader()"), .expression("tenant_id = app.reader()"), head, conclusionSide: base)
        XCTAssertEqual(witness?.context.keys.filter { $0.hasPrefix("function:app.reader()") }.count, 2)
    }

    func testUnchangedPlpgsqlReaderIsOneContextValue() {
        let reader = SolverFixture.function("app", "reader", returns: "uuid", language: "plpgsql", body: "BEGIN RETURN NULL; END")
        let side = SolverFixture.side(functions: [reader])
        assertEquivalent("tenant_id = app.reader()", "app.reader() = tenant_id", side)
        let witness = assertWidens("tenant_id = app.reader() OR is_public", "tenant_id = app.reader()", side)
        XCTAssertTrue(witness?.context.keys.contains("function:app.reader()") ?? false, "\(String(describing: witness))")
    }

    func testCurrentUserIsTheSidesRole() {
        XCTAssertEqual(verdict("current_user = 'app_user'", "true"), .holds)
        XCTAssertEqual(verdict("true", "CURRENT_USER = 'app_user'::name"), .holds)
        XCTAssertEqual(verdict("true", "pg_has_role('admin', 'MEMBER')", SolverFixture.side(memberships: ["admin"])), .holds)
        assertWidens("true", "pg_has_role(CURRENT_USER, 'admin', 'MEMBER')")
    }
}
