import Catalog
import Foundation
import PolicyGen
import XCTest

/// Plan's fingerprints are a pure function of (catalog, spec): a catalog written by hand, as the catalog queries'
/// rows, gives the texts the planner compares, with no server (CatalogSnapshotEquivalenceTests proves the same
/// texts equal the old server-side rendering on real databases).
final class CatalogSnapshotTests: XCTestCase {
    let spec = """
        tenancy: {column: tenant_id, type: uuid, setting: app.current_tenant_id}
        roles: {owner: app_owner, app: app_rw, admin: app_admin}
        legacy_functions:
          - {function: public.set_tenant(int), action: keep}
          - {function: public.gone(uuid), action: keep}
        tables:
          - name: events
            schema: raw
            isolation: tenant
            columns: {tenant_id: uuid, id: bigint}
          - name: missing
            schema: raw
            isolation: tenant
            columns: {tenant_id: uuid}
        """

    func catalog() -> DatabaseCatalog {
        let events: [String: String?] = [
            "oid": "1", "schema": "raw", "name": "events", "kind": "p", "rls": "true", "forced": "false", "owner": "app_owner",
            "columns": "{tenant_id,id}", "column_types": "{uuid,bigint}", "not_null": "{t,f}",
            "grants": "{app_owner:SELECT,PUBLIC:SELECT,app_rw:SELECT,app_rw:INSERT}", "acl": "{app_owner=arwdDxt/app_owner,=r/app_owner,app_rw=ar/app_owner}",
        ]
        let partition: [String: String?] = ["oid": "2", "schema": "raw", "name": "events_2026", "kind": "r", "rls": "true", "forced": "true",
                                            "owner": "app_owner", "parents": "{raw.events}", "is_partition": "true", "columns": "{tenant_id,id}"]
        let policy: [String: String?] = ["table": "raw.events", "name": "tw_tenant", "permissive": "true", "command": "r", "roles": "{app_rw,app_admin}",
                                         "using": "(tenant_id = tenantwall.current_tenant_id())", "check": nil]
        let roles: [[String: String?]] = [
            ["name": "app_rw", "superuser": "false", "bypassrls": "false", "login": "true", "connection_limit": "10", "member_of": "{app_admin}"],
            ["name": "app_admin", "superuser": "false", "bypassrls": "false", "login": "false", "connection_limit": "-1"],
            ["name": "stranger", "superuser": "true", "bypassrls": "true", "login": "true", "connection_limit": "-1"],
        ]
        let index: [String: String?] = ["table": "raw.events", "name": "events_tenant_id_idx", "columns": "{tenant_id}", "shape": "",
                                        "definition": "CREATE INDEX events_tenant_id_idx ON ONLY raw.events USING btree (tenant_id)", "valid": "false"]
        let function: [String: String?] = ["schema": "public", "name": "set_tenant", "argument_types": "{integer}", "identity": "set_tenant(integer)",
                                           "definition": "CREATE OR REPLACE FUNCTION public.set_tenant(integer)", "acl": nil]
        let columnGrant: [String: String?] = ["table": "raw.events", "grantee": "app_rw:UPDATE", "columns": "{id,tenant_id}"]
        return CatalogQueries.catalog([[events, partition], [policy], roles, [function], [], [], [index], [], [],
                                       [["name": "raw", "owner": "app_owner", "acl": nil]], [], [columnGrant], []])
    }

    func testFingerprintsComeFromTheCatalogAlone() throws {
        let spec = try SpecLoader.load([("spec.yaml", spec)])
        let objects = CatalogSnapshot(catalog: catalog(), spec: spec).objects
        XCTAssertEqual(objects["table raw.events"], "p owner=app_owner\ntenant_id uuid not null\nid bigint")
        XCTAssertEqual(objects["row security raw.events"], "enabled=true forced=false")
        XCTAssertEqual(objects["policies raw.events"],
                       "tw_tenant permissive=t cmd=r roles=app_admin,app_rw using=(tenant_id = tenantwall.current_tenant_id()) check=")
        // The owner's own privileges are not a grant; column privileges follow, each grantee with its columns.
        XCTAssertEqual(objects["grants raw.events"], "PUBLIC:SELECT\napp_rw:INSERT\napp_rw:SELECT\ncolumns app_rw:UPDATE(id tenant_id)")
        XCTAssertEqual(objects["index events_tenant_id_idx on raw.events"], "CREATE INDEX events_tenant_id_idx ON ONLY raw.events USING btree (tenant_id) (INVALID)")
        XCTAssertEqual(objects["time series raw.events"], "events_2026 rls=t force=t acl=")
        XCTAssertEqual(objects["time series raw.events_2026"], nil, "not a spec table")
        XCTAssertNil(objects["table raw.missing"], "a table the database lacks has no fingerprint: plan shows it missing")
        XCTAssertEqual(objects["schema raw"], "owner=app_owner acl=")
        XCTAssertEqual(objects["roles"], "app_admin super=f bypassrls=f login=f connlimit=-1 admin=true\napp_rw super=f bypassrls=f login=t connlimit=10 admin=true")
        XCTAssertEqual(objects["legacy function public.set_tenant(int)"], "CREATE OR REPLACE FUNCTION public.set_tenant(integer)\nacl=", "int is integer")
        XCTAssertEqual(objects["legacy function public.gone(uuid)"], "missing")
        XCTAssertEqual(objects["helper functions"], "\nlog: missing")
        XCTAssertNil(objects["partition guard"])
    }
}
