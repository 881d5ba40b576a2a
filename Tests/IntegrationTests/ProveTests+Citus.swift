import Foundation
import Review
import Tenantwall
import XCTest

/// prove on the Citus example, on the cluster CitusTests starts.
extension CitusTests {
    /// The Citus example on a coordinator and two workers (its shard placements are not relations the model
    /// sees: the coordinator's catalog is what prove reads).
    func testProveHoldsOnTheExample() throws {
        try ProveSolverTests.requireSolver()
        let spec = try SpecFiles.load([TestServer.path("policies/workflow-platform-citus")])
        let (cluster, url, _, _) = try applied(spec)
        defer { cluster.stop() }
        let report = try ProveRun(specPaths: [TestServer.path("policies/workflow-platform-citus")], database: url).run()
        XCTAssertEqual(report.verdict, "holds", (report.failed + report.unknown).map(\.obligation.line).joined(separator: "\n"))
    }

}
