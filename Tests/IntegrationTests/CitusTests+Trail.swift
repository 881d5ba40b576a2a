import Deploy
import Foundation
import Lifecycle
import PolicyGen
import Postgres
import Quoting
import Tenantwall
import Verification
import XCTest

extension CitusTests {
    /// The change trail on the cluster (the Citus example with `audit_trail: {tables: all}`): the trail is
    /// distributed by the tenant, a committed change by the application as a tenant is in that tenant's trail
    /// (written by the row trigger on the shard's worker) with old and new values and a chain; another tenant
    /// reads none of it; no access role and not the owner may write the trail, and a superuser's plain statement
    /// is refused by the guard on the shards; plan is in sync; verify's trail checks pass, and an entry altered
    /// with the guard disabled makes verify fail naming the tenant and the seq.
    func testTheTrailOnTheCluster() throws {
        let copy = try TrailExampleTests.trailedCopy("workflow-platform-citus")
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let spec = try SpecFiles.load([copy])
        let (cluster, url, db, live) = try applied(spec)
        defer { cluster.stop() }
        let names = TrailNames(spec: spec)
        XCTAssertEqual(try db.query("SELECT partmethod::text FROM pg_dist_partition WHERE logicalrelid = $1::regclass", [names.table]).scalar, "h",
                       "the trail is distributed by hash of the tenant")
        XCTAssertEqual(try db.query("""
            SELECT count(DISTINCT colocationid) FROM pg_dist_partition
            WHERE logicalrelid IN ($1::regclass, 'public.workflows'::regclass, 'public.tenants'::regclass)
            """, [names.table]).scalar, "1", "colocated with the tenant tables")

        // Rows loaded by the superuser: not trailed.
        try db.execute("""
            INSERT INTO public.tenants (slug) SELECT 't' || g FROM generate_series(1, 4) AS g;
            INSERT INTO public.workflows (tenant_id, name, definition) SELECT g % 4 + 1, 'w' || g, '{}' FROM generate_series(1, 40) AS g
            """)
        XCTAssertEqual(try db.query("SELECT count(*) FROM \(names.table)").scalar, "0")

        // A change the application commits as tenant 2, then one more (the chain's second link).
        func asTenant<T>(_ tenant: String, _ body: () throws -> T) throws -> T {
            try db.execute("BEGIN")
            var session = TenantSession(spec: spec, connection: db)
            try session.enter(tenant)
            do {
                let result = try body()
                try session.leave()
                try db.execute("COMMIT")
                return result
            } catch {
                _ = try? db.execute("ROLLBACK")
                throw error
            }
        }
        let renamed = try asTenant("2") {
            try db.query("UPDATE public.workflows SET name = name || '-renamed' WHERE tenant_id = 2").affectedRows
        }
        XCTAssertEqual(renamed, 10)
        _ = try asTenant("2") { try db.execute("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (2, 'added', '{\"a\": 1}')") }
        let entries = try db.query("""
            SELECT count(*) FILTER (WHERE command = 'UPDATE' AND old ->> 'name' || '-renamed' = new ->> 'name' AND acting_role = $1)::text,
                   count(*) FILTER (WHERE command = 'INSERT' AND old IS NULL AND new ->> 'name' = 'added')::text,
                   count(*) FILTER (WHERE seq = 1 AND prev_hash IS NULL OR seq > 1 AND prev_hash IS NOT NULL)::text, max(seq)::text
            FROM \(names.table) WHERE tenant_id = 2
            """, [spec.roles.app]).rows[0]
        XCTAssertEqual(entries, ["10", "1", "11", "11"], "every change of tenant 2 in its trail, old and new values, one chain")
        XCTAssertEqual(try db.query("SELECT count(*) FROM \(names.table) WHERE tenant_id <> 2").scalar, "0")

        // The tenant reads its own entries; another tenant reads none.
        XCTAssertEqual(try asTenant("2") { try db.query("SELECT count(*) FROM \(names.table) WHERE tenant_id = 2").scalar }, "11")
        // (On Citus a tenant's query names its tenant, or the spec's fan_out: error refuses it.)
        XCTAssertEqual(try asTenant("3") { try db.query("SELECT count(*) FROM \(names.table) WHERE tenant_id = 2").scalar }, "0")
        XCTAssertEqual(try asTenant("3") { try db.query("SELECT count(*) FROM \(names.table) WHERE tenant_id = 3").scalar }, "0")

        // No access role and not the owner may write the trail; a superuser's plain statement meets the guard.
        for role in uniqued(spec.roles.accessRoles + [spec.roles.owner]) {
            for statement in ["UPDATE \(names.table) SET new = NULL WHERE tenant_id = 2", "DELETE FROM \(names.table) WHERE tenant_id = 2",
                              "TRUNCATE \(names.table)"] {
                try db.execute("BEGIN")
                XCTAssertThrowsError(try db.execute("SET LOCAL ROLE \(SQL.ident(role)); \(statement)"), "\(role): \(statement)") { error in
                    XCTAssertEqual((error as? PostgresError)?.sqlState, "42501", "\(role): \(statement): \(error)")
                }
                try db.execute("ROLLBACK")
            }
        }
        for statement in ["UPDATE \(names.table) SET new = NULL WHERE tenant_id = 2", "DELETE FROM \(names.table) WHERE tenant_id = 2"] {
            XCTAssertThrowsError(try db.execute(statement), "a superuser's \(statement) is refused on the shard") { error in
                XCTAssertTrue("\(error)".contains("append-only"), "\(error)")
            }
        }
        XCTAssertTrue(try live.plan(spec).isEmpty, "in sync with the trail")

        // verify: the trail checks hold; an entry altered with the guard disabled breaks the chain.
        let report = try Verifier(spec: spec, conninfo: url, settings: Verifier.Settings()).run()
        for check in report.failed { XCTFail("\(check.table): \(check.id) as \(check.role) (\(check.tenant)): expected \(check.expected), got \(check.actual)") }
        for id in ["trail-chain", "trail-write-refused", "trail-records-change", "trail-other-tenant-read"] {
            XCTAssertTrue(report.checks.contains { $0.id == id }, "\(id) ran")
        }
        for statement in ["BEGIN", "SET LOCAL citus.enable_unsafe_triggers = on", "ALTER TABLE \(names.table) DISABLE TRIGGER tw_trail_append_only",
                          "UPDATE \(names.table) SET new = jsonb_set(new, '{name}', '\"tampered\"') WHERE tenant_id = 2 AND seq = 3",
                          "ALTER TABLE \(names.table) ENABLE TRIGGER tw_trail_append_only", "COMMIT"] {
            try db.execute(statement)
        }
        let tampered = try Verifier(spec: spec, conninfo: url, settings: Verifier.Settings()).run()
        let chain = try XCTUnwrap(tampered.checks.first { $0.id == "trail-chain" })
        XCTAssertEqual(chain.status, .failed)
        XCTAssertTrue(chain.actual.contains("tenant 2: broken at seq 3"), chain.actual)
    }
}
