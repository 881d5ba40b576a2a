import Foundation
import PolicyGen
import Postgres
import Tenantwall
import TenantwallBench
import XCTest

extension CitusTests {
    /// `tenant export` and erasure on the Citus example's cluster, with the benchmark's skewed rows: what the
    /// example test asserts on one server (`TenantExportExampleTests.assertExportAndErasure`), through the
    /// coordinator.
    func testExportAndErasureOnTheCluster() throws {
        let spec = try SpecFiles.load([TestServer.path("policies/workflow-platform-citus")])
        let cluster = try cluster(for: spec)
        defer { cluster.stop() }
        try cluster.createDatabase("app")
        let db = try Connection(cluster.connectionString(database: "app"))
        _ = try BenchDataset(spec: spec, rows: 600, tenants: 4).create(on: db, comparisons: false)
        try TenantExportExampleTests.assertExportAndErasure(spec, db, "workflow-platform-citus")
    }
}
