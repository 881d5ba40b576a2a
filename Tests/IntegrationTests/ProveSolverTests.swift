import Foundation
import Postgres
import Proof
import Review
import Tenantwall
import Verification
import XCTest

/// prove with the solver: every example spec holds; the predicate breakages (`OR is_public`, a restrictive
/// boundary that admits everything, a fail-open `reader IS NULL OR …`) fail with a counterexample PostgreSQL
/// admits; and verify's probes and prove agree table by table.
final class ProveSolverTests: XCTestCase {
    /// Until the solver is merged its placeholder answers `unknown` to everything: these tests then say so.
    static func requireSolver() throws {
        let side = Side(columns: [], role: "r")
        if case .unknown(let why) = PredicateSolver().entails(.all, in: side, .all, in: side), why.contains("not built") {
            throw XCTSkip("the predicate solver is not merged into this branch yet: \(why)")
        }
    }

    /// Every example holds, walled views included (TimescaleDB's walled form and the rollups filter by
    /// `tenant_id = ANY ((SELECT CASE … admin_tenant_ids() … END)::uuid[])`, which the solver reads). The Citus
    /// example needs a cluster: CitusTests/testProveHoldsOnTheExample.
    func testEveryExampleSpecHolds() throws {
        try Self.requireSolver()
        let examples = try FileManager.default.contentsOfDirectory(atPath: TestServer.path("policies")).sorted()
        for example in examples where example != "workflow-platform-citus" {
            let (name, _, _) = try AppliedExample.applied(example, prefix: "prove_ex")
            let url = try TestServer.shared.connectionString(database: name)
            let report = try ProveRun(specPaths: [TestServer.path("policies/" + example)], database: url).run()
            let problems = (report.failed + report.unknown).map(\.explained)
            XCTAssertEqual(report.verdict, "holds", "\(example):\n" + problems.joined(separator: "\n"))
            XCTAssertTrue(report.failed.isEmpty && report.unknown.isEmpty, "\(example):\n" + problems.joined(separator: "\n"))
            XCTAssertGreaterThan(report.held.count, 10, example)
        }
    }

    /// A walled view broken by hand (TimescaleDB's walled form of the k8s example's hypertable): its WHERE ends
    /// `… OR true`, so every tenant's rows show through it. prove fails on that view, with a counterexample
    /// PostgreSQL admits, and on nothing else.
    func testBrokenWalledViewFailsConfirmed() throws {
        try Self.requireSolver()
        let view = "public.pod_metrics"
        let (name, db, _) = try AppliedExample.applied("k8s-cost-monitor", prefix: "prove_walled")
        let definition = try db.query("SELECT pg_catalog.pg_get_viewdef('public.pod_metrics'::regclass)").scalar ?? ""
        let options = try db.query("SELECT coalesce(array_to_string(reloptions, ', '), '') FROM pg_class WHERE oid = 'public.pod_metrics'::regclass").scalar ?? ""
        let filter = "END AS \"array\")::uuid[]))"
        XCTAssertTrue(definition.contains(filter), definition)
        let broken = definition.replacingOccurrences(of: filter, with: filter + " OR true").trimmingCharacters(in: CharacterSet(charactersIn: "; \n"))
        try db.execute("CREATE OR REPLACE VIEW public.pod_metrics" + (options.isEmpty ? "" : " WITH (\(options))") + " AS " + broken)
        let url = try TestServer.shared.connectionString(database: name)
        let report = try ProveRun(specPaths: [TestServer.path("policies/k8s-cost-monitor")], database: url).run()
        let failures = report.failed.filter { $0.obligation.object == view }
        XCTAssertFalse(failures.isEmpty, report.obligations.filter { !$0.obligation.holds }.map(\.explained).joined(separator: "\n"))
        XCTAssertTrue(failures.contains { $0.obligation.kind == .wall && $0.run?.confirmed == true },
                      "a counterexample PostgreSQL admits:\n" + failures.map(\.explained).joined(separator: "\n"))
        let elsewhere = (report.failed + report.unknown).filter { $0.obligation.object != view }
        XCTAssertTrue(elsewhere.isEmpty, "only the broken view fails: \(elsewhere.map(\.explained))")
        XCTAssertEqual(report.exitCode, 1)
    }

