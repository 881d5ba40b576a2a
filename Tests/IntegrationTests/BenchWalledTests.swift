import Foundation
import PolicyGen
import Postgres
import Tenantwall
import TenantwallBench
import XCTest

/// `tenantwall bench` on a hypertable that asks for compression (issue #25): the walled form is measured beside
/// the RLS form on the same rows, uncompressed and compressed, with its plan checks and storage. Timings are
/// not asserted; what the run did is.
final class BenchWalledTests: XCTestCase {
    func k8sWithCompression() throws -> Spec {
        var spec = try SpecFiles.load([TestServer.path("policies/k8s-cost-monitor")])
        let i = try XCTUnwrap(spec.tables.firstIndex { $0.name == "pod_metrics" })
        spec.tables[i].hypertable?.compression = Compression(after: "7 days")
        // Without the admin role's grants: the design's admin-mode branch in the view is measured apart (it fails
        // on a hypertable, see docs/bench.md).
        spec.tables[i].grants = spec.tables[i].grants.filter { $0.role != spec.roles.admin }
        return spec
    }

    func testTheWalledFormIsMeasuredBesideTheRLSFormCompressedAndNot() throws {
        let admin = try Connection(TestServer.shared.connectionString())
        guard try ServerCapabilities(connection: admin).available("timescaledb") else {
            throw XCTSkip("TimescaleDB is not installed and preloaded on this server")
        }
        var bench = Bench.small(conninfo: try TestServer.shared.connectionString(), spec: try k8sWithCompression(), label: "k8s walled")
        bench.only = HypertableWorkloads.names
        bench.keep = true
        let (report, scratch) = try bench.run()
        let name = try XCTUnwrap(scratch)
        defer {
            _ = try? admin.execute("DROP DATABASE \(name) WITH (FORCE)")
            for role in (try? admin.query("SELECT rolname FROM pg_roles WHERE rolname LIKE 'tw_bench_%'").rows.compactMap({ $0[0] })) ?? [] {
                _ = try? admin.execute("DROP ROLE \(role)")
            }
        }
        XCTAssertEqual(report.failures, [])
        XCTAssertEqual(report.workloads.map(\.workload), HypertableWorkloads.names)
        for workload in report.workloads {
            XCTAssertEqual(workload.modes.map(\.mode), BenchRunner.Mode.hypertableForms, workload.workload)
            XCTAssertTrue(workload.modes.allSatisfy { $0.throughput > 0 }, workload.workload)
            XCTAssertNotNil(workload.mode(.walled)?.cpuOverheadPercent, workload.workload)
            XCTAssertNotNil(workload.mode(.compressed)?.overheadPercent, workload.workload)
        }
        // Every form returns the RLS baseline's rows, with its own baseline's plan.
        let forms = report.planChecks.filter { [.walled, .compressed].contains($0.mode) }
        XCTAssertEqual(forms.count, 6)
        for check in forms + report.planChecks.filter({ $0.mode == .generated }) {
            XCTAssertTrue(check.sameRows, "\(check.workload) \(check.mode): the baseline's rows")
            XCTAssertTrue(check.passed || check.limitation != nil, "\(check.workload) \(check.mode): \(check.differences)")
        }
        let walled = try XCTUnwrap(report.walled)
        XCTAssertEqual(walled.storage, #""tenantwall_walled"."pod_metrics""#)
        XCTAssertGreaterThan(walled.compressedChunks, 10, "the chunks older than 7 days are compressed")
        XCTAssertGreaterThan(walled.beforeCompressionBytes, 0)
        XCTAssertGreaterThan(walled.afterCompressionBytes, 0)
        XCTAssertEqual(walled.formChecks.count, 9)
        for check in walled.formChecks {
            XCTAssertTrue(check.passed, "\(check.workload) \(check.mode): \(check.problems)")
            XCTAssertLessThanOrEqual(check.chunksRun, check.chunksInWindow, "\(check.workload) \(check.mode): chunk exclusion")
            XCTAssertEqual(check.compressedScans.isEmpty, check.mode != .compressed, "\(check.workload) \(check.mode): \(check.compressedScans)")
        }
        XCTAssertTrue(BenchRenderers.markdown(report).contains("### Walled form of public.pod_metrics"))
        XCTAssertTrue(BenchRenderers.html(report).contains("<h2>Walled form</h2>"))

        // Built as the design has it: the application reads its tenant's rows through the view, nothing else.
        let db = try Connection(TestServer.shared.connectionString(database: name))
        let tenant = try XCTUnwrap(try db.query("SELECT tenant_id::text FROM tenantwall_walled.pod_metrics LIMIT 1").scalar)
        try db.execute("BEGIN; SET LOCAL ROLE tw_bench_app")
        try db.query("SELECT set_config('app.current_tenant_id', $1, true)", [tenant])
        XCTAssertEqual(try db.query("SELECT count(DISTINCT tenant_id) FROM tw_bench_walled.pod_metrics_compressed").scalar, "1")
        XCTAssertThrowsError(try db.query("SELECT 1 FROM tenantwall_walled.pod_metrics_compressed LIMIT 1")) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, "42501", "\(error)")
        }
        _ = try? db.execute("ROLLBACK")
    }

    /// The checks catch what they are for: a compressed chunk whose tenant filter sits above the decompression
    /// (no segment filter), and a plan that runs more chunks than the window overlaps.
    func testFormPlanChecksCatchAMissingSegmentFilterAndChunkExclusion() {
        func plan(_ scanCondition: String, chunks: Int) -> String {
            let children = (1...chunks).map { n in
                """
                {"Node Type": "Custom Scan", "Custom Plan Provider": "DecompressChunk", "Relation Name": "_hyper_1_\(n)_chunk", "Actual Loops": 1,
                 "Filter": "(tenant_id = $0)",
                 "Plans": [{"Node Type": "Index Scan", "Relation Name": "compress_hyper_2_\(n)_chunk", \(scanCondition) "Actual Loops": 1}]}
                """
            }
            return """
                [{"Plan": {"Node Type": "Custom Scan", "Custom Plan Provider": "ChunkAppend", "Relation Name": "m", "Actual Loops": 1,
                  "Plans": [{"Node Type": "Result", "Parent Relationship": "InitPlan", "Actual Loops": 1}, \(children.joined(separator: ", "))]}}]
                """
        }
        func check(_ json: String) -> FormPlanCheck? {
            FormPlanChecks.check(workload: "hypertable-range", mode: .compressed, plan: json, tenantColumn: "tenant_id", chunksInWindow: 2, chunksTotal: 30)
        }
        let pushed = check(plan("\"Index Cond\": \"(tenant_id = $0)\",", chunks: 2))
        XCTAssertEqual(pushed?.passed, true, "\(pushed?.problems ?? [])")
        XCTAssertEqual(pushed?.compressedScans, ["compress_hyper_2_1_chunk: index condition", "compress_hyper_2_2_chunk: index condition"])
        let above = check(plan("", chunks: 2))
        XCTAssertEqual(above?.passed, false)
        XCTAssertTrue(above?.problems.contains { $0.contains("not a segment filter") } == true, "\(above?.problems ?? [])")
        let tooMany = check(plan("\"Filter\": \"(tenant_id = $0)\",", chunks: 3))
        XCTAssertEqual(tooMany?.passed, false)
        XCTAssertTrue(tooMany?.problems.first?.contains("chunk exclusion failed") == true, "\(tooMany?.problems ?? [])")
    }

    /// A wall view's plan may differ from its baseline's above the scans only (the view is never flattened): that
    /// is reported as PostgreSQL's. A scan that changes (the tenant no longer an index condition) is not.
    func testOnlyDifferencesAboveIdenticalScansAreTheViewsOwn() {
        let scan = """
            {"Node Type": "Index Scan", "Relation Name": "_hyper_1_1_chunk", "Index Name": "i", "Index Cond": "(tenant_id = $0)", "Actual Loops": 1}
            """
        let baseline = """
            [{"Plan": {"Node Type": "Custom Scan", "Custom Plan Provider": "ChunkAppend", "Relation Name": "m", "Actual Loops": 1, "Plans": [\(scan)]}}]
            """
        let sortedAbove = """
            [{"Plan": {"Node Type": "Sort", "Actual Loops": 1, "Plans": [
              {"Node Type": "Custom Scan", "Custom Plan Provider": "ChunkAppend", "Relation Name": "m", "Actual Loops": 1, "Plans": [\(scan)]}]}}]
            """
        let filtered = sortedAbove.replacingOccurrences(of: #""Index Scan", "Relation Name": "_hyper_1_1_chunk", "Index Name": "i", "Index Cond""#,
                                                        with: #""Seq Scan", "Relation Name": "_hyper_1_1_chunk", "Filter""#)
        XCTAssertFalse(PlanComparer.differences(baseline: baseline, candidate: sortedAbove, compareBuffers: false).isEmpty)
        XCTAssertTrue(PlanComparer.sameScans(baseline, sortedAbove))
        XCTAssertNotEqual(filtered, sortedAbove)
        XCTAssertFalse(PlanComparer.sameScans(baseline, filtered), "the tenant as a filter of a sequential scan is a real difference")
    }
}
