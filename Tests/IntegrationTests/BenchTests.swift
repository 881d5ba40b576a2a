import Foundation
import Postgres
import Tenantwall
import XCTest

/// `tenantwall bench` on a small dataset: every workload returns the baseline's rows and plan under the
/// generated policies, the plan check catches the contrast style's VOLATILE helper, the scratch database is
/// gone afterwards, and the reports are well-formed. Timings are not asserted.
final class BenchTests: XCTestCase {
    func testSmallRunChecksPlansAndRowsAndCleansUp() throws {
        var bench = Bench(conninfo: TestServer.shared.connectionString())
        bench.rows = 8_000
        bench.tenants = 8
        bench.runner.clients = 2
        bench.runner.seconds = 0.05
        bench.runner.warmup = 0.02
        bench.runner.rounds = 2
        let (report, scratch) = try bench.run()
        XCTAssertNil(scratch)

        let generated = report.planChecks.filter { $0.mode == .generated }
        XCTAssertEqual(Set(generated.map(\.workload)), ["point", "range", "aggregate", "insert", "insert-batch", "update", "like"])
        for check in generated {
            XCTAssertTrue(check.sameRows, "\(check.workload) returns the baseline's rows")
            if check.workload == "like" { XCTAssertNotNil(check.limitation) } else {
                XCTAssertTrue(check.passed, "\(check.workload): \(check.differences)")
            }
        }
        XCTAssertEqual(report.failures, [])
        // The contrast style's VOLATILE helper cannot be an index condition: the plan check must say so.
        let contrast = report.planChecks.filter { $0.mode == .contrast && ["point", "range"].contains($0.workload) }
        XCTAssertEqual(contrast.count, 2)
        for check in contrast { XCTAssertFalse(check.passed, "\(check.workload): the VOLATILE helper changes the plan") }

        XCTAssertEqual(report.workloads.count, 8)
        for workload in report.workloads {
            XCTAssertEqual(workload.modes.map(\.mode), [.baseline, .generated, .contrast])
            XCTAssertTrue(workload.modes.allSatisfy { $0.throughput > 0 && $0.throughputByRound.count == 2 }, workload.workload)
        }

        let admin = try Connection(TestServer.shared.connectionString())
        XCTAssertEqual(try admin.query("SELECT count(*) FROM pg_database WHERE datname LIKE 'tenantwall_bench_%'").scalar, "0", "scratch database dropped")
        XCTAssertEqual(try admin.query("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'tw_bench_%'").scalar, "0", "bench roles dropped")

        let json = try JSONSerialization.jsonObject(with: Data(BenchRenderers.json(report).utf8)) as? [String: Any]
        XCTAssertEqual((json?["workloads"] as? [Any])?.count, 8)
        let html = BenchRenderers.html(report)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>") && html.contains("<svg") && html.hasSuffix("</html>\n"))
        XCTAssertFalse(html.contains("http://") && html.contains("<script"), "self-contained")
        XCTAssertTrue(BenchRenderers.markdown(report).contains("| primary-key point lookup |"))
    }

    func testPlanComparerIgnoresTheInitPlanOnly() {
        let baseline = """
            [{"Plan": {"Node Type": "Index Scan", "Relation Name": "items", "Index Name": "items_pkey", "Index Cond": "(a = 1)", "Shared Hit Blocks": 3, "Shared Read Blocks": 0}}]
            """
        let withInitPlan = """
            [{"Plan": {"Node Type": "Index Scan", "Relation Name": "items", "Index Name": "items_pkey", "Index Cond": "(a = $0)", "Shared Hit Blocks": 3, "Shared Read Blocks": 0,
              "Plans": [{"Node Type": "Result", "Parent Relationship": "InitPlan"}]}}]
            """
        let seqScan = """
            [{"Plan": {"Node Type": "Seq Scan", "Relation Name": "items", "Filter": "(a = f())", "Shared Hit Blocks": 90, "Shared Read Blocks": 0}}]
            """
        XCTAssertEqual(PlanComparer.differences(baseline: baseline, candidate: withInitPlan, compareBuffers: true), [])
        XCTAssertEqual(PlanComparer.differences(baseline: baseline, candidate: seqScan, compareBuffers: true).count, 2)
    }
}
