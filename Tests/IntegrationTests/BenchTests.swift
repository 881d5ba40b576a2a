import Foundation
import PolicyGen
import Postgres
import Tenantwall
import TenantwallBench
import XCTest

/// `tenantwall bench` on a small dataset: every workload returns the baseline's rows and plan under the
/// generated policies, the plan check catches the contrast style's VOLATILE helper, the scratch database is
/// gone afterwards, and the reports are well-formed. Timings are not asserted.
final class BenchTests: XCTestCase {
    func small(_ spec: Spec? = nil, label: String = "built-in") throws -> Bench {
        Bench.small(conninfo: try TestServer.shared.connectionString(), spec: spec, label: label)
    }

    /// Every generated-mode plan check returned the baseline's rows and (LIKE aside) its plan and buffers.
    func assertPlansHold(_ report: BenchReport, file: StaticString = #filePath, line: UInt = #line) {
        let generated = report.planChecks.filter { $0.mode == .generated }
        XCTAssertFalse(generated.isEmpty, file: file, line: line)
        for check in generated {
            XCTAssertTrue(check.sameRows, "\(check.workload) returns the baseline's rows", file: file, line: line)
            if check.workload == "like" {
                XCTAssertTrue(check.passed || check.limitation != nil, file: file, line: line)
            } else {
                XCTAssertTrue(check.passed, "\(check.workload): \(check.differences)", file: file, line: line)
            }
        }
        XCTAssertEqual(report.failures, [], file: file, line: line)
    }

    func assertScratchGone(file: StaticString = #filePath, line: UInt = #line) throws {
        let admin = try Connection(TestServer.shared.connectionString())
        XCTAssertEqual(try admin.query("SELECT count(*) FROM pg_database WHERE datname LIKE 'tenantwall_bench_%'").scalar, "0", "scratch database dropped", file: file, line: line)
        XCTAssertEqual(try admin.query("SELECT string_agg(rolname, ', ') FROM pg_roles WHERE rolname LIKE 'tw_bench_%'").scalar, nil, "bench roles dropped", file: file, line: line)
    }