    /// tenancy.missing_context: error: the policies read `required_tenant_id(table)`, whose PL/pgSQL guard raises
    /// without a context. The solver reads the guard, so the walls hold as they do without it.
    func testMissingContextErrorSpecHolds() throws {
        try Self.requireSolver()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tw-prove-missing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try String(contentsOfFile: TestServer.path("policies/workflow-platform/workflow-platform.yaml"), encoding: .utf8)
        XCTAssertTrue(source.contains("\ntenancy:\n"))
        let spec = source.replacingOccurrences(of: "\ntenancy:\n", with: "\ntenancy:\n  missing_context: error\n")
        try spec.write(to: directory.appendingPathComponent("workflow-platform.yaml"), atomically: true, encoding: .utf8)
        let report = try ProveRun(specPaths: [directory.path], binDirectory: try TestServer.binDirectory()).run()
        XCTAssertEqual(report.verdict, "holds", (report.failed + report.unknown).map(\.explained).joined(separator: "\n"))
        XCTAssertGreaterThan(report.held.count, 10)
    }

    func testSpecBuiltOnTheEmbeddedServerHolds() throws {
        try Self.requireSolver()
        let run = try TenantwallProcess.run(["prove", "--spec", "policies/support-desk", "--pg-bindir", try TestServer.binDirectory()])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("every wall holds"), run.stdout)
    }

    /// The workflow platform with one policy broken by hand, proved with its spec.
    func broken(_ sql: String) throws -> (url: String, db: Connection, report: ProveReport) {
        let (name, db, _) = try AppliedExample.applied("workflow-platform", prefix: "prove_pred")
        try db.execute("INSERT INTO public.tenants (id, slug) OVERRIDING SYSTEM VALUE VALUES (1, 'one'), (2, 'two')")
        try db.execute(sql)
        let url = try TestServer.shared.connectionString(database: name)
        return (url, db, try ProveRun(specPaths: [TestServer.path("policies/workflow-platform")], database: url).run())
    }

    static let breakages: [(String, String)] = [
        ("OR is_public", """
            ALTER TABLE public.workflows ADD COLUMN is_public boolean NOT NULL DEFAULT false;
            ALTER POLICY tw_tenant_select ON public.workflows USING (tenant_id = tenantwall.current_tenant_id() OR is_public)
            """),
        ("restrictive-only boundary", """
            ALTER POLICY tw_tenant_select ON public.workflows USING (true);
            CREATE POLICY boundary ON public.workflows AS RESTRICTIVE FOR SELECT TO wf_app USING (tenant_id = tenantwall.current_tenant_id() OR true)
            """),
        ("fail-open", """
            ALTER POLICY tw_tenant_select ON public.workflows USING (tenantwall.current_tenant_id() IS NULL OR tenant_id = tenantwall.current_tenant_id())
            """),
    ]

    func testPredicateBreakagesFailWithConfirmedCounterexamples() throws {
        try Self.requireSolver()
        for (label, sql) in Self.breakages {
            let (_, _, report) = try broken(sql)
            let failures = report.failed.filter { $0.obligation.object == "public.workflows" && $0.obligation.command == .select && $0.obligation.role == "wf_app" }
            XCTAssertFalse(failures.isEmpty, "\(label): \(report.failed.map(\.obligation.line))")
            XCTAssertTrue(failures.contains { $0.run?.confirmed == true },
                          "\(label): a counterexample PostgreSQL admits:\n" + failures.map { "\($0.obligation.line): \($0.confirmation ?? "") \($0.run?.script ?? "")" }.joined(separator: "\n"))
            let elsewhere = report.failed.filter { $0.obligation.object != "public.workflows" }
            XCTAssertTrue(elsewhere.isEmpty, "\(label): only the broken table fails: \(elsewhere.map(\.obligation.line))")
        }
    }

    /// A WITH CHECK that lets the application move its own rows to another tenant: the counterexample is the
    /// new row, confirmed by moving a row of the session's tenant there.
    func testLooseUpdateCheckFailsConfirmed() throws {
        try Self.requireSolver()
        let (_, db, report) = try broken("ALTER POLICY tw_tenant_update ON public.workflows WITH CHECK (tenant_id IS NOT NULL)")
        let failure = report.failed.first { $0.obligation.object == "public.workflows" && $0.obligation.command == .update
            && $0.obligation.clause == "WITH CHECK" && $0.obligation.role == "wf_app" && $0.obligation.kind == .wall }
        XCTAssertEqual(failure?.run?.outcome, .admitted(true), report.obligations.filter { !$0.obligation.holds }.map(\.explained).joined(separator: "\n"))
        XCTAssertEqual(try db.query("SELECT count(*) FROM public.workflows").scalar, "0", "the moved row was rolled back")
    }

    /// The signed binding: the counterexample's tenant is bound with a token signed by a key that lives only in
    /// the run's transaction (and in the pgTAP script's), confirmed; the emitted script fails on the broken
    /// policy and passes once it is fixed.
    func testSignedBindingCounterexampleAndItsPgTAP() throws {
        try Self.requireSolver()
        let (name, db, _) = try AppliedExample.applied("support-desk", prefix: "prove_signed")
        try db.execute("ALTER POLICY tw_tenant_select ON public.tickets USING (org_id = desk.current_tenant_id() OR status = 'public')")
        let url = try TestServer.shared.connectionString(database: name)
        let report = try ProveRun(specPaths: [TestServer.path("policies/support-desk")], database: url).run()
        let failure = report.failed.first { $0.obligation.object == "public.tickets" && $0.obligation.role == "desk_api" && $0.obligation.kind == .wall }
        XCTAssertEqual(failure?.run?.outcome, .admitted(true), report.obligations.filter { !$0.obligation.holds }.map(\.explained).joined(separator: "\n"))
        XCTAssertEqual(try db.query("SELECT count(*) FROM desk.signing_keys").scalar, "0")
        guard FileManager.default.fileExists(atPath: "/usr/bin/pg_prove"),
              try db.query("SELECT count(*) FROM pg_available_extensions WHERE name = 'pgtap'").scalar == "1" else { return }
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("tw-prove-signed-\(UUID().uuidString).sql").path
        defer { try? FileManager.default.removeItem(atPath: script) }
        try ProvePgTAPScript.render(report).write(toFile: script, atomically: true, encoding: .utf8)
        let broken = try PgProve.run(script, database: name)
        XCTAssertNotEqual(broken.status, 0, broken.output)
        try db.execute("ALTER POLICY tw_tenant_select ON public.tickets USING (org_id = desk.current_tenant_id())")
        let fixed = try PgProve.run(script, database: name)
        let failing = fixed.output.split(separator: "\n").filter { $0.hasPrefix("not ok") && $0.contains("counterexample") }
        XCTAssertTrue(failing.isEmpty, "fixed, every counterexample is refused:\n" + fixed.output)
        XCTAssertEqual(try db.query("SELECT count(*) FROM desk.signing_keys").scalar, "0")
    }

    /// Read by a role that is not a superuser, prove cannot run the counterexamples: the failures stay failures,
    /// unconfirmed, and say why.
    func testWithoutASuperuserFailuresStayFailures() throws {
        try Self.requireSolver()
        let (url, db, _) = try broken(Self.breakages[2].1)
        try db.execute("DO $r$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'prove_reader') THEN CREATE ROLE prove_reader LOGIN; END IF; END $r$")
        let report = try ProveRun(specPaths: [TestServer.path("policies/workflow-platform")], database: url + " user=prove_reader").run()
        let failures = report.failed.filter { $0.obligation.object == "public.workflows" && $0.obligation.role == "wf_app" }
        XCTAssertFalse(failures.isEmpty, report.obligations.filter { !$0.obligation.holds }.map(\.explained).joined(separator: "\n"))
        XCTAssertTrue(failures.allSatisfy { $0.run == nil && $0.note?.contains("superuser") == true }, failures.map(\.explained).joined(separator: "\n"))
        XCTAssertEqual(report.exitCode, 1)
    }

    /// verify (live probes) and prove (the solver) on the same databases: where verify finds a leak prove fails
    /// on that table; where prove holds verify passes.
    func testVerifyAndProveAgree() throws {
        try Self.requireSolver()
        let cases = [("intact", "SELECT 1"), ("RLS off", "ALTER TABLE public.workflows DISABLE ROW LEVEL SECURITY")] + Self.breakages
        for (label, sql) in cases {
            let (url, _, report) = try broken(sql)
            let spec = try SpecFiles.load([TestServer.path("policies/workflow-platform")])
            let verified = try Verifier(spec: spec, conninfo: url).run()
            let leaking = Set(verified.failed.map(\.table))
            let failing = Set((report.failed + report.unknown).map(\.obligation.object))
            XCTAssertTrue(leaking.isSubset(of: failing), "\(label): verify finds leaks in \(leaking.sorted()), prove fails on \(failing.sorted())")
            if report.verdict == "holds" { XCTAssertTrue(verified.failed.isEmpty, "\(label): prove holds, verify fails: \(verified.failed.map(\.id))") }
            if label == "intact" { XCTAssertEqual(report.verdict, "holds", report.obligations.filter { !$0.obligation.holds }.map(\.explained).joined(separator: "\n")) }
            else { XCTAssertTrue(failing.contains("public.workflows"), "\(label): \(failing.sorted())") }
        }
    }
}
