import Foundation
import Proof
import Review
import Tenantwall
import XCTest

/// prove on the Citus example, on the cluster CitusTests starts.
extension CitusTests {
    /// The Citus example on a coordinator and two workers (its shard placements are not relations the model
    /// sees: the coordinator's catalog is what prove reads). Its helpers are inline SQL reading
    /// `current_setting(setting, true)` with the setting as an argument: the solver binds the call's constant,
    /// so every predicate is read and every role but the admin holds.
    ///
    /// The admin: on Citus the generated admin policies are `CURRENT_USER = '<admin>'` (a policy there cannot
    /// hold a sub-select, and the admin-mode log lives on the coordinator only: PolicyStatements), while the
    /// access model states the admin's wall with the admin-mode gate, `(SELECT admin_mode_enabled())`. The
    /// solver then rightly finds the admin reading every tenant without admin mode. Until the model states the
    /// Citus admin condition (ProveOptions/AccessOptions: the gate is being the admin role), those obligations
    /// fail, and only those: checked here, so any other failure or undecided obligation shows.
    func testProveHoldsOnTheExample() throws {
        try ProveSolverTests.requireSolver()
        let spec = try SpecFiles.load([TestServer.path("policies/workflow-platform-citus")])
        let (cluster, url, _, _) = try applied(spec)
        defer { cluster.stop() }
        let report = try ProveRun(specPaths: [TestServer.path("policies/workflow-platform-citus")], database: url).run()
        let admin = spec.roles.admin
        let undecided = report.obligations.filter { if case .unknown = $0.obligation.verdict { return true } else { return false } }
        XCTAssertTrue(undecided.isEmpty, "the solver reads every predicate:\n" + undecided.map(\.explained).joined(separator: "\n"))
        let others = report.obligations.filter { $0.obligation.role != admin }
        XCTAssertGreaterThan(others.count, 10)
        XCTAssertTrue(others.allSatisfy { $0.state == "holds" }, others.filter { $0.state != "holds" }.map(\.explained).joined(separator: "\n"))
        let adminBranch = "CURRENT_USER = '\(admin)'::name"
        let adminOpen = report.obligations.filter { $0.obligation.role == admin && $0.state != "holds" }
        XCTAssertTrue(adminOpen.allSatisfy { $0.obligation.detail.contains(adminBranch) },
                      "only the Citus admin branch is outside the model:\n" + adminOpen.map(\.explained).joined(separator: "\n"))
    }
}
