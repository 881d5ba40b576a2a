import Audit
import Foundation
import PolicyGen
import Postgres
import Tenantwall
import XCTest

/// `tenantwall audit` on databases tenantwall did not create (Tests/Fixtures/adopt, built by hand with data):
/// exactly what it reports before any hardening, that the TO PUBLIC and tenants-table fixes keep every current
/// reader working, and that tenantwall's own generated migrations pass `audit --migrations`.
final class AdoptAuditTests: XCTestCase {
    static func load(_ fixture: String) throws -> (conninfo: String, connection: Connection) {
        let (name, db) = try TestServer.freshDatabase("adopt")
        try db.execute(String(contentsOfFile: TestServer.path("Tests/Fixtures/adopt/\(fixture).sql"), encoding: .utf8))
        return (try TestServer.shared.connectionString(database: name), db)
    }

    /// `audit --database` as a user runs it: no spec, no --app-role, JSON out.
    func audit(_ conninfo: String, _ extra: [String] = []) throws -> [[String: Any]] {
        let run = try TenantwallProcess.run(["audit", "--database", conninfo, "--format", "json", "--fail-on", "info"] + extra)
        XCTAssertEqual(run.status, 1, run.stderr)
        return (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])?["findings"] as? [[String: Any]] ?? []
    }

    func placed(_ findings: [[String: Any]]) -> [String] {
        findings.map { f in
            let location = f["location"] as? [String: Any] ?? [:]
            return "\(f["rule"] as? String ?? "?") \(location["kind"] as? String ?? "?") \(location["object"] as? String ?? "?")"
        }.sorted()
    }

    func fix(_ findings: [[String: Any]], _ rule: String, _ object: String) -> String? {
        findings.first { $0["rule"] as? String == rule && ($0["location"] as? [String: Any])?["object"] as? String == object }?["fix"] as? String
    }

    func testAnalyticsPlatformBeforeHardening() throws {
        let (conninfo, _) = try Self.load("analytics-platform")
        let findings = try audit(conninfo)
        // analytics_owner logs in and owns unforced tables: without a spec it counts as the application
        // (TW113, TW120, TW125); analytics_app and analytics_bi are inferred from their grants on RLS tables.
        XCTAssertEqual(placed(findings), [
            "TW104 table raw.events", "TW104 table raw.users",
            "TW105 policy raw.events.tenant_isolation", "TW105 policy raw.users.tenant_isolation",
            "TW109 policy raw.events.tenant_isolation", "TW109 policy raw.users.tenant_isolation",
            "TW113 table raw.events", "TW113 table raw.users",
            "TW115 view analytics.tenant_daily_summary",
            "TW120 table raw.events_2026_10", "TW120 table raw.events_2026_11", "TW120 table raw.events_2026_12",
            "TW125 function public.set_tenant_context(p_tenant_id uuid)",
            "TW136 table raw.tenants",
            "TW201 policy raw.events.tenant_isolation", "TW201 policy raw.users.tenant_isolation",
        ])
        XCTAssertEqual(fix(findings, "TW105", "raw.events.tenant_isolation"), #"ALTER POLICY "tenant_isolation" ON "raw"."events" TO "analytics_app", "analytics_bi";"#)
        XCTAssertEqual(fix(findings, "TW105", "raw.users.tenant_isolation"), #"ALTER POLICY "tenant_isolation" ON "raw"."users" TO "analytics_app", "analytics_bi";"#)
        XCTAssertEqual(fix(findings, "TW136", "raw.tenants"), #"ALTER TABLE "raw"."tenants" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY; "#
                       + #"CREATE POLICY "tenant_isolation" ON "raw"."tenants" TO "analytics_app", "analytics_bi" USING ("id" = (SELECT NULLIF(current_setting('app.current_tenant_id', true), '')::uuid));"#)
        XCTAssertEqual(fix(findings, "TW109", "raw.events.tenant_isolation"), "use NULLIF(current_setting('app.current_tenant_id', true), '')::uuid, or tenantwall's current_tenant_id()")
        let tw136 = findings.first { $0["rule"] as? String == "TW136" }
        XCTAssertEqual(tw136?["severity"] as? String, "error")
        XCTAssertTrue((tw136?["message"] as? String ?? "").contains("analytics_app, analytics_bi read every tenant's row; analytics_app can INSERT"), "\(tw136 ?? [:])")
    }

    /// The TO PUBLIC fix names today's readers, so they keep reading their tenant's rows; a role granted the
    /// table later reads nothing until a policy names it (before the fix it read whatever tenant it SET). The
    /// tenants-table fix leaves each tenant its own row. Both then disappear from the audit.
    func testTheFixesKeepEveryCurrentReaderWorking() throws {
        let (conninfo, db) = try Self.load("analytics-platform")
        try db.execute("DO $$ BEGIN CREATE ROLE adopt_late_reader NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$; GRANT USAGE ON SCHEMA raw TO adopt_late_reader")
        let acme = "a0000000-0000-4000-8000-000000000001"
        func count(_ role: String, _ table: String) throws -> String? {
            try db.execute("BEGIN")
            defer { _ = try? db.execute("ROLLBACK") }
            try db.execute("SET LOCAL ROLE \(role); SELECT set_config('app.current_tenant_id', '\(acme)', true)")
            return try db.query("SELECT count(*) FROM \(table)").scalar
        }
        XCTAssertEqual(try count("analytics_bi", "raw.events"), "400")
        XCTAssertEqual(try count("analytics_bi", "raw.tenants"), "3", "before: every tenant's row")
        let findings = try audit(conninfo)
        let fixes = ["raw.events.tenant_isolation", "raw.users.tenant_isolation"].compactMap { fix(findings, "TW105", $0) } + [fix(findings, "TW136", "raw.tenants")].compactMap { $0 }
        XCTAssertEqual(fixes.count, 3)
        try db.execute(fixes.joined(separator: "\n"))
        try db.execute("GRANT SELECT ON raw.events, raw.tenants TO adopt_late_reader")
        for role in ["analytics_app", "analytics_bi"] {
            XCTAssertEqual(try count(role, "raw.events"), "400", role)
            XCTAssertEqual(try count(role, "raw.users"), "5", role)
            XCTAssertEqual(try count(role, "raw.tenants"), "1", role)
        }
        XCTAssertEqual(try count("adopt_late_reader", "raw.events"), "0", "a role granted later is bound by no policy: nothing")
        XCTAssertEqual(try count("adopt_late_reader", "raw.tenants"), "0")
        let after = placed(try audit(conninfo))
        XCTAssertFalse(after.contains { $0.hasPrefix("TW105") || $0.hasPrefix("TW136") }, "\(after)")
    }

    /// No TW127 on `alerts_pkey`: its key is a `bigserial`, which another tenant cannot guess into a collision.
    func testMetricsServiceBeforeHardening() throws {
        let (conninfo, _) = try Self.load("metrics-service")
        let findings = try audit(conninfo)
        XCTAssertEqual(placed(findings), [
            "TW104 table public.alerts", "TW104 table public.metrics",
            "TW105 policy public.alerts.alerts_tenant", "TW105 policy public.metrics.metrics_tenant",
            "TW109 policy public.alerts.alerts_tenant", "TW109 policy public.metrics.metrics_tenant",
            "TW124 policy public.alerts.alerts_tenant", "TW124 policy public.metrics.metrics_tenant",
            "TW125 function public.enable_admin_mode()", "TW125 function public.set_tenant_context(t integer)",
            "TW136 table public.accounts",
            "TW201 policy public.alerts.alerts_tenant", "TW201 policy public.metrics.metrics_tenant",
        ])
        // The admin flag is the forgeable switch; the tenant setting, compared with the column, is not.
        for f in findings where f["rule"] as? String == "TW124" {
            let message = f["message"] as? String ?? ""
            XCTAssertTrue(message.contains("app.admin_mode") && !message.contains("app.tenant_id"), message)
        }
        XCTAssertEqual(fix(findings, "TW105", "public.metrics.metrics_tenant"), #"ALTER POLICY "metrics_tenant" ON "public"."metrics" TO "metrics_api", "metrics_ingest";"#)
        XCTAssertEqual(fix(findings, "TW105", "public.alerts.alerts_tenant"), #"ALTER POLICY "alerts_tenant" ON "public"."alerts" TO "metrics_api";"#)
        XCTAssertEqual(fix(findings, "TW136", "public.accounts"), #"ALTER TABLE "public"."accounts" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY; "#
                       + #"CREATE POLICY "tenant_isolation" ON "public"."accounts" TO "metrics_api", "metrics_ingest" USING ("id" = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::integer));"#)
        XCTAssertEqual(fix(findings, "TW109", "public.metrics.metrics_tenant"), "use NULLIF(current_setting('app.tenant_id', true), '')::integer, or tenantwall's current_tenant_id()")
    }

    /// `tenantwall generate` for every example, then `tenantwall audit --migrations` on it alone (the
    /// catalog rules on an empty database of the embedded server): no error. The warnings allowed are the two
    /// that the signed binding needs by design, and the rollups' refresh (docs/audit.md says why).
    func testGeneratedMigrationsPassAuditMigrations() throws {
        _ = try TestServer.binDirectory()  // `audit` starts its own server from these: none fails here, with the reason
        // By rule and the object its message names, not by line: the generator's layout may change.
        let allowed: [String: Set<String>] = ["support-desk": ["TW103 desk.signing_keys"],
                                              "analytics-warehouse": ["TW117 tenantwall.refresh_rollups()"]]
        for model in ["analytics-warehouse", "clinic-portal", "k8s-cost-monitor", "support-desk", "workflow-platform", "workflow-platform-citus"] {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-adopt-gen-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            // The files `generate` writes: the transaction's, then the index step's (no transaction).
            let generated = try TenantwallProcess.run(["generate", "--spec", TestServer.path("policies/" + model), "--migrations", dir])
            XCTAssertEqual(generated.status, 0, generated.stderr)
            let run = try TenantwallProcess.run(["audit", "--migrations", dir, "--format", "json"])
            XCTAssertEqual(run.status, 0, "\(model): \(run.stdout)")
            XCTAssertTrue(run.stderr.contains("catalog rules ran on an empty database"), "\(model): the catalog rules ran: \(run.stderr)")
            let findings = (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])?["findings"] as? [[String: Any]] ?? []
            let serious = findings.filter { ["error", "warning"].contains($0["severity"] as? String ?? "") }.map { f -> String in
                let message = f["message"] as? String ?? ""
                // Catalog findings on a migration name their object: "… (table desk.signing_keys, introduced by this statement)".
                let object = message.range(of: #"\((table|function|policy|view|role|index) [^,]+, introduced"#, options: .regularExpression)
                    .map { String(message[$0].dropFirst().dropLast(", introduced".count)).split(separator: " ", maxSplits: 1).last.map(String.init) ?? "" } ?? message
                return "\(f["rule"] as? String ?? "?") \(object)"
            }
            XCTAssertEqual(Set(serious), allowed[model] ?? [], "\(model): \(findings.map { "\($0["rule"] ?? "") \($0["message"] ?? "")" })")
        }
    }
}
