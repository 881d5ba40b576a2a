import Foundation
import Postgres
import Proof
@testable import Review
import XCTest

/// `prove` on tenantwall's examples broken by hand: what reaches around the policies (RLS off with a PUBLIC
/// grant, FORCE removed with the application as owner, TRUNCATE granted) fails with a counterexample that
/// PostgreSQL admits when it is run, and the database is left as it was.
final class ProveTests: XCTestCase {
    func brokenWorkflowPlatform(_ breakage: String) throws -> (name: String, url: String, db: Connection) {
        let (name, db, _) = try AppliedExample.applied("workflow-platform", prefix: "prove")
        try db.execute("""
            INSERT INTO public.tenants (id, slug) OVERRIDING SYSTEM VALUE VALUES (1, 'one'), (2, 'two');
            INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'kept', '{}'), (2, 'other', '{}');
            """)
        try db.execute(breakage)
        return (name, try TestServer.shared.connectionString(database: name), db)
    }

    func proved(_ url: String) throws -> ProveReport {
        try ProveRun(specPaths: [TestServer.path("policies/workflow-platform")], database: url).run()
    }

    func fingerprint(_ db: Connection) throws -> String {
        try WitnessTeamSchema.fingerprint(db, tables: ["public.tenants", "public.workflows", "public.audit_logs", "tenantwall.admin_mode_log"])
    }

    func testRLSOffWithAPublicGrantFailsConfirmed() throws {
        let (_, url, db) = try brokenWorkflowPlatform("ALTER TABLE public.workflows DISABLE ROW LEVEL SECURITY; GRANT SELECT ON public.workflows TO PUBLIC")
        let before = try fingerprint(db)
        let report = try proved(url)
        XCTAssertEqual(report.exitCode, 1)
        let around = report.failed.filter { $0.obligation.object == "public.workflows" && $0.obligation.kind == .reachesAround && $0.obligation.command == .select }
        for role in ["PUBLIC", "wf_app"] {
            guard let failure = around.first(where: { $0.obligation.role == role }) else { XCTFail("\(role) reaches around: \(around.map(\.obligation.line))"); continue }
            XCTAssertEqual(failure.run?.outcome, .admitted(true), "\(role): \(failure.run?.script ?? failure.note ?? "")")
            XCTAssertTrue(failure.obligation.detail.contains("row-level security is off") || failure.obligation.detail.lowercased().contains("rls"), failure.obligation.detail)
        }
        XCTAssertTrue(around.first { $0.obligation.role == "PUBLIC" }?.run?.script.contains(WitnessScript.publicStandIn) == true)
        XCTAssertFalse(report.failed.contains { $0.obligation.object == "public.executions" && $0.obligation.kind == .reachesAround },
                       "only the broken table reaches around")
        XCTAssertEqual(try fingerprint(db), before, "prove leaves the database as it was")
        XCTAssertEqual(try db.query("SELECT count(*) FROM pg_roles WHERE rolname = $1", [WitnessScript.publicStandIn]).scalar, "0")
    }

    func testOwnerWithoutForceAndTruncateFailConfirmed() throws {
        let (_, url, db) = try brokenWorkflowPlatform("""
            ALTER TABLE public.executions NO FORCE ROW LEVEL SECURITY;
            ALTER TABLE public.executions OWNER TO wf_app;
            GRANT TRUNCATE ON public.audit_logs TO wf_support;
            INSERT INTO public.audit_logs (tenant_id, actor, action) VALUES (2, 'someone', 'x');
            """)
        let before = try fingerprint(db)
        let report = try proved(url)
        let owner = report.failed.first { $0.obligation.role == "wf_app" && $0.obligation.object == "public.executions" && $0.obligation.command == .select }
        XCTAssertEqual(owner?.obligation.kind, .reachesAround, report.failed.map(\.obligation.line).joined(separator: "\n"))
        XCTAssertEqual(owner?.run?.outcome, .admitted(true), owner?.run?.script ?? "")
        let truncate = report.failed.first { $0.obligation.role == "wf_support" && $0.obligation.command == .truncate }
        XCTAssertEqual(truncate?.obligation.object, "public.audit_logs")
        XCTAssertEqual(truncate?.run?.outcome, .admitted(true), truncate?.run?.script ?? "")
        XCTAssertTrue(truncate?.run?.script.contains("TRUNCATE \"public\".\"audit_logs\";") == true)
        XCTAssertEqual(try fingerprint(db), before, "the TRUNCATE was rolled back")
    }

