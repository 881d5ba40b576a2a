import Foundation
import Proof
import XCTest

/// Review suite case 17: the tenant matched with `tenant_id::text LIKE current_setting('app.tenant_id') || '%'`.
/// The widening (an empty setting matches every tenant) is found (how fast is the solver benchmark's to say), and its witness runs: the row's uuid
/// and a setting read as a uuid are PostgreSQL's form (8-4-4-4-12 lowercase hex) or empty, never text a cast
/// to uuid rejects (22P02).
final class SolverUUIDLikeTests: XCTestCase {
    static let like = "((tenant_id)::text ~~ (current_setting('app.tenant_id'::text, true) || '%'::text)) OR app.admin_mode_enabled()"
    static let base = "(tenant_id = app.current_tenant_id()) OR app.admin_mode_enabled()"
    static let uuidForm = #"^'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'::uuid$"#

    func testLikeAgainstTheContextWidensFastWithARunnableWitness() throws {
        for role in ["app_user", "admin"] {
            let side = SolverFixture.side(role: role, memberships: role == "admin" ? ["admin"] : [])
            let started = Date()
            let witness = try XCTUnwrap(assertWidens(Self.like, Self.base, side))
            let elapsed = Date().timeIntervalSince(started)
            print("SolverUUIDLike: \(role) check with witness in \(String(format: "%.0f", elapsed * 1000)) ms")
            let tenant = try XCTUnwrap(witness.row["tenant_id"] ?? nil)
            XCTAssertNotNil(tenant.range(of: Self.uuidForm, options: .regularExpression), tenant)
            let setting = witness.context["setting:app.tenant_id"] ?? nil
            XCTAssertTrue(setting == nil || setting == "" || setting.flatMap { Self.isUUID($0) } == true, "\(String(describing: setting))")
        }
    }

    func testPrefixOfATenantNeverMakesAnInvalidUUIDSetting() throws {
        // A partial uuid in the setting would match by LIKE but make the base's cast fail: the witness picks
        // a setting PostgreSQL reads (empty here), not one that raises 22P02.
        let witness = try XCTUnwrap(assertWidens("(tenant_id)::text LIKE (current_setting('app.tenant_id', true) || '%')", SolverFixture.wall))
        let setting = witness.context["setting:app.tenant_id"] ?? nil
        XCTAssertTrue(setting == nil || setting == "" || setting.flatMap { Self.isUUID($0) } == true, "\(String(describing: setting))")
    }

    static func isUUID(_ text: String) -> Bool {
        text.range(of: #"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"#, options: .regularExpression) != nil
    }
}
