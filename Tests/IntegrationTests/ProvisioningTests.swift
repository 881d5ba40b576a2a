import Deploy
import Foundation
import Postgres
import Tenantwall
import XCTest

/// `tenantwall tenant add|list|remove`: removing without the data flag leaves every row; with it, exactly
/// the tenant's rows go, counted per table; every change is recorded.
final class ProvisioningTests: XCTestCase {
    func testAddListRemoveKeepsOrDeletesExactlyTheTenantsRows() throws {
        let (name, db) = try TestServer.freshDatabase("provision")
        let url = TestServer.shared.connectionString(database: name)
        let spec = ["--spec", "policies/workflow-platform", "--database", url]
        try LiveDatabase(connection: db).apply(try SpecFiles.load([TestServer.path("policies/workflow-platform")]))
        for id in ["1", "2"] {
            let add = try TenantwallProcess.run(["tenant", "add", "--id", id, "--set", "slug=t\(id)"] + spec)
            XCTAssertEqual(add.status, 0, add.stderr)
        }
        let missing = try TenantwallProcess.run(["tenant", "add", "--id", "3"] + spec)
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("slug"), missing.stderr)
        try db.execute("""
            INSERT INTO public.workflows (tenant_id, name, definition) VALUES (1, 'a', '{}'), (1, 'b', '{}'), (2, 'c', '{}');
            INSERT INTO public.executions (tenant_id, workflow_id) VALUES (1, 1), (2, 3);
            """)
        let list = try TenantwallProcess.run(["tenant", "list", "--format", "json"] + spec)
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [Any])?.count, 2)

        XCTAssertEqual(try TenantwallProcess.run(["tenant", "remove", "--id", "1"] + spec).status, 0)
        XCTAssertEqual(try db.query("SELECT count(*) FROM public.workflows WHERE tenant_id = 1").scalar, "2", "no data flag: rows stay")

        let removal = try TenantwallProcess.run(["tenant", "remove", "--id", "1", "--delete-data", "--format", "json"] + spec)
        XCTAssertEqual(removal.status, 0, removal.stderr)
        let rows = (try JSONSerialization.jsonObject(with: Data(removal.stdout.utf8)) as? [String: Any])?["rows"] as? [String: Int]
        XCTAssertEqual(rows?["public.workflows"], 2)
        XCTAssertEqual(rows?["public.executions"], 1)
        XCTAssertEqual(rows?["public.tenants"], 1)
        XCTAssertEqual(try db.query("SELECT count(*) FROM public.workflows").scalar, "1", "tenant 2's row is untouched")
        XCTAssertEqual(try db.query("SELECT string_agg(action, ',' ORDER BY id) FROM tenantwall.tenant_events").scalar, "add,add,remove,remove-with-data")

        // A tenant that is nowhere: an error, nothing changed, no event.
        let unknown = try TenantwallProcess.run(["tenant", "remove", "--id", "99", "--delete-data"] + spec)
        XCTAssertEqual(unknown.status, 2, unknown.stdout)
        XCTAssertTrue(unknown.stderr.contains("tenant 99 does not exist"), unknown.stderr)
        XCTAssertFalse(unknown.stdout.contains("removed"), unknown.stdout)
        XCTAssertEqual(try db.query("SELECT count(*) FROM tenantwall.tenant_events WHERE tenant = '99'").scalar, "0")
    }
}
