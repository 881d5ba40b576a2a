import Foundation
import Postgres
import Proof
import Review
import XCTest

/// The witness runner on tenantwall's own examples: the context binding read by the native C reader, the
/// signed binding (a token signed with a key that lives only in the run's transaction), the admin gate; and the
/// script run by hand with psql gives the same answer as the runner.
final class WitnessExampleTests: XCTestCase {
    func fingerprint(_ db: Connection, _ tables: [String]) throws -> String {
        try WitnessTeamSchema.fingerprint(db, tables: tables)
    }

    func testContextBindingNativeReaderAndGate() throws {
        let (name, db, _) = try AppliedExample.applied("workflow-platform", prefix: "witness_wf")
        let url = try TestServer.shared.connectionString(database: name)
        let tables = ["public.workflows", "tenantwall.admin_mode_log"]
        let before = try fingerprint(db, tables)
        let runner = WitnessRunner(conninfo: url)
        let row: [String: String?] = ["tenant_id": "2", "id": "7", "name": "'public roadmap'::text", "definition": nil, "created_at": nil]
        let pinned: Set<String> = ["tenant_id", "name"]
        let contexts: [[String: String?]] = [["function:tenantwall.context_bigint(text)": "1"],
                                             ["function:tenantwall.current_tenant_id()": "1::bigint"]]
        for context in contexts {
            let run = runner.confirm(Witness(row: row, context: context), role: "wf_app", object: "public.workflows", command: .select, pinned: pinned)
            XCTAssertEqual(run.outcome, .admitted(false), "the generated policy refuses tenant 2's row to tenant 1: \(run.script)")
        }
        try db.execute("ALTER POLICY tw_tenant_select ON public.workflows USING (tenant_id = tenantwall.current_tenant_id() OR name LIKE 'public%')")
        for context in contexts {
            let run = runner.confirm(Witness(row: row, context: context), role: "wf_app", object: "public.workflows", command: .select, pinned: pinned)
            XCTAssertEqual(run.outcome, .admitted(true), run.script)
        }
        let native = runner.confirm(Witness(row: row, context: contexts[0]), role: "wf_app", object: "public.workflows", command: .select, pinned: pinned)
        XCTAssertTrue(native.script.contains("set_config('app.current_tenant_id', '1', true)"), native.script)
        XCTAssertTrue(native.adjusted.contains { $0.hasPrefix("definition:") }, "definition is NOT NULL and no predicate names it: \(native.adjusted)")

        // The admin gate: on through enable_admin_mode() for the admin role, which then reads every tenant.
        let gated = Witness(row: row, context: ["gate:tenantwall.admin_mode_enabled": "true", "function:tenantwall.current_tenant_id()": nil])
        let admin = runner.confirm(gated, role: "wf_admin", object: "public.workflows", command: .select, pinned: pinned)
        XCTAssertEqual(admin.outcome, .admitted(true), admin.script)
        XCTAssertTrue(admin.script.contains("\"tenantwall\".\"enable_admin_mode\"('tenantwall witness'::text)"), admin.script)
        let app = runner.confirm(gated, role: "wf_app", object: "public.workflows", command: .select, pinned: pinned)
        guard case .couldNotRun(let reason) = app.outcome else { return XCTFail("the app role cannot enable admin mode: \(app.outcome)") }
        XCTAssertTrue(reason.contains("42501"), reason)
        XCTAssertEqual(try fingerprint(db, tables), before, "no witness row, no admin-mode log entry left")
    }

