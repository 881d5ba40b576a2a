import Foundation
import Postgres
import Proof
import Review
import XCTest

/// The witness runner on a team's own schema: a leaking policy's witness is admitted, a correct policy refuses
/// the same witness, a context no statement can set is reported as such, and no run leaves a row.
final class WitnessRunnerTests: XCTestCase {
    typealias Team = WitnessTeamSchema

    func teamDatabase() throws -> (url: String, db: Connection) {
        let (name, db) = try TestServer.freshDatabase("witness")
        try db.execute(Team.sql)
        return (try TestServer.shared.connectionString(database: name), db)
    }

    /// Tenant B's ticket, read by tenant A. Its title and status are values the table refuses (the solver does
    /// not model CHECK constraints or enum labels): the runner fills them, never the columns a predicate names.
    func otherTenantsTicket(isPublic: Bool, context: [String: String?] = ["setting:app.tenant_id": Team.tenantA]) -> Witness {
        Witness(row: ["tenant_id": "'\(Team.tenantB)'::uuid", "id": "900", "title": "''::text", "status": "''::text",
                      "priority": "0", "is_public": isPublic ? "true" : "false", "details": nil],
                context: context)
    }

    func testLeakingSelectIsAdmittedAndCorrectOneRefused() throws {
        let (url, db) = try teamDatabase()
        let before = try Team.fingerprint(db)
        let runner = WitnessRunner(conninfo: url)
        let pinned: Set<String> = ["tenant_id", "is_public"]

        let correct = runner.confirm(otherTenantsTicket(isPublic: true), role: "witness_app", object: "public.tickets", command: .select, pinned: pinned)
        XCTAssertEqual(correct.outcome, .admitted(false), correct.script)

        try db.execute("ALTER POLICY tenant_select ON tickets USING (tenant_id = current_setting('app.tenant_id', true)::uuid OR is_public)")
        let leaking = runner.confirm(otherTenantsTicket(isPublic: true), role: "witness_app", object: "public.tickets", command: .select, pinned: pinned)
        XCTAssertEqual(leaking.outcome, .admitted(true), leaking.script)
        XCTAssertTrue(leaking.adjusted.contains { $0.hasPrefix("title:") }, "\(leaking.adjusted)")
        XCTAssertFalse(leaking.adjusted.contains { $0.hasPrefix("tenant_id") || $0.hasPrefix("is_public") }, "\(leaking.adjusted)")
        XCTAssertTrue(leaking.script.hasPrefix("BEGIN;") && leaking.script.hasSuffix("ROLLBACK;"), leaking.script)
        XCTAssertTrue(leaking.script.contains("SET LOCAL ROLE \"witness_app\""), leaking.script)

        let privateRow = runner.confirm(otherTenantsTicket(isPublic: false), role: "witness_app", object: "public.tickets", command: .select, pinned: pinned)
        XCTAssertEqual(privateRow.outcome, .admitted(false), "the same policy refuses another tenant's private row")
        XCTAssertEqual(try Team.fingerprint(db), before, "no run leaves a row")
    }

    func testPinnedColumnsAreNeverChanged() throws {
        let (url, db) = try teamDatabase()
        try db.execute("ALTER POLICY tenant_select ON tickets USING (tenant_id = current_setting('app.tenant_id', true)::uuid OR is_public)")
        let all = WitnessRunner(conninfo: url).confirm(otherTenantsTicket(isPublic: true), role: "witness_app", object: "public.tickets", command: .select)
        guard case .couldNotRun(let reason) = all.outcome else { return XCTFail("every column pinned: the refused row cannot be run, got \(all.outcome)") }
        XCTAssertTrue(reason.contains("refuses the witness row"), reason)
        let named = WitnessRunner.columns(namedIn: [.expression("(tenant_id = (current_setting('app.tenant_id'::text, true))::uuid) OR is_public")],
                                          of: ["tenant_id", "id", "title", "status", "priority", "is_public", "details"])
        XCTAssertEqual(named, ["tenant_id", "is_public"], "`id` inside `tenant_id` is not the column id")
    }

