import Proof
import XCTest

/// What the solver cannot read is `unknown` naming the construct, or an opaque value shared by the sides:
/// never a crash, never a pass.
final class SolverReaderTests: XCTestCase {
    func unknownReason(_ premise: String, _ conclusion: String = "true", file: StaticString = #filePath, line: UInt = #line) -> String {
        guard case .unknown(let reason) = verdict(premise, conclusion) else {
            XCTFail("expected unknown for \(premise), got \(verdict(premise, conclusion))", file: file, line: line)
            return ""
        }
        return reason
    }

    func testSyntaxErrorIsUnknown() {
        XCTAssertTrue(unknownReason("tenant_id = = 1").contains("syntax error"))
    }

    func testUnknownColumnIsNamed() {
        XCTAssertTrue(unknownReason("nope = 1").contains("nope"))
    }

    func testDecimalConstantIsNamed() {
        XCTAssertTrue(unknownReason("owner_id = 1.5").contains("1.5"))
    }

    func testRowConstructorIsNamed() {
        XCTAssertTrue(unknownReason("ROW(owner_id, 1) = ROW(1, 1)").contains("RowExpr"))
    }

    func testNonBooleanPredicateIsUnknown() {
        XCTAssertFalse(unknownReason("owner_id").isEmpty)
    }

    func testSameSubSelectOnBothSidesIsOneValue() {
        let exists = "EXISTS (SELECT 1 FROM app.members m WHERE m.tenant_id = documents.tenant_id AND m.user_id = current_user)"
        assertEquivalent(exists, exists + " AND true")
        assertEquivalent("tenant_id IN (SELECT tenant_id FROM app.members)", "(tenant_id IN (SELECT tenant_id FROM app.members))")
        assertWidens(exists + " OR is_public", exists)
    }

    func testDifferentSubSelectsAreDifferentValues() {
        assertWidens("EXISTS (SELECT 1 FROM app.a)", "EXISTS (SELECT 1 FROM app.b)")
    }

    func testScalarSubSelectTakesTheTypeItIsComparedWith() {
        let scalar = "tenant_id = (SELECT m.tenant_id FROM app.members m WHERE m.name = current_user)"
        assertEquivalent(scalar, "(SELECT m.tenant_id FROM app.members m WHERE m.name = current_user) = tenant_id")
    }

    func testUnmodelledOperatorIsOpaqueButShared() {
        assertEquivalent("title ~ '^a'", "(title ~ '^a') AND true")
        XCTAssertEqual(verdict("title ~ '^a' AND is_public", "is_public"), .holds)
    }

    func testUnknownFunctionsAreFunctionsOfTheirArguments() {
        assertEquivalent("lower(title) = 'a'", "'a' = lower(title)")
        guard case .fails = verdict("lower(title) = 'a'", "title = 'a'") else { return XCTFail("lower(title) = 'a' must not entail title = 'a'") }
    }
}