    func testCommandLineJSONAndExitCodes() throws {
        let (_, url, _) = try brokenWorkflowPlatform("ALTER TABLE public.workflows DISABLE ROW LEVEL SECURITY")
        let run = try TenantwallProcess.run(["prove", "--spec", "policies/workflow-platform", "--database", url, "--format", "json"])
        XCTAssertEqual(run.status, 1, run.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(json?["verdict"] as? String, "fails", run.stdout)
        let obligations = json?["obligations"] as? [[String: Any]] ?? []
        let confirmed = obligations.filter { $0["confirmed"] as? Bool == true }
        XCTAssertFalse(confirmed.isEmpty, run.stdout)
        XCTAssertTrue(confirmed.allSatisfy { ($0["object"] as? String) == "public.workflows" && ($0["script"] as? String)?.hasPrefix("BEGIN;") == true })
        XCTAssertTrue(confirmed.allSatisfy { (($0["witness"] as? [String: Any])?["row"] as? [String: Any])?["tenant_id"] != nil })

        let text = try TenantwallProcess.run(["prove", "--spec", "policies/workflow-platform", "--database", url])
        XCTAssertEqual(text.status, 1)
        XCTAssertTrue(text.stdout.contains("FAIL  reaches-around  wf_app  public.workflows  SELECT"), text.stdout)
        XCTAssertTrue(text.stdout.contains("confirmed: PostgreSQL admitted the witness"), text.stdout)

        let usage = try TenantwallProcess.run(["prove"])
        XCTAssertEqual(usage.status, 2, usage.stderr)
        XCTAssertTrue(usage.stderr.contains("--spec"), usage.stderr)
        let unreachable = try TenantwallProcess.run(["prove", "--database", "host=/nonexistent dbname=x"])
        XCTAssertEqual(unreachable.status, 2, unreachable.stderr)
    }

    /// A malformed connection string carrying a password: exit 2, and the password is nowhere in the output.
    func testNoPasswordInTheOutput() throws {
        let password = "S3cretPW"
        for input in ["postgresql://u:\(password)@[::1", "host=/nonexistent password=\(password) dbname=x", "password=\(password) host='unterminated"] {
            let run = try TenantwallProcess.run(["prove", "--spec", "policies/workflow-platform", "--database", input])
            XCTAssertEqual(run.status, 2, run.stderr)
            XCTAssertFalse((run.stdout + run.stderr).contains(password), run.stdout + run.stderr)
        }
        XCTAssertFalse(ProveRun.label("postgresql://u:\(password)@localhost/db").contains(password))
        XCTAssertFalse(ProveRun.label("host=x password=\(password) dbname=y").contains(password))
        XCTAssertFalse(ProveRun.label("host=x password='\(password) y' dbname=y").contains(password))
    }

    /// The role binding (clinic-portal): the tenant is the session's role, so no statement sets it. A wall
    /// counterexample with a tenant is run as a tenant role the run makes (a member of portal_app, mapped to the
    /// clinic, all rolled back); one with no tenant as portal_app itself. Both are confirmed, nothing is left.
    func testRoleBindingCounterexamplesActAsATenantRole() throws {
        let (name, db, _) = try AppliedExample.applied("clinic-portal", prefix: "prove_role")
        try db.execute("""
            ALTER POLICY tw_tenant_select ON public.appointments
                USING (clinic_id = (SELECT portal.current_tenant_id()) OR note LIKE 'shared%')
            """)
        let tables = ["public.appointments", "portal.tenant_roles"]
        let before = try WitnessTeamSchema.fingerprint(db, tables: tables)
        let report = try ProveRun(specPaths: [TestServer.path("policies/clinic-portal")], database: try TestServer.shared.connectionString(database: name)).run()
        XCTAssertEqual(report.exitCode, 1)
        func failure(_ kind: Obligation.Kind) -> ProvedObligation? {
            report.failed.first { $0.obligation.role == "portal_app" && $0.obligation.object == "public.appointments"
                && $0.obligation.command == .select && $0.obligation.kind == kind }
        }
        let wall = try XCTUnwrap(failure(.wall), report.obligations.map(\.obligation.line).joined(separator: "\n"))
        XCTAssertEqual(wall.run?.outcome, .admitted(true), wall.run?.script ?? wall.note ?? "")
        let script = wall.run?.script ?? ""
        XCTAssertTrue(script.contains(#"GRANT "portal_app" TO "tenantwall_witness_tenant";"#), script)
        XCTAssertTrue(script.contains(#"SET LOCAL ROLE "tenantwall_witness_tenant";"#), script)
        let unbound = try XCTUnwrap(failure(.noContext))
        XCTAssertEqual(unbound.run?.outcome, .admitted(true), unbound.run?.script ?? "")
        XCTAssertTrue(unbound.run?.script.contains(#"SET LOCAL ROLE "portal_app";"#) == true, unbound.run?.script ?? "")
        XCTAssertEqual(try WitnessTeamSchema.fingerprint(db, tables: tables), before, "no mapping row and no appointment left")
        XCTAssertEqual(try db.query("SELECT count(*) FROM pg_roles WHERE rolname = 'tenantwall_witness_tenant'").scalar, "0", "the tenant role is gone with its transaction")
    }
}
