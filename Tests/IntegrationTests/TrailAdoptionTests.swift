import Deploy
import Foundation
import PolicyGen
import Postgres
import Quoting
import Tenantwall
import Verification
import XCTest

/// The change trail on a database tenantwall did not create (the analytics-platform fixture of
/// Tests/Fixtures/adopt, with its rows, hand-made partitions and the application's own setter): apply adds the
/// trail without touching a row, a second plan is empty, and the application's changes are trailed from then on.
final class TrailAdoptionTests: XCTestCase {
    func testTheTrailIsAddedToAnAdoptedDatabaseAndRecordsTheApplicationsChanges() throws {
        let (database, db) = try TestServer.freshDatabase("trail_adopt")
        try db.execute(String(contentsOfFile: TestServer.path("Tests/Fixtures/adopt/analytics-platform.sql"), encoding: .utf8))
        var spec = try SpecFiles.load([TestServer.path("Tests/Fixtures/adopt/specs/analytics-platform")])
        spec.auditTrail = AuditTrail(allTables: true)
        let tables = ["raw.tenants", "raw.users", "raw.events"]
        func checksums() throws -> [String] {
            try tables.map { try db.query("SELECT count(*) || ' ' || md5(COALESCE(string_agg(t::text, ',' ORDER BY t::text), '')) FROM \($0) AS t").scalar ?? "" }
        }
        let before = try checksums()
        let plan = try LiveDatabase(connection: db).plan(spec)
        XCTAssertEqual(plan.blockers, [])
        XCTAssertTrue(plan.differences.contains { $0.object == "change trail" }, "\(plan.differences.map(\.object))")
        try LiveDatabase(connection: db).apply(spec)
        XCTAssertEqual(try checksums(), before, "apply changed no row")
        let again = try LiveDatabase(connection: db).plan(spec)
        XCTAssertTrue(again.isEmpty, "in sync after apply: \(again.differences.map { "\($0.object): \($0.changes(verbose: true))" })")

        // A hand-dropped trigger is drift, and apply puts it back.
        try db.execute("DROP TRIGGER tw_change_trail ON raw.users")
        XCTAssertEqual(try LiveDatabase(connection: db).plan(spec).differences.map(\.object), ["change trail"])
        try LiveDatabase(connection: db).apply(spec)
        XCTAssertTrue(try LiveDatabase(connection: db).plan(spec).isEmpty)

        // The application, through its own setter, as it did before adoption.
        let tenant = "a0000000-0000-4000-8000-000000000001"
        try db.execute("SET ROLE analytics_app")
        let changed: Int = try db.transaction {
            try db.execute("SELECT public.set_tenant_context(\(SQL.literal(tenant)))")
            return try db.query("UPDATE raw.users SET email = email WHERE tenant_id = \(SQL.literal(tenant))").affectedRows
        }
        try db.execute("RESET ROLE")
        XCTAssertGreaterThan(changed, 0)
        let names = TrailNames(spec: spec)
        XCTAssertEqual(try db.query("SELECT count(*) FROM \(names.table) WHERE tenant_id = $1 AND table_name = 'raw.users' AND acting_role = 'analytics_app' AND old ? 'email' AND new ? 'email'",
                                    [tenant]).scalar, String(changed))
        let report = try Verifier(spec: spec, conninfo: try TestServer.shared.connectionString(database: database)).run()
        for id in ["trail-chain", "trail-write-refused", "trail-records-change", "trail-other-tenant-read"] {
            let checks = report.checks.filter { $0.id == id }
            XCTAssertFalse(checks.isEmpty, id)
            for check in checks where check.status != .passed { XCTFail("\(id) as \(check.role) (\(check.tenant)): expected \(check.expected), got \(check.actual)") }
        }
    }
}
