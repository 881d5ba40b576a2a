import Proof
import XCTest

/// Rewrites a team makes without changing who sees what: the solver proves both directions.
final class SolverEquivalenceTests: XCTestCase {
    func testOperandOrderDoesNotMatter() {
        assertEquivalent("tenant_id = app.current_tenant_id()", "app.current_tenant_id() = tenant_id")
    }

    func testAndTrueIsTheSame() {
        assertEquivalent("tenant_id = app.current_tenant_id()", "(tenant_id = app.current_tenant_id()) AND true")
    }

    func testOperatorSpelledAsGeneratedSQLDoes() {
        assertEquivalent("\"tenant_id\" OPERATOR(pg_catalog.=) \"app\".\"current_tenant_id\"()", "tenant_id = app.current_tenant_id()")
    }

    func testSubSelectOfAFunctionIsTheFunction() {
        assertEquivalent("tenant_id = (SELECT app.current_tenant_id() AS current_tenant_id)", "tenant_id = app.current_tenant_id()")
    }

    func testInlinedSQLFunctionEqualsItsBody() {
        assertEquivalent("tenant_id = app.current_tenant_id()",
                         "tenant_id = (NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::uuid")
    }

    func testInliningWithParameters() {
        let owns = SolverFixture.function("app", "owns", args: ["uuid"], signature: "p_tenant uuid", returns: "boolean",
                                          body: "SELECT p_tenant = app.current_tenant_id()")
        let positional = SolverFixture.function("app", "owns2", args: ["uuid"], returns: "boolean", body: "SELECT $1 = app.current_tenant_id()")
        let side = SolverFixture.side(functions: [owns, positional])
        assertEquivalent("app.owns(tenant_id)", SolverFixture.wall, side)
        assertEquivalent("app.owns2(tenant_id)", SolverFixture.wall, side)
    }

    func testInAndAnyAreTheSame() {
        assertEquivalent("title IN ('a', 'b')", "title = ANY (ARRAY['a'::text, 'b'::text])")
        assertEquivalent("owner_id NOT IN (1, 2)", "owner_id <> ALL (ARRAY[1, 2])")
    }

    func testCastMovedFromTheSettingToTheColumn() {
        assertEquivalent("tenant_id = (current_setting('app.tenant_id'::text))::uuid",
                         "(tenant_id)::text = current_setting('app.tenant_id'::text)")
    }

    func testBetweenIsTwoComparisons() {
        assertEquivalent("owner_id BETWEEN 1 AND 10", "owner_id >= 1 AND owner_id <= 10")
    }

    func testDistinctFromIsNullSafeEquality() {
        assertEquivalent("title IS NOT DISTINCT FROM 'x'", "title = 'x'")
        assertEquivalent("NOT (title IS DISTINCT FROM 'x')", "COALESCE(title = 'x', false)")
    }

    func testCaseAndCoalesceForms() {
        assertEquivalent("CASE WHEN is_public THEN true ELSE tenant_id = app.current_tenant_id() END",
                         "is_public OR tenant_id = app.current_tenant_id()")
        assertEquivalent("CASE owner_id WHEN 1 THEN true ELSE false END", "owner_id = 1")
    }

    func testBooleanTests() {
        assertEquivalent("(title = 'x') IS TRUE", "title = 'x'")
        assertEquivalent("is_public IS NOT FALSE", "is_public")
    }

    func testLikeWithoutWildcardsIsEquality() {
        assertEquivalent("title LIKE 'abc'", "title = 'abc'")
        assertEquivalent("title LIKE 'a\\%'", "title = 'a%'")
    }

    func testRestrictiveAndNarrowsButIsEntailed() {
        let base = Predicate.expression(SolverFixture.wall)
        let head = Predicate.and([base, .expression("NOT is_public")])
        let side = SolverFixture.side()
        XCTAssertEqual(solver.entails(head, in: side, base, in: side), .holds)
        assertWidens(base, head)
    }

    func testConstantsAndCombinations() {
        let side = SolverFixture.side()
        XCTAssertEqual(solver.entails(.none, in: side, .expression(SolverFixture.wall), in: side), .holds)
        XCTAssertEqual(solver.entails(.expression(SolverFixture.wall), in: side, .all, in: side), .holds)
        let four = Predicate.or([.expression(SolverFixture.wall), .expression(SolverFixture.wall)])
        XCTAssertEqual(solver.entails(four, in: side, .expression(SolverFixture.wall), in: side), .holds)
    }
}