    func testSignedBindingWithAKeyOfItsOwn() throws {
        let (name, db, _) = try AppliedExample.applied("support-desk", prefix: "witness_desk")
        let url = try TestServer.shared.connectionString(database: name)
        let tables = ["public.tickets", "desk.signing_keys", "desk.admin_mode_log"]
        XCTAssertEqual(try db.query("SELECT count(*) FROM desk.signing_keys").scalar, "0", "the run needs no key of the database's")
        let before = try fingerprint(db, tables)
        let orgA = "00000000-0000-0000-0000-000000000001", orgB = "00000000-0000-0000-0000-000000000002"
        let row: [String: String?] = ["org_id": "'\(orgB)'::uuid", "id": "3", "subject": "'x'::text", "status": "'public'::text", "opened_at": nil]
        let pinned: Set<String> = ["org_id", "status"]
        let runner = WitnessRunner(conninfo: url)
        let contexts: [[String: String?]] = [["function:desk.current_tenant_id()": "'\(orgA)'::uuid"],
                                             ["function:desk.verified_uuid()": "'\(orgA)'::uuid"]]
        for context in contexts {
            let run = runner.confirm(Witness(row: row, context: context), role: "desk_api", object: "public.tickets", command: .select, pinned: pinned)
            XCTAssertEqual(run.outcome, .admitted(false), run.script)
            XCTAssertTrue(run.script.contains("INSERT INTO \"desk\".\"signing_keys\""), run.script)
        }
        try db.execute("ALTER POLICY tw_tenant_select ON public.tickets USING (org_id = desk.current_tenant_id() OR status = 'public')")
        for context in contexts {
            let run = runner.confirm(Witness(row: row, context: context), role: "desk_api", object: "public.tickets", command: .select, pinned: pinned)
            XCTAssertEqual(run.outcome, .admitted(true), run.script)
        }
        // Own tenant, correct policy: the token really binds org A (a run that set nothing would read no row).
        var own = row
        own["org_id"] = "'\(orgA)'::uuid"
        own["status"] = "'open'::text"
        let ownRun = runner.confirm(Witness(row: own, context: contexts[0]), role: "desk_api", object: "public.tickets", command: .select, pinned: pinned)
        XCTAssertEqual(ownRun.outcome, .admitted(true), ownRun.script)
        XCTAssertEqual(try fingerprint(db, tables), before, "no witness row and no signing key left")

        let pasted = try psql(ownRun.script, database: name)
        XCTAssertEqual(pasted.status, 0, pasted.output)
        XCTAssertEqual(pasted.output.split(separator: "\n").last.map(String.init), "1", "pasted into psql, the script reads the row:\n\(pasted.output)")
        XCTAssertEqual(try fingerprint(db, tables), before, "the pasted script leaves nothing either")
    }

    func testPastedDeleteScriptAgreesWithTheRunner() throws {
        let (name, db) = try TestServer.freshDatabase("witness_paste")
        try db.execute(WitnessTeamSchema.sql + ";ALTER POLICY tenant_delete ON tickets USING (tenant_id = app_tenant() OR priority < 3)")
        let url = try TestServer.shared.connectionString(database: name)
        let witness = Witness(row: ["tenant_id": "'\(WitnessTeamSchema.tenantB)'::uuid", "title": "'old'::text", "priority": "1"],
                              context: ["function:public.app_tenant()": "'\(WitnessTeamSchema.tenantA)'::uuid"])
        let before = try WitnessTeamSchema.fingerprint(db)
        let run = WitnessRunner(conninfo: url).confirm(witness, role: "witness_app", object: "public.tickets", command: .delete)
        XCTAssertEqual(run.outcome, .admitted(true), run.script)
        let pasted = try psql(run.script, database: name)
        XCTAssertEqual(pasted.status, 0, pasted.output)
        XCTAssertEqual(pasted.output.split(separator: "\n").last.map(String.init), "t", "the row was reached:\n\(pasted.output)")
        XCTAssertEqual(try WitnessTeamSchema.fingerprint(db), before)
    }

    /// The script as a person runs it: psql as the superuser, stop on the first error.
    func psql(_ script: String, database: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try TestServer.binDirectory() + "/psql")
        process.arguments = ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", try TestServer.shared.connectionString(database: database)]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(script.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { !$0.isEmpty }.joined(separator: "\n")
        return (process.terminationStatus, text)
    }
}
