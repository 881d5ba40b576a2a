import Deploy
import Foundation
import Identity
import Lifecycle
import PolicyGen
import Postgres
import Quoting
import Tenantwall
import Verification
import XCTest

/// The `role` binding: each tenant logs in as its own role; the database, not the application, decides
/// the tenant.
final class RoleBindingTests: XCTestCase {
    func testTenantRolesSeeOnlyTheirTenantAndCannotBecomeAnother() throws {
        var spec = try SpecFiles.load([TestServer.path("policies/workflow-platform")])
        spec.tenancy.binding = .role
        spec.tenancy.tenantRolePrefix = "rb\(getpid())_"
        let (name, db) = try TestServer.freshDatabase("rolebind")
        try LiveDatabase(connection: db).apply(spec)
        XCTAssertTrue(try LiveDatabase(connection: db).plan(spec).isEmpty)
        let provisioning = Provisioning(spec: spec, connection: db)
        for id in ["1", "2", "3"] { try provisioning.add(id: id, values: ["slug": "t\(id)"]) }
        try db.execute("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'a', '{}'), (1, 'b', '{}'), (2, 'c', '{}'), (3, 'd', '{}')")
        let role = { (id: String) in provisioning.tenantRole(id) }

        // Three tenant roles log in at once, each on its own connection.
        let lock = NSLock()
        var seen: [String: String] = [:]
        var failures: [String] = []
        DispatchQueue.concurrentPerform(iterations: 3) { i in
            let id = String(i + 1)
            do {
                let connection = try Connection(TestServer.shared.connectionString(database: name, user: role(id)))
                let rows = try connection.query("SELECT string_agg(DISTINCT tenant_id::text, ',') || ':' || count(*) FROM public.workflows").scalar ?? "none"
                lock.lock(); seen[id] = rows; lock.unlock()
            } catch {
                lock.lock(); failures.append("\(id): \(error)"); lock.unlock()
            }
        }
        XCTAssertEqual(failures, [])
        XCTAssertEqual(seen, ["1": "1:2", "2": "2:1", "3": "3:1"])

        let tenant1 = try Connection(TestServer.shared.connectionString(database: name, user: role("1")))
        XCTAssertThrowsError(try tenant1.execute("SET ROLE \(SQL.ident(role("2")))"), "not a member of another tenant's role") {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42501", "\($0)")
        }
        XCTAssertThrowsError(try tenant1.query("UPDATE tenantwall.tenant_roles SET tenant = 2"), "the mapping is read-only") {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42501", "\($0)")
        }
        XCTAssertEqual(try tenant1.query("SELECT count(*) FROM tenantwall.tenant_roles").scalar, "1", "only its own mapping row")
        XCTAssertThrowsError(try tenant1.execute("INSERT INTO public.workflows (tenant_id, name, definition) VALUES (2, 'x', '{}')")) {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42501", "row-level security refuses another tenant's row: \($0)")
        }
        try tenant1.query("SELECT set_config('app.current_tenant_id', '2', false)")
        XCTAssertEqual(try tenant1.query("SELECT count(*) FROM public.workflows WHERE tenant_id = 2").scalar, "0", "typing the setting binds nothing")
        try tenant1.execute("SET ROLE wf_app")
        XCTAssertEqual(try tenant1.query("SELECT count(*) FROM public.workflows").scalar, "0", "as the bare app role: no tenant")

        let report = try Verifier(spec: spec, conninfo: TestServer.shared.connectionString(database: name)).run()
        XCTAssertEqual(report.failed.map { "\($0.table) \($0.id) \($0.actual)" }, [])
        XCTAssertGreaterThan(report.checks.count, 100)

        _ = try TenantErasure(spec: spec, connection: db).run(tenant: "3", dryRun: false)
        XCTAssertEqual(try db.query("SELECT count(*) FROM pg_roles WHERE rolname = $1", [role("3")]).scalar, "0", "the tenant's role is gone")
        for id in ["1", "2"] { _ = try provisioning.remove(id: id) }
        XCTAssertEqual(try db.query("SELECT count(*) FROM public.workflows WHERE tenant_id IN (1, 2)").scalar, "3", "data kept without the flag")
    }
}