    func testWritesThroughPLpgSQLReaderAndSetter() throws {
        let (url, db) = try teamDatabase()
        let before = try Team.fingerprint(db)
        let runner = WitnessRunner(conninfo: url)
        let pinned: Set<String> = ["tenant_id"]
        let asTenantA: [String: String?] = ["function:public.app_tenant()": "'\(Team.tenantA)'::uuid"]
        for command in [WitnessCommand.update, .delete] {
            let refused = runner.confirm(otherTenantsTicket(isPublic: false, context: asTenantA), role: "witness_app", object: "public.tickets",
                                         command: command, pinned: pinned)
            XCTAssertEqual(refused.outcome, .admitted(false), "\(command): \(refused.script)")
            XCTAssertTrue(refused.script.contains("\"public\".\"set_tenant_context\"("), refused.script)
        }
        try db.execute("ALTER POLICY tenant_delete ON tickets USING (tenant_id = app_tenant() OR priority < 3)")
        let leaking = runner.confirm(otherTenantsTicket(isPublic: false, context: asTenantA), role: "witness_app", object: "public.tickets",
                                     command: .delete, pinned: ["tenant_id", "priority"])
        guard case .couldNotRun = leaking.outcome else { return XCTFail("priority 0 breaks the CHECK and is pinned: \(leaking.outcome)") }
        var atOne = otherTenantsTicket(isPublic: false, context: asTenantA)
        atOne.row["priority"] = "1"
        let deleted = runner.confirm(atOne, role: "witness_app", object: "public.tickets", command: .delete, pinned: ["tenant_id", "priority"])
        XCTAssertEqual(deleted.outcome, .admitted(true), deleted.script)
        XCTAssertEqual(try Team.fingerprint(db), before, "the deleted witness row and every existing row are as they were")
    }

    func testInsertIsRefusedByCheckAndAdmittedByOpenCheck() throws {
        let (url, db) = try teamDatabase()
        let before = try Team.fingerprint(db)
        let runner = WitnessRunner(conninfo: url)
        let witness = otherTenantsTicket(isPublic: false, context: ["function:public.current_tenant_id()": "'\(Team.tenantA)'::uuid"])
        let refused = runner.confirm(witness, role: "witness_app", object: "public.tickets", command: .insert, pinned: ["tenant_id"])
        XCTAssertEqual(refused.outcome, .admitted(false), refused.script)
        try db.execute("ALTER POLICY tenant_insert ON tickets WITH CHECK (current_tenant_id() IS NOT NULL)")
        let admitted = runner.confirm(witness, role: "witness_app", object: "public.tickets", command: .insert, pinned: ["tenant_id"])
        XCTAssertEqual(admitted.outcome, .admitted(true), admitted.script)
        XCTAssertTrue(admitted.script.contains("OVERRIDING SYSTEM VALUE"), admitted.script)
        XCTAssertEqual(try Team.fingerprint(db), before)
    }

    func testFailOpenWitnessWithNoTenant() throws {
        let (url, db) = try teamDatabase()
        try db.execute("ALTER POLICY tenant_select ON tickets USING (current_setting('app.tenant_id', true) IS NULL OR tenant_id = current_setting('app.tenant_id', true)::uuid)")
        let run = WitnessRunner(conninfo: url).confirm(otherTenantsTicket(isPublic: false, context: ["setting:app.tenant_id": nil]),
                                                       role: "witness_app", object: "public.tickets", command: .select, pinned: ["tenant_id"])
        XCTAssertEqual(run.outcome, .admitted(true), run.script)
        XCTAssertTrue(run.script.contains("current_setting('app.tenant_id', true) IS NULL"), run.script)
    }

