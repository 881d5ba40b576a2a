import Foundation
import Lifecycle
import Postgres
import Tenantwall
import XCTest

/// `tenant remove --delete-data` on the workflow platform a team extended by hand (tables reached only by
/// foreign key, a rollup materialized view): it deletes what export found plus what the walls hid from the
/// tenant, leaves every other tenant's rows exactly as they were, says what remains, and `--dry-run` changes
/// nothing.
final class TenantErasureTests: XCTestCase {
    /// Tenant 2's rows of each table, hashed: the erasure of tenant 1 must not change them.
    static let otherTenant = [
        "public.tenants": "WHERE t.id = 2",
        "public.workflows": "WHERE t.tenant_id = 2",
        "public.executions": "WHERE t.tenant_id = 2",
        "public.step_runs": "WHERE t.workflow_tenant = 2",
        "public.step_logs": "WHERE EXISTS (SELECT 1 FROM public.step_runs s WHERE s.id = t.step_id AND s.workflow_tenant = 2)",
    ]

    func rows(_ db: Connection, _ table: String, _ condition: String) throws -> String {
        try db.query("SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM \(table) AS t \(condition)").scalar ?? ""
    }

    func otherTenantRows(_ db: Connection) throws -> [String: String] {
        var result: [String: String] = [:]
        for (table, condition) in Self.otherTenant { result[table] = try rows(db, table, condition) }
        return result
    }

    func testErasureDeletesWhatExportFoundAndNothingElse() throws {
        let (name, db, _) = try AppliedExample.applied("workflow-platform", prefix: "erase_wf")
        try db.execute(TenantExportTests.workflowAdditions)
        try db.execute("CREATE MATERIALIZED VIEW public.workflow_counts AS SELECT tenant_id, count(*) AS workflows FROM public.workflows GROUP BY tenant_id")
        let spec = try SpecFiles.load([TestServer.path("policies/workflow-platform")])
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("tw-erase-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let manifest = try TenantExport(spec: spec, connection: db).run(tenant: "1", into: out)
        let others = try otherTenantRows(db)
        let everything = try rows(db, "public.workflows", "")

        // The dry run: real counts, nothing changed, no event.
        let dry = try TenantErasure(spec: spec, connection: db).run(tenant: "1", dryRun: true)
        XCTAssertTrue(dry.dryRun)
        XCTAssertEqual(try rows(db, "public.workflows", ""), everything)
        XCTAssertEqual(try db.query("SELECT count(*) FROM tenantwall.tenant_events WHERE tenant = '1'").scalar, "0")
        let exported = Dictionary(uniqueKeysWithValues: manifest.tables.map { ($0.table, $0.rows + $0.hiddenByWalls) })
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: dry.deleted.map { ($0.table, $0.rows) }), exported, "what export found, and what the walls hid from the tenant")

        // The erasure itself, through the command line, with its certificate.
        let certificate = out.appendingPathComponent("erasure.json")
        let run = try TenantwallProcess.run(["tenant", "remove", "--id", "1", "--delete-data", "--certificate", certificate.path,
                                             "--spec", TestServer.path("policies/workflow-platform"), "--database", try TestServer.shared.connectionString(database: name)])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("public.step_logs: 6"), run.stdout)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let written = try decoder.decode(ErasureCertificate.self, from: Data(contentsOf: certificate))
        XCTAssertFalse(written.dryRun)
        XCTAssertEqual(written.deleted, dry.deleted)
        XCTAssertEqual(written.deleted.map(\.table).last, "public.tenants", "children before parents, the tenants table last")
        XCTAssertEqual(written.spec, manifest.spec)
        let view = written.remaining.first { $0.where == "public.workflow_counts" }
        XCTAssertEqual(view?.rows, 1, "the rollup still holds tenant 1's row until it is refreshed")
        XCTAssertTrue(written.remaining.contains { $0.where == "outside the database" })
        XCTAssertTrue(written.remaining.contains { $0.where == "tenantwall.tenant_events" })

        XCTAssertEqual(try otherTenantRows(db), others, "tenant 2's rows are exactly as they were")
        XCTAssertEqual(try db.query("SELECT count(*) FROM public.workflows WHERE tenant_id = 1").scalar, "0")
        XCTAssertEqual(try db.query("SELECT count(*) FROM public.executions WHERE tenant_id = 1").scalar, "0", "the purged execution too")
        XCTAssertEqual(try db.query("SELECT count(*) FROM public.step_runs WHERE workflow_tenant = 1").scalar, "0")
        XCTAssertEqual(try db.query("SELECT count(*) FROM public.step_logs").scalar, "6", "tenant 2's six logs")
        XCTAssertEqual(try db.query("SELECT string_agg(action, ',') FROM tenantwall.tenant_events WHERE tenant = '1'").scalar, "remove-with-data")
    }

    func testDryRunAndCertificateNeedDeleteData() throws {
        let run = try TenantwallProcess.run(["tenant", "remove", "--id", "1", "--dry-run", "--spec", TestServer.path("policies/workflow-platform")])
        XCTAssertEqual(run.status, 2, run.stdout + run.stderr)
        XCTAssertTrue(run.stderr.contains("go with --delete-data"), run.stderr)
    }
}
