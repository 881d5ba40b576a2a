import Crypto
import Foundation
import Lifecycle
import Migrations
import Postgres
import Quoting
import Tenantwall
import XCTest

/// `tenant export` on example databases a team then extended by hand: tables with no tenant column that belong
/// to a tenant through foreign keys (two levels deep, one never granted to the access role), rows of two tenants
/// in every table. The export must hold exactly the tenant's rows (counted independently as the superuser),
/// match its checksums, change nothing, and stay exact when a policy is broken to admit every row.
final class TenantExportTests: XCTestCase {
    /// The workflow platform (context binding, bigint tenants) with `step_runs` (reaches `workflows` by a
    /// composite key, granted to the app) and `step_logs` (reaches `step_runs` by its id, never granted).
    static let workflowAdditions = """
        INSERT INTO public.tenants (id, slug) OVERRIDING SYSTEM VALUE VALUES (1, 'one'), (2, 'two');
        INSERT INTO public.workflows (tenant_id, id, name, definition) OVERRIDING SYSTEM VALUE
            SELECT t, t * 100 + n, 'wf ' || n, jsonb_build_object('steps', n) FROM generate_series(1, 2) t, generate_series(1, 3) n;
        INSERT INTO public.executions (tenant_id, workflow_id, status) SELECT t, t * 100 + 1, 'done' FROM generate_series(1, 2) t, generate_series(1, 4);
        INSERT INTO public.executions (tenant_id, workflow_id, status) VALUES (1, 101, 'purged');
        CREATE TYPE public.step_state AS ENUM ('ok', 'failed');
        CREATE TABLE public.step_runs (
            id bigserial PRIMARY KEY,
            workflow_tenant bigint NOT NULL,
            workflow_id bigint NOT NULL,
            state public.step_state NOT NULL DEFAULT 'ok',
            note text CHECK (note <> ''),
            FOREIGN KEY (workflow_tenant, workflow_id) REFERENCES public.workflows (tenant_id, id)
        );
        GRANT SELECT ON public.step_runs TO wf_app;
        CREATE TABLE public.step_logs (id bigserial PRIMARY KEY, step_id bigint NOT NULL REFERENCES public.step_runs (id), line text NOT NULL);
        INSERT INTO public.step_runs (workflow_tenant, workflow_id, note) SELECT t, t * 100 + n, 'tenant ' || t || ', a "quoted", comma note' FROM generate_series(1, 2) t, generate_series(1, 3) n;
        INSERT INTO public.step_logs (step_id, line) SELECT id, 'log of ' || id FROM public.step_runs, generate_series(1, 2);
        """

    /// Counts of tenant 1's rows, written out independently of the plan.
    static let workflowCounts = [
        "public.tenants": "SELECT count(*) FROM public.tenants WHERE id = 1",
        "public.workflows": "SELECT count(*) FROM public.workflows WHERE tenant_id = 1",
        "public.executions": "SELECT count(*) FROM public.executions WHERE tenant_id = 1 AND status <> 'purged'",
        "public.audit_logs": "SELECT count(*) FROM public.audit_logs WHERE tenant_id = 1",
        "public.step_runs": "SELECT count(*) FROM public.step_runs WHERE workflow_tenant = 1",
        "public.step_logs": "SELECT count(*) FROM public.step_logs l JOIN public.step_runs s ON s.id = l.step_id WHERE s.workflow_tenant = 1",
    ]

