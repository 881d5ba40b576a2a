import Proof
import XCTest

/// Errors (a cast PostgreSQL rejects) admit nothing. OR is TRUE when any operand is TRUE even if another
/// fails, AND is FALSE when any operand is FALSE: the same reading on both sides, so an erroring branch never
/// adds a row and never hides one another branch admits.
final class SolverErrorTests: XCTestCase {
    func testBranchThatAlwaysFailsAddsNothing() {
        assertEquivalent("is_public OR ('x'::uuid = tenant_id)", "is_public")
        XCTAssertEqual(verdict("'x'::uuid = tenant_id", "false"), .holds)
        XCTAssertEqual(verdict("NOT (is_public OR ('x'::uuid = tenant_id))", "false"), .holds)
    }

    func testBranchWithAFailingCastStillWidensThroughItsGoodValues() throws {
        let witness = try XCTUnwrap(assertWidens("is_public OR ((title)::uuid = tenant_id)", "is_public"))
        let title = try XCTUnwrap(witness.row["title"] ?? nil)
        XCTAssertEqual(title, witness.row["tenant_id"]??.replacingOccurrences(of: "::uuid", with: "::text"), "a title the cast reads")
    }

    func testWidenedOrWithAFailingReaderIsFound() throws {
        let head = SolverFixture.wall + " OR ((title)::integer = 1)"
        let witness = try XCTUnwrap(assertWidens(head, SolverFixture.wall))
        XCTAssertEqual(witness.row["title"], "'1'::text")
    }

    /// A malformed setting makes the reader fail on both sides alike: the wall OR a gate stays equivalent to itself.
    func testFailingReaderIsTheSameOnBothSides() {
        let gated = "(tenant_id = (current_setting('app.tenant_id'))::uuid) OR app.admin_mode_enabled()"
        let side = SolverFixture.side(role: "admin", memberships: ["admin"])
        XCTAssertEqual(verdict(gated, "(" + gated + ") AND true", side), .holds)
        XCTAssertEqual(verdict("(" + gated + ") AND true", gated, side), .holds)
    }
}