    func testContextsNoStatementCanSet() throws {
        let (url, _) = try teamDatabase()
        let runner = WitnessRunner(conninfo: url)
        let cases: [(String, [String: String?], String)] = [
            ("opaque", ["opaque:{\"SubLink\":{}}": "true"], "no statement sets"),
            ("gate without an enabler", ["gate:public.current_tenant_id": "true"], "enable_admin_mode"),
            ("unknown function", ["function:public.nowhere()": "'x'::text"], "does not have"),
            ("not a literal", ["function:public.current_tenant_id()": "(SELECT 1)"], "not a literal"),
        ]
        for (label, context, expected) in cases {
            let run = runner.confirm(otherTenantsTicket(isPublic: true, context: context), role: "witness_app", object: "public.tickets",
                                     command: .select, pinned: ["tenant_id"])
            guard case .couldNotRun(let reason) = run.outcome else { XCTFail("\(label): \(run.outcome)"); continue }
            XCTAssertTrue(reason.contains(expected), "\(label): \(reason)")
        }
        var injected = otherTenantsTicket(isPublic: true)
        injected.row["title"] = "'x'::text); DROP TABLE tickets; --"
        guard case .couldNotRun(let reason) = runner.confirm(injected, role: "witness_app", object: "public.tickets", command: .select).outcome else {
            return XCTFail("a value that is not a literal is refused")
        }
        XCTAssertTrue(reason.contains("not a literal"), reason)
    }

    func testContextThatReadsBackOtherwiseIsNotRun() throws {
        let (url, db) = try teamDatabase()
        // A setter that ignores its argument: the read-back catches it, and the run is not counted.
        try db.execute("CREATE OR REPLACE FUNCTION set_tenant_context(tenant uuid) RETURNS void LANGUAGE sql AS $$ SELECT set_config('app.tenant_id', '\(Team.tenantB)', true) $$")
        let run = WitnessRunner(conninfo: url).confirm(otherTenantsTicket(isPublic: false, context: ["function:public.app_tenant()": "'\(Team.tenantA)'::uuid"]),
                                                       role: "witness_app", object: "public.tickets", command: .update, pinned: ["tenant_id"])
        guard case .couldNotRun(let reason) = run.outcome else { return XCTFail("\(run.outcome)") }
        XCTAssertTrue(reason.contains("function:public.app_tenant()"), reason)
    }

    func testNeedsASuperuser() throws {
        let (name, db) = try TestServer.freshDatabase("witness")
        try db.execute(Team.sql + "; DO $r$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'witness_login') THEN CREATE ROLE witness_login LOGIN; END IF; END $r$")
        let url = try TestServer.shared.connectionString(database: name, user: "witness_login")
        let run = WitnessRunner(conninfo: url).confirm(otherTenantsTicket(isPublic: true), role: "witness_app", object: "public.tickets", command: .select)
        guard case .couldNotRun(let reason) = run.outcome else { return XCTFail("\(run.outcome)") }
        XCTAssertTrue(reason.contains("superuser"), reason)
    }

    func testDefinerViewLeaksAndInvokerViewDoesNot() throws {
        let (url, db) = try teamDatabase()
        try db.execute("""
            CREATE VIEW open_tickets AS SELECT * FROM tickets WHERE status <> 'closed';
            CREATE VIEW open_tickets_invoker WITH (security_invoker = true) AS SELECT * FROM tickets WHERE status <> 'closed';
            GRANT SELECT ON open_tickets, open_tickets_invoker TO witness_app;
            """)
        let before = try Team.fingerprint(db)
        let runner = WitnessRunner(conninfo: url)
        let witness = Witness(row: ["tenant_id": "'\(Team.tenantB)'::uuid", "status": "'open'::text"], context: ["setting:app.tenant_id": Team.tenantA])
        let definer = runner.confirm(witness, role: "witness_app", object: "public.open_tickets", command: .select, pinned: ["tenant_id", "status"])
        XCTAssertEqual(definer.outcome, .admitted(true), "the view runs as its owner, a superuser: \(definer.script)")
        XCTAssertTrue(definer.script.contains("INSERT INTO \"public\".\"tickets\""), "the row goes into the view's table: \(definer.script)")
        let invoker = runner.confirm(witness, role: "witness_app", object: "public.open_tickets_invoker", command: .select, pinned: ["tenant_id", "status"])
        XCTAssertEqual(invoker.outcome, .admitted(false), invoker.script)
        XCTAssertEqual(try Team.fingerprint(db), before)
    }