    func export(_ db: Connection, _ spec: String, tenant: String) throws -> (ExportManifest, URL) {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("tw-export-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: out) }
        let loaded = try SpecFiles.load([TestServer.path("policies/" + spec)])
        return (try TenantExport(spec: loaded, connection: db).run(tenant: tenant, into: out), out)
    }

    /// Every table's content, to show the export changed nothing.
    func snapshot(_ db: Connection) throws -> [String: String] {
        let tables = try db.query("SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1").rows.compactMap { $0.first ?? nil }
        var result: [String: String] = [:]
        for table in tables {
            result[table] = try db.query("SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM \(table) AS t").scalar
        }
        return result
    }

    func testWorkflowTenantExportHoldsExactlyItsRows() throws {
        let (_, db, _) = try AppliedExample.applied("workflow-platform", prefix: "export_wf")
        try db.execute(Self.workflowAdditions)
        let before = try snapshot(db)
        let (manifest, out) = try export(db, "workflow-platform", tenant: "1")
        XCTAssertEqual(try snapshot(db), before, "an export changes nothing")
        XCTAssertEqual(Set(manifest.tables.map(\.table)), Set(Self.workflowCounts.keys))
        for table in manifest.tables {
            XCTAssertEqual(String(table.rows), try db.query(Self.workflowCounts[table.table]!).scalar, table.table)
            for file in [table.csv, table.jsonl] {
                let data = try Data(contentsOf: out.appendingPathComponent(file.path))
                XCTAssertEqual(file.sha256, "sha256:" + Checksum.hex(Array(SHA256.hash(data: data))), file.path)
            }
            let lines = try String(contentsOf: out.appendingPathComponent(table.jsonl.path), encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(lines.count, table.rows, table.table)
            // CSV: a header, then one record per row (the quoted note holds a comma and quotes, never a newline).
            let records = try String(contentsOf: out.appendingPathComponent(table.csv.path), encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(records.count, table.rows + 1, table.table)
        }
        let byTable = Dictionary(uniqueKeysWithValues: manifest.tables.map { ($0.table, $0) })
        XCTAssertEqual(byTable["public.step_runs"]?.readAs, "tenant")
        XCTAssertEqual(byTable["public.step_logs"]?.readAs, "owner", "never granted to wf_app: read by the connecting role")
        XCTAssertEqual(byTable["public.step_logs"]?.reach, "foreign key step_logs_step_id_fkey → public.step_runs")
        XCTAssertEqual(byTable["public.step_runs"]?.rows, 3)
        XCTAssertEqual(byTable["public.executions"]?.hiddenByWalls, 1, "the purged execution: the spec's restrict hides it from the tenant")
        XCTAssertEqual(byTable["public.workflows"]?.hiddenByWalls, 0)
        XCTAssertEqual(byTable["public.step_logs"]?.rows, 6)
        let steps = try String(contentsOf: out.appendingPathComponent(byTable["public.step_runs"]!.jsonl.path), encoding: .utf8)
        XCTAssertFalse(steps.contains("tenant 2"), steps)
        XCTAssertTrue(manifest.spec.hasPrefix("sha256:"))
        XCTAssertEqual(manifest.session.first, #"SET LOCAL ROLE "wf_app""#)
        let sums = try String(contentsOf: out.appendingPathComponent("SHA256SUMS"), encoding: .utf8)
        XCTAssertEqual(sums.split(separator: "\n").count, 2 * manifest.tables.count)
        XCTAssertTrue(sums.contains(byTable["public.step_logs"]!.csv.sha256.dropFirst(7) + "  public.step_logs.csv"), sums)
        let written = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("manifest.json"))) as? [String: Any]
        XCTAssertEqual(written?["tenant"] as? String, "1")
        XCTAssertEqual((written?["tables"] as? [[String: Any]])?.first?["table"] as? String, "public.tenants", "referenced tables first")
    }

    /// A policy broken to admit every tenant's rows leaks nothing into the export: the query names the tenant too.
    func testABrokenPolicyLeaksNothingIntoTheExport() throws {
        let (_, db, _) = try AppliedExample.applied("workflow-platform", prefix: "export_broken")
        try db.execute(Self.workflowAdditions)
        try db.execute("ALTER POLICY tw_tenant_select ON public.workflows USING (true); CREATE POLICY everything ON public.step_runs USING (true)")
        let (manifest, _) = try export(db, "workflow-platform", tenant: "2")
        let workflows = manifest.tables.first { $0.table == "public.workflows" }
        XCTAssertEqual(workflows?.rows, 3)
        XCTAssertEqual(manifest.tables.first { $0.table == "public.step_runs" }?.rows, 3)
    }

    /// The signed binding: the export signs its own token with a key that lives only in its transaction.
    func testSignedBindingExportLeavesNoKeyBehind() throws {
        let (_, db, _) = try AppliedExample.applied("support-desk", prefix: "export_signed")
        let a = "a0000000-0000-4000-8000-00000000000a", b = "b0000000-0000-4000-8000-00000000000b"
        try db.execute("""
            INSERT INTO public.orgs (id, name) VALUES ('\(a)', 'A'), ('\(b)', 'B');
            INSERT INTO public.tickets (org_id, subject) SELECT o, 'ticket ' || n FROM unnest(ARRAY['\(a)', '\(b)']::uuid[]) o, generate_series(1, 4) n;
            """)
        let keys = try db.query("SELECT count(*) FROM desk.signing_keys").scalar
        let (manifest, _) = try export(db, "support-desk", tenant: a)
        XCTAssertEqual(manifest.tables.first { $0.table == "public.tickets" }?.rows, 4)
        XCTAssertEqual(manifest.tables.first { $0.table == "public.orgs" }?.rows, 1)
        XCTAssertEqual(try db.query("SELECT count(*) FROM desk.signing_keys").scalar, keys)
        XCTAssertTrue(manifest.session.contains { $0.contains("<a token for tenant") }, "\(manifest.session)")
    }

    func testRefusesAnUnknownTenantAMalformedIdAndAFullDirectory() throws {
        let (name, db, _) = try AppliedExample.applied("workflow-platform", prefix: "export_refuse")
        try db.execute(Self.workflowAdditions)
        XCTAssertThrowsError(try export(db, "workflow-platform", tenant: "3")) { XCTAssertTrue("\($0)".contains("not in public.tenants"), "\($0)") }
        XCTAssertThrowsError(try export(db, "workflow-platform", tenant: "1; DROP TABLE x")) { XCTAssertTrue("\($0)".contains("not a tenant id of type bigint"), "\($0)") }
        let full = FileManager.default.temporaryDirectory.appendingPathComponent("tw-export-full-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: full, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: full.appendingPathComponent("old.csv"))
        defer { try? FileManager.default.removeItem(at: full) }
        let run = try TenantwallProcess.run(["tenant", "export", "1", "--out", full.path, "--spec", TestServer.path("policies/workflow-platform"),
                                             "--database", try TestServer.shared.connectionString(database: name)])
        XCTAssertEqual(run.status, 2, run.stdout + run.stderr)
        XCTAssertTrue(run.stderr.contains("is not empty"), run.stderr)
    }

    /// A statement that fails half way (a policy that divides by zero, on a table read after others were written) leaves no file behind
    /// and changes nothing.
    func testAFailedExportLeavesNoFiles() throws {
        let (_, db, _) = try AppliedExample.applied("workflow-platform", prefix: "export_fail")
        try db.execute(Self.workflowAdditions)
        try db.execute("ALTER TABLE public.step_runs ENABLE ROW LEVEL SECURITY; CREATE POLICY broken ON public.step_runs USING (1 / (workflow_id - workflow_id) = 1)")
        let before = try snapshot(db)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("tw-export-fail-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let spec = try SpecFiles.load([TestServer.path("policies/workflow-platform")])
        XCTAssertThrowsError(try TenantExport(spec: spec, connection: db).run(tenant: "1", into: out)) { XCTAssertTrue("\($0)".contains("22012"), "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "the directory it made is gone")
        XCTAssertEqual(try snapshot(db), before)
    }
}
