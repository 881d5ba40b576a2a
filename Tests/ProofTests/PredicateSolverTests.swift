import Proof
import XCTest

final class PredicateSolverTests: XCTestCase {
    func testSameConstantEntailsItself() {
        let side = Side(columns: [], role: "app")
        XCTAssertNotEqual(PredicateSolver().entails(.none, in: side, .all, in: side), .fails(Witness(row: [:], context: [:])))
    }
}