    func testSmallRunChecksPlansAndRowsAndCleansUp() throws {
        let (report, scratch) = try small().run()
        XCTAssertNil(scratch)
        assertPlansHold(report)
        XCTAssertEqual(Set(report.planChecks.filter { $0.mode == .generated }.map(\.workload)), ["point", "range", "aggregate", "insert", "insert-batch", "update", "like"])
        // The contrast style's VOLATILE helper cannot be an index condition: the plan check must say so.
        let contrast = report.planChecks.filter { $0.mode == .contrast && ["point", "range"].contains($0.workload) }
        XCTAssertEqual(contrast.count, 2)
        for check in contrast { XCTAssertFalse(check.passed, "\(check.workload): the VOLATILE helper changes the plan") }
        for check in report.planChecks where check.mode == .contrast {
            XCTAssertTrue(check.sameRows, "\(check.workload): the contrast policies return the baseline's rows too")
        }

        XCTAssertEqual(report.workloads.map(\.workload), Workload.names)
        for workload in report.workloads {
            // The built-in dataset runs on the native extension, so the inline helpers run beside it; the
            // end-to-end pattern also runs with a trivial statement in the setter's place.
            let trivial: [BenchRunner.Mode] = workload.workload == "end-to-end" ? [.trivial] : []
            XCTAssertEqual(workload.modes.map(\.mode), [.baseline, .generated, .inline, .contrast] + trivial)
            XCTAssertEqual(workload.setterOverTrivialPercent != nil, !trivial.isEmpty, workload.workload)
            XCTAssertTrue(workload.modes.allSatisfy { $0.throughput > 0 && $0.throughputByRound.count == 2 }, workload.workload)
            // The test server runs on this machine, so the backends' CPU time is readable.
            XCTAssertTrue(workload.modes.allSatisfy { ($0.serverMicroseconds ?? 0) > 0 }, workload.workload)
            XCTAssertNotNil(workload.mode(.generated)?.cpuOverheadPercent, workload.workload)
        }
        XCTAssertEqual(report.tables.map(\.table), ["public.items", "public.events"])
        XCTAssertEqual(report.rows, report.tables.map(\.rows).reduce(0, +))
        XCTAssertGreaterThan(report.rows, 5_000)
        try assertScratchGone()

        let json = try JSONSerialization.jsonObject(with: Data(BenchRenderers.json(report).utf8)) as? [String: Any]
        XCTAssertEqual((json?["workloads"] as? [Any])?.count, 8)
        let html = BenchRenderers.html(report)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>") && html.contains("<svg") && html.hasSuffix("</html>\n"))
        XCTAssertFalse(html.contains("<script"), "no script")
        XCTAssertNil(html.range(of: #"(src|href)\s*=\s*"(https?:)?//"#, options: .regularExpression), "self-contained: nothing loaded from elsewhere")
        let markdown = BenchRenderers.markdown(report)
        XCTAssertTrue(markdown.contains("| primary-key point lookup on public.items |"))
        XCTAssertTrue(markdown.contains("| end-to-end | trivial statement + baseline |"), markdown)
        XCTAssertTrue(markdown.contains("setter over a trivial statement (95% CI), target ≤ 5%"), markdown)
    }

    /// The example specs benchmark their own tables: the workloads each supports, the rows of each table,
    /// and notes for what this server cannot build (TimescaleDB) or the spec cannot support.
    func testExampleSpecsAreBenchmarkedOnTheirOwnTables() throws {
        let expected: [(String, [String], String?)] = [
            ("k8s-cost-monitor", Workload.names, "pod_metrics"),
            ("workflow-platform", Workload.names, nil),
            ("analytics-warehouse", Workload.names.filter { $0 != "like" }, nil),
        ]
        for (name, workloads, hypertable) in expected {
            let spec = try SpecFiles.load([TestServer.path("policies/\(name)")])
            // The RLS workloads; the walled form of k8s-cost-monitor's compressed pod_metrics is BenchWalledTests'.
            var bench = try small(spec, label: name)
            bench.only = workloads
            let (report, _) = try bench.run()
            XCTAssertEqual(report.spec, name)
            XCTAssertEqual(report.workloads.map(\.workload), workloads, name)
            assertPlansHold(report)
            let tenantTables = spec.tables.filter { $0.isolation == .tenant }.map(\.qualifiedName)
            XCTAssertEqual(report.tables.map(\.table), tenantTables, name)
            XCTAssertTrue(report.tables.allSatisfy { $0.rows > 0 }, "\(name): every tenant table has rows: \(report.tables)")
            if let hypertable {
                let timescale = try Connection(TestServer.shared.connectionString())
                    .query("SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'").scalar == "1"
                XCTAssertEqual(report.notes.contains { $0.contains("TimescaleDB is not installed") && $0.contains(hypertable) }, !timescale, "\(report.notes)")
            }
            try assertScratchGone()
        }
    }

    /// A spec with the signed binding is measured with tokens: the generated mode presents a token per tenant
    /// signed with the benchmark's own key, so the figures include the signature check, and the plans and rows
    /// are still the baseline's.
    func testTheSignedBindingIsMeasuredWithTokens() throws {
        var spec = try SpecFiles.load([TestServer.path("policies/workflow-platform")])
        spec.tenancy.binding = .signed
        var bench = try small(spec, label: "signed")
        bench.only = ["point", "range", "end-to-end"]
        let (report, _) = try bench.run()
        XCTAssertEqual(report.workloads.map(\.workload), ["point", "range", "end-to-end"])
        assertPlansHold(report)
        XCTAssertTrue(report.notes.contains { $0.contains("signed tokens") }, "\(report.notes)")
        for workload in report.workloads { XCTAssertGreaterThan(workload.mode(.generated)?.throughput ?? 0, 0, workload.workload) }
        try assertScratchGone()
    }

    /// With TimescaleDB installed the spec's hypertables are built as hypertables; without it, this test says so.
    func testHypertablesAreBuiltAsHypertablesWhereTimescaleDBIsInstalled() throws {
        let admin = try Connection(TestServer.shared.connectionString())
        guard try admin.query("SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'").scalar == "1" else {
            throw XCTSkip("TimescaleDB is not installed on this machine (not packaged for Debian here): hypertable mode not exercised")
        }
        var bench = try small(SpecFiles.load([TestServer.path("policies/k8s-cost-monitor")]), label: "k8s")
        bench.keep = true
        bench.only = ["range", "aggregate", "insert"]
        let (report, scratch) = try bench.run()
        assertPlansHold(report)
        XCTAssertFalse(report.notes.contains { $0.contains("TimescaleDB") }, "hypertables are measured as hypertables: \(report.notes)")
        for check in report.planChecks where check.mode == .generated && check.workload != "insert" {
            // The same chunks ran under RLS as in the baseline (ChunkAppend in both), whatever the exclusion stage.
            XCTAssertTrue(PlanComparer.shape(check.baselinePlan).nodes.contains { $0.hasPrefix("Custom Scan (ChunkAppend)") }, check.workload)
            XCTAssertEqual(PlanComparer.shape(check.baselinePlan).nodes, PlanComparer.shape(check.candidatePlan).nodes, check.workload)
        }
        let name = try XCTUnwrap(scratch)
        let db = try Connection(TestServer.shared.connectionString(database: name))
        XCTAssertEqual(try db.query("SELECT count(*) FROM timescaledb_information.hypertables").scalar, "2")
        XCTAssertGreaterThan(Int(try db.query("SELECT count(*) FROM timescaledb_information.chunks").scalar ?? "0") ?? 0, 2, "rows spread over many chunks")
        _ = try admin.execute("DROP DATABASE \(name) WITH (FORCE)")
        for role in try admin.query("SELECT rolname FROM pg_roles WHERE rolname LIKE 'tw_bench_%'").rows.compactMap({ $0[0] }) {
            _ = try admin.execute("DROP ROLE \(role)")
        }
    }

    /// Asked only for workloads the spec cannot support, the run stops before creating anything.
    func testOnlyUnsupportedWorkloadsIsAnErrorBeforeAnythingIsCreated() throws {
        var bench = try small(SpecFiles.load([TestServer.path("policies/analytics-warehouse")]), label: "analytics")
        bench.only = ["like"]
        XCTAssertThrowsError(try bench.run()) { error in
            XCTAssertTrue("\(error)".contains("supports none of the workloads asked for (like)"), "\(error)")
        }
        try assertScratchGone()
    }

    /// `--max-overhead` turns overhead into failures (exit 1 on the command line); a bound no run can meet
    /// fails every workload measured.
    func testMaxOverheadFailsTheRun() throws {
        var bench = try small()
        bench.only = ["point", "range"]
        bench.maxOverhead = -100
        let (report, _) = try bench.run()
        XCTAssertEqual(report.workloads.map(\.workload), ["point", "range"])
        XCTAssertEqual(report.failures.count, 2, "\(report.failures)")
        XCTAssertTrue(report.failures.allSatisfy { $0.contains("exceeds --max-overhead -100.0%") }, "\(report.failures)")
        try assertScratchGone()
    }

    /// Ctrl-C (or a cancelled CI job's SIGTERM) in the middle of a run still drops the scratch database and
    /// the benchmark's roles, and the exit status says the run was interrupted.
    func testAnInterruptedRunLeavesNothingBehind() throws {
        let process = try TenantwallProcess(["bench", "--database", TestServer.shared.connectionString(), "--rows", "4000", "--tenants", "4",
                                             "--seconds", "30", "--rounds", "1"])
        let admin = try Connection(TestServer.shared.connectionString())
        // Wait until the workloads are running (the scratch database exists and its roles are connected).
        let running = try poll(timeout: 30, every: 0.1) {
            try admin.query("SELECT count(*) FROM pg_stat_activity WHERE datname LIKE 'tenantwall_bench_%' AND query LIKE 'SELECT * FROM%'").scalar != "0"
        }
        XCTAssertTrue(running, "the benchmark reached its workloads")
        kill(process.process.processIdentifier, SIGINT)
        let run = process.wait()
        XCTAssertEqual(run.status, 128 + SIGINT, run.stderr)
        XCTAssertTrue(run.stderr.contains("interrupted"), run.stderr)
        try assertScratchGone()
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

        // Pruned when planning (custom plan) or when executing (generic plan): the same partition scanned.
        let plannedPrune = """
            [{"Plan": {"Node Type": "ModifyTable", "Relation Name": "t", "Actual Loops": 1,
              "Plans": [{"Node Type": "Seq Scan", "Relation Name": "t_p1", "Filter": "(a = 1)", "Actual Loops": 1}]}}]
            """
        let executorPrune = """
            [{"Plan": {"Node Type": "ModifyTable", "Relation Name": "t", "Actual Loops": 1,
              "Plans": [{"Node Type": "Append", "Subplans Removed": 6, "Actual Loops": 1,
                         "Plans": [{"Node Type": "Seq Scan", "Relation Name": "t_p1", "Filter": "(a = $1)", "Actual Loops": 1},
                                   {"Node Type": "Seq Scan", "Relation Name": "t_p2", "Filter": "(a = $1)", "Actual Loops": 0}]}]}}]
            """
        let twoPartitions = executorPrune.replacingOccurrences(of: "\"Actual Loops\": 0", with: "\"Actual Loops\": 1")
        XCTAssertEqual(PlanComparer.differences(baseline: plannedPrune, candidate: executorPrune, compareBuffers: false), [])
        XCTAssertEqual(PlanComparer.differences(baseline: plannedPrune, candidate: twoPartitions, compareBuffers: false).count, 1, "a partition more is scanned")
    }

    /// ChunkAppend excluding chunks at startup (baseline: the tenant is a constant) or at run time (RLS: the
    /// tenant is an InitPlan parameter) runs the same chunks: not a difference, but reported as one not counted.
    func testChunkExclusionStageIsReportedNotCounted() {
        func plan(_ startup: Bool, _ loops: (Int, Int)) -> String {
            let excluded = startup ? "\"Chunks excluded during startup\": 3" : "\"Chunks excluded during runtime\": 3"
            return """
                [{"Plan": {"Node Type": "Custom Scan", "Custom Plan Provider": "ChunkAppend", "Relation Name": "m", "Actual Loops": 1,
                  "Startup Exclusion": \(startup), "Runtime Exclusion": \(!startup), \(excluded),
                  "Plans": [{"Node Type": "Index Scan", "Relation Name": "_hyper_1_1_chunk", "Index Cond": "(t = x)", "Actual Loops": \(loops.0)},
                            {"Node Type": "Index Scan", "Relation Name": "_hyper_1_2_chunk", "Index Cond": "(t = x)", "Actual Loops": \(loops.1)}]}}]
                """
        }
        let baseline = plan(true, (1, 0)), candidate = plan(false, (1, 0))
        XCTAssertEqual(PlanComparer.differences(baseline: baseline, candidate: candidate, compareBuffers: false), [])
        let ignored = PlanComparer.ignoredDifferences(baseline: baseline, candidate: candidate)
        XCTAssertEqual(ignored.count, 1)
        XCTAssertTrue(ignored.first?.contains("startup exclusion on (3 excluded)") == true && ignored.first?.contains("runtime exclusion on (3 excluded)") == true, "\(ignored)")
        XCTAssertEqual(PlanComparer.differences(baseline: baseline, candidate: plan(false, (1, 1)), compareBuffers: false).count, 1, "a chunk more ran")
        XCTAssertEqual(PlanComparer.ignoredDifferences(baseline: baseline, candidate: plan(false, (1, 1))), [], "a real difference is not 'ignored'")
    }
}