    /// UPDATE's WITH CHECK: the witness is the new row. Written as the session's own row and moved to the
    /// witness' tenant, it shows a loose WITH CHECK that the same row written as the other tenant's would not.
    func testUpdateMovesTheSessionsRowToTheWitnessTenant() throws {
        let (url, db) = try teamDatabase()
        try db.execute("ALTER POLICY tenant_update ON tickets USING (tenant_id = app_tenant()) WITH CHECK (true)")
        let before = try Team.fingerprint(db)
        let runner = WitnessRunner(conninfo: url)
        let witness = otherTenantsTicket(isPublic: false, context: ["function:public.app_tenant()": "'\(Team.tenantA)'::uuid"])
        let moving = MovingTenant(column: "tenant_id", reader: "public.app_tenant()")
        let moved = runner.confirm(witness, role: "witness_app", object: "public.tickets", command: .update, pinned: ["tenant_id"], moving: moving)
        XCTAssertEqual(moved.outcome, .admitted(true), moved.script)
        XCTAssertTrue(moved.script.contains("SET \"tenant_id\" = CAST('\(Team.tenantB)'::uuid AS uuid)"), moved.script)
        XCTAssertTrue(moved.script.contains("CAST('\(Team.tenantA)'::text AS uuid)"), "the row starts as the session's own: \(moved.script)")
        let unmoved = runner.confirm(witness, role: "witness_app", object: "public.tickets", command: .update, pinned: ["tenant_id"])
        XCTAssertEqual(unmoved.outcome, .admitted(false), "another tenant's row is out of USING's reach: \(unmoved.script)")
        try db.execute("ALTER POLICY tenant_update ON tickets USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant())")
        let refused = runner.confirm(witness, role: "witness_app", object: "public.tickets", command: .update, pinned: ["tenant_id"], moving: moving)
        XCTAssertEqual(refused.outcome, .admitted(false), refused.script)
        XCTAssertEqual(try Team.fingerprint(db), before)
    }

    /// UPDATE's blind form reads no column, so only the UPDATE policies filter it; with no WHERE it would also
    /// set the unique title of every row the policy admits (23505 on the second). Run on the witness row alone
    /// by the superuser's cursor (`WHERE CURRENT OF`), it reaches that row and no other, the same every run.
    func testBlindUpdateReachesOnlyTheWitnessRow() throws {
        let (url, db) = try teamDatabase()
        try db.execute("CREATE UNIQUE INDEX tickets_title ON tickets (title); ALTER POLICY tenant_update ON tickets USING (tenant_id = app_tenant() OR priority < 3)")
        let before = try Team.fingerprint(db)
        let witness = Witness(row: ["tenant_id": "'\(Team.tenantB)'::uuid", "title": "'old'::text", "priority": "1"],
                              context: ["function:public.app_tenant()": "'\(Team.tenantA)'::uuid"])
        for _ in 0..<3 {
            let run = WitnessRunner(conninfo: url).confirm(witness, role: "witness_app", object: "public.tickets", command: .update, pinned: ["tenant_id", "priority"])
            XCTAssertEqual(run.outcome, .admitted(true), run.script)
            XCTAssertTrue(run.script.contains(#"UPDATE "public"."tickets" SET "title" = CAST('old'::text AS text) WHERE CURRENT OF tw_witness_row;"#), run.script)
            XCTAssertTrue(run.script.contains("DECLARE tw_witness_row CURSOR FOR SELECT FROM \"public\".\"tickets\" WHERE tableoid = :'tw_oid'"), run.script)
        }
        // The SELECT policy keeps tenant B's row from tenant A, so the application's UPDATE (with a WHERE) does not
        // reach it; the same witness with the UPDATE policy tight is refused by the blind form too.
        try db.execute("ALTER POLICY tenant_update ON tickets USING (tenant_id = app_tenant())")
        let refused = WitnessRunner(conninfo: url).confirm(witness, role: "witness_app", object: "public.tickets", command: .update, pinned: ["tenant_id", "priority"])
        XCTAssertEqual(refused.outcome, .admitted(false), refused.script)
        XCTAssertEqual(try Team.fingerprint(db), before)
    }
}
