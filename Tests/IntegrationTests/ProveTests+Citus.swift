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
    /// so every predicate is read. The admin's policies there are `CURRENT_USER = '<admin>'` (a policy on Citus
    /// cannot hold a sub-select: PolicyStatements), and prove states the admin's wall with that condition.
    func testProveHoldsOnTheExample() throws {
        try ProveSolverTests.requireSolver()
        let spec = try SpecFiles.load([TestServer.path("policies/workflow-platform-citus")])
        let (cluster, url, _, _) = try applied(spec)
        defer { cluster.stop() }
        let report = try ProveRun(specPaths: [TestServer.path("policies/workflow-platform-citus")], database: url).run()
        XCTAssertEqual(report.verdict, "holds", (report.failed + report.unknown).map(\.explained).joined(separator: "\n"))
        XCTAssertGreaterThan(report.held.count, 10)
        XCTAssertTrue(report.obligations.contains { $0.obligation.role == spec.roles.admin && $0.state == "holds" })
    }
}
