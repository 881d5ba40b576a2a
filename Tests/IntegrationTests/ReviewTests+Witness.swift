import Foundation
import Postgres
import Proof
@testable import Review
import XCTest

/// The witness step of a review, on two sides built for real, with witnesses written by hand (what the solver
/// would find): a widening is confirmed only when the head admits the row and the base does not; anything else
/// makes it `unknown`, with the reason.
final class ReviewWitnessTests: XCTestCase {
    func testAWideningIsConfirmedOnlyWhenTheHeadAdmitsAndTheBaseDoesNot() throws {
        let fixture = try ReviewFixture.folders(base: ReviewFixture.schema(), head: ReviewFixture.schema(policy: "tenant_id = current_tenant_id() OR is_public"))
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let builder = SideBuilder(host: .embedded(binDirectory: nil))
        let base = try builder.build("base", source: .directory(fixture.base), files: SideFiles.locate(root: fixture.base, spec: [], migrations: nil, describe: "base"))
        defer { base.close() }
        let head = try builder.build("head", source: .directory(fixture.head), files: SideFiles.locate(root: fixture.head, spec: [], migrations: nil, describe: "head"))
        defer { head.close() }
        let pair = WitnessPair(base: base, head: head, models: ReviewComparison(base: base, head: head, options: AccessOptions()))
        let change = ReviewChange(kind: .widening, role: "app_user", object: "public.notes", command: "SELECT",
                                  base: "(tenant_id = current_tenant_id())", head: "((tenant_id = current_tenant_id()) OR is_public)")
        func row(isPublic: Bool) -> [String: String?] {
            ["tenant_id": "'00000000-0000-0000-0000-000000000001'::uuid", "id": "1", "body": "'x'::text", "is_public": isPublic ? "true" : "false"]
        }
        let reader: [String: String?] = ["setting:app.tenant_id": "00000000-0000-0000-0000-000000000002"]

        let confirmed = pair.confirm(.init(change: change, witness: Witness(row: row(isPublic: true), context: reader)))
        XCTAssertEqual(confirmed.kind, .widening, confirmed.reason)
        XCTAssertEqual(confirmed.confirmed, true, confirmed.reason)
        XCTAssertTrue(confirmed.witness?.contains("ROLLBACK") == true, confirmed.witness ?? "no script")

        let refusedByHead = pair.confirm(.init(change: change, witness: Witness(row: row(isPublic: false), context: reader)))
        XCTAssertEqual(refusedByHead.kind, .unknown)
        XCTAssertEqual(refusedByHead.confirmed, false)
        XCTAssertTrue(refusedByHead.reason.contains("the head's database did not admit the witness"), refusedByHead.reason)

        let ownTenant: [String: String?] = ["setting:app.tenant_id": "00000000-0000-0000-0000-000000000001"]
        let admittedByBase = pair.confirm(.init(change: change, witness: Witness(row: row(isPublic: true), context: ownTenant)))
        XCTAssertEqual(admittedByBase.kind, .unknown)
        XCTAssertTrue(admittedByBase.reason.contains("the base's database admits the witness too"), admittedByBase.reason)

        let narrowing = pair.confirm(.init(change: ReviewChange(kind: .narrowing, role: "app_user", object: "public.notes", command: "SELECT", base: "a", head: "b"),
                                           witness: nil))
        XCTAssertNil(narrowing.confirmed, "only widenings are run")
        for side in [base, head] {
            XCTAssertEqual(try Connection(side.conninfo).query("SELECT count(*) FROM notes").scalar, "0", "the runs left no row")
        }
    }
}
