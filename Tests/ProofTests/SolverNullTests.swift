import Proof
import XCTest

/// SQL's NULL and errors: a predicate admits a row only when it is TRUE.
final class SolverNullTests: XCTestCase {
    func testInequalityWithANullReaderAdmitsNothing() {
        let reader = Predicate.expression("current_setting('app.tenant_id', true) IS NULL")
        let side = SolverFixture.side()
        XCTAssertEqual(solver.entails(.expression("(tenant_id)::text <> current_setting('app.tenant_id', true)"), in: side, .none, in: side,
                                      assuming: reader), .holds)
        XCTAssertEqual(solver.entails(.expression(SolverFixture.wall), in: side, .none, in: side, assuming: reader), .holds)
    }

    func testIsNullOfTheReaderAdmitsEverythingWhenUnset() {
        let side = SolverFixture.side()
        let reader = Predicate.expression("app.current_tenant_id() IS NULL")
        assertWidens(.expression("app.current_tenant_id() IS NULL OR " + SolverFixture.wall), .none, side, assuming: reader)
    }

    func testNotNullColumnsAreNeverNull() {
        XCTAssertEqual(verdict("true", "tenant_id IS NOT NULL"), .holds)
        assertWidens("true", "title IS NOT NULL")
    }

    func testNotOfNullIsNull() {
        XCTAssertEqual(verdict("NOT (title = 'x')", "title IS NOT NULL"), .holds)
        XCTAssertEqual(verdict("title <> 'x'", "NOT (title = 'x')"), .holds)
    }

    func testNullIfTurnsEmptyIntoNull() {
        XCTAssertEqual(verdict("NULLIF(current_setting('app.tenant_id', true), '') IS NOT NULL",
                               "current_setting('app.tenant_id', true) <> ''"), .holds)
    }

    func testAFailedCastAdmitsNothing() {
        let side = SolverFixture.side()
        XCTAssertEqual(solver.entails(.expression("owner_id = (current_setting('app.owner'))::integer OR is_public"), in: side,
                                      .expression("is_public OR owner_id IS NOT NULL"), in: side), .holds)
        XCTAssertEqual(verdict("tenant_id = 'not-a-uuid'::uuid", "false"), .holds)
        XCTAssertEqual(verdict("owner_id = (current_setting('app.owner'))::integer", "current_setting('app.owner') <> ''"), .holds)
    }

    func testMissingSettingWithoutMissingOKIsAnError() {
        XCTAssertEqual(verdict("current_setting('app.x') IS NULL", "false"), .holds)
        assertWidens("current_setting('app.x', true) IS NULL", "false")
    }

    func testNullLiteralComparisons() {
        XCTAssertEqual(verdict("title = NULL", "false"), .holds)
        XCTAssertEqual(verdict("title IS DISTINCT FROM NULL", "title IS NOT NULL"), .holds)
    }
}

/// A check Z3 cannot settle in time is `unknown`, saying so, never a pass.
final class SolverTimeoutTests: XCTestCase {
    func testTimeoutIsUnknown() {
        let side = SolverFixture.side()
        let hard = PredicateSolver(timeoutMilliseconds: 50).entails(
            .expression("(current_setting('app.owner'))::integer = 7"), in: side,
            .expression("current_setting('app.owner') = '7' OR current_setting('app.owner') LIKE '0%'"), in: side)
        guard case .unknown(let reason) = hard else { return XCTFail("expected a timeout, got \(hard)") }
        XCTAssertTrue(reason.contains("timeout"), reason)
    }
}

/// Text read as a number: PostgreSQL takes an optional minus and digits, and fails on anything else.
final class SolverCastTests: XCTestCase {
    func testNegativeNumbersCast() throws {
        let witness = try XCTUnwrap(assertWidens("owner_id = (current_setting('app.owner'))::integer AND owner_id < 0", "false"))
        XCTAssertEqual(witness.context["setting:app.owner"] ?? nil, (witness.row["owner_id"] ?? nil))
    }

    func testNonNumbersFail() {
        XCTAssertEqual(verdict("((title)::integer) IS NOT NULL", "title <> ''"), .holds)
    }
}
