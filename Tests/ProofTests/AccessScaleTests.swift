import Catalog
import Foundation
import Proof
import XCTest

/// A 50-table review: most entries are identical and must be skipped without the solver.
final class AccessScaleTests: XCTestCase {
    func schema(widened: Set<Int> = []) -> AccessCatalogBuilder {
        var b = AccessCatalogBuilder()
        for role in ["owner", "admin", "app_user", "reporter", "worker"] { b.role(role) }
        b.function("desk.current_tenant_id", body: " SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid ")
        for i in 0..<50 {
            let table = "public.t\(i)"
            b.table(table, columns: AccessFixture.orderColumns, rls: true, forced: true,
                    grants: ["app_user:SELECT", "app_user:INSERT", "app_user:UPDATE", "app_user:DELETE", "reporter:SELECT", "worker:SELECT", "worker:UPDATE"])
            for (command, name) in [("r", "select"), ("a", "insert"), ("w", "update"), ("d", "delete")] {
                let using = command == "a" ? nil : (widened.contains(i) && command == "r" ? "(\(AccessFixture.wall) OR is_public)" : AccessFixture.wall)
                b.policy(table, "\(name)_\(i)", roles: ["app_user", "reporter", "worker"], command: command, using: using,
                         check: command == "a" || command == "w" ? AccessFixture.wall : nil)
            }
        }
        return b
    }

    /// Timed without the solver's checks, which the engine's own benchmark measures: two models built and every
    /// identical entry skipped.
    func testFiftyTablesCompareInWellUnderASecondAndOnlyTheChangedPolicyIsReported() {
        let start = Date()
        let base = AccessFixture.state(schema()), same = AccessFixture.state(schema())
        XCTAssertEqual(AccessDiff.compare(base: base, head: same), [])
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(base.model.entries.count, 50 * 6 * 6)
        print("access models and comparison of 50 tables × 6 roles × 6 commands: \(Int(elapsed * 1000)) ms")
        let changes = AccessDiff.compare(base: base, head: AccessFixture.state(schema(widened: [7])))
        XCTAssertEqual(changes.map { "\($0.role) \($0.object) \($0.command.rawValue)" },
                       ["app_user public.t7 SELECT", "reporter public.t7 SELECT", "worker public.t7 SELECT"])
    }

    /// The worst case the solver sees: every table's SELECT widened (150 entries, each solved with a witness),
    /// and prove on all 50 tables (app_user 5 clauses, reporter 1, worker 3; 2 obligations each).
    func testEveryTableChangedAndProveOnFiftyTablesAreTimed() {
        let base = AccessFixture.state(schema()), head = AccessFixture.state(schema(widened: Set(0..<50)))
        var start = Date()
        let changes = AccessDiff.compare(base: base, head: head)
        let compared = Date().timeIntervalSince(start)
        XCTAssertEqual(changes.count, 150)
        XCTAssertTrue(changes.allSatisfy { $0.class == .widening && $0.witness != nil })
        start = Date()
        let obligations = ProofObligations.check(model: base.model, catalog: base.catalog)
        let proved = Date().timeIntervalSince(start)
        XCTAssertEqual(obligations.count, 50 * (5 + 1 + 3) * 2)
        XCTAssertTrue(obligations.allSatisfy(\.holds))
        print("150 widenings solved with witnesses: \(Int(compared * 1000)) ms; \(obligations.count) obligations proved: \(Int(proved * 1000)) ms")
        XCTAssertLessThan(compared + proved, 60)
    }
}
