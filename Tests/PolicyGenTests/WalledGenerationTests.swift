import Catalog
import Foundation
import PolicyGen
import XCTest

/// The walled form as generated (issue #25): the storage carries no RLS and no grant, the table's name and each
/// continuous aggregate are read through walls built by the one predicate builder, a rollup over a walled table
/// reads the storage, and plan's fingerprints cover the walled objects.
final class WalledGenerationTests: XCTestCase {
    func spec(missingContext: String = "empty", restrict: String = "", rollup: Bool = false) throws -> Spec {
        try SpecLoader.load([("w.yaml", """
            tenancy: {column: tenant_id, type: uuid, setting: app.current_tenant_id, missing_context: \(missingContext)}
            roles: {owner: o, app: a, admin: adm, readonly: [r]}
            tables:
              - name: metrics
                isolation: tenant
                columns: {tenant_id: uuid, time: {type: timestamptz, not_null: true}, host: text, value: numeric, deleted: boolean}
                \(restrict.isEmpty ? "" : "restrict: \"\(restrict)\"")
                grants: {a: [select, insert, update, delete], r: [select], adm: [select]}
                hypertable:
                  time_column: time
                  compression: {after: 3 days, order_by: time DESC NULLS LAST}
                  continuous_aggregates:
                    - {name: metrics_hourly, bucket: 1 hour, group_by: [host], aggregates: {total: sum(value)}, refresh: {start_offset: 1 day, end_offset: 1 hour, every: 1 hour}}
            """ + (rollup ? "\nrollups:\n  - {name: per_host, source: public.metrics, group_by: {host: host}, aggregates: {n: count(*)}}" : ""))])
    }

    func testTheStorageIsWalledAndTheNameIsAViewWithACheckOption() throws {
        let sql = Generator(spec: try spec()).script()
        XCTAssertTrue(sql.contains(#"CREATE TABLE IF NOT EXISTS "tenantwall_walled"."metrics" ("#), sql)
        XCTAssertFalse(sql.contains(#"CREATE POLICY "tw_tenant_select" ON "tenantwall_walled"."metrics""#))
        XCTAssertFalse(sql.contains(#"ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY"#) && sql.contains(#"ALTER TABLE "public"."metrics" ENABLE"#))
        XCTAssertTrue(sql.contains(#"REVOKE ALL ON TABLE "tenantwall_walled"."metrics" FROM PUBLIC, "a", "adm", "r""#))
        XCTAssertTrue(sql.contains(#"REVOKE ALL ON SCHEMA "tenantwall_walled" FROM PUBLIC, "a", "adm", "r""#))
        XCTAssertTrue(sql.contains("""
            CREATE OR REPLACE VIEW "public"."metrics" WITH (security_barrier) AS
                SELECT "tenant_id", "time", "host", "value", "deleted"
                FROM "tenantwall_walled"."metrics"
                WHERE "tenant_id" = (SELECT "tenantwall"."current_tenant_id"()) OR (SELECT CASE WHEN pg_catalog.pg_has_role(CURRENT_USER, 'adm', 'USAGE') THEN "tenantwall"."admin_mode_enabled"() ELSE false END)
                WITH CASCADED CHECK OPTION
            """), sql)
        XCTAssertTrue(sql.contains(#"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "public"."metrics" TO "a""#), "DELETE on the wall: the storage grants nothing for a chunk to copy")
        XCTAssertTrue(sql.contains(#"GRANT SELECT ON TABLE "public"."metrics_hourly" TO "a", "r", "adm""#))
        XCTAssertTrue(sql.contains(#"timescaledb.compress_orderby = '"time" DESC NULLS LAST'"#), sql)
        XCTAssertTrue(sql.contains(#"PERFORM add_compression_policy('"tenantwall_walled"."metrics"'::regclass, INTERVAL '3 days')"#))
        XCTAssertTrue(sql.contains(#"SELECT "tenantwall"."revoke_direct_grants"(c) FROM show_chunks('"tenantwall_walled"."metrics"'::regclass) AS c"#))
        XCTAssertFalse(sql.contains("SELECT add_job("), "secure_chunks_job is the RLS hypertables' safety net only")
        XCTAssertTrue(sql.contains("refresh_continuous_aggregate cannot run in a transaction"), "the first fill is the policy's, and the file says so")
        // The walls come after the grants, the storage's RLS goes before its compression settings.
        let order = ["-- Tables", "NO FORCE ROW LEVEL SECURITY, DISABLE", "timescaledb.compress,", "-- Grants", "-- Walls", "CREATE OR REPLACE VIEW \"public\".\"metrics\""]
        let positions = order.map { sql.range(of: $0)?.lowerBound }
        XCTAssertFalse(positions.contains(nil), "\(order)")
        XCTAssertEqual(positions.compactMap { $0 }, positions.compactMap { $0 }.sorted())
        XCTAssertEqual(sql, Generator(spec: try spec()).script(), "deterministic")
    }

    func testOnePredicateForEveryWall() throws {
        let sql = Generator(spec: try spec(missingContext: "error", restrict: "NOT deleted", rollup: true)).script()
        let reader = #""tenant_id" = (SELECT "tenantwall"."required_tenant_id"('public.metrics'))"#
        XCTAssertTrue(sql.contains("WHERE (" + reader + " OR (SELECT CASE"), "the table's wall: the policies' reader, then its restrict")
        XCTAssertTrue(sql.contains("ELSE false END)) AND (NOT deleted)\n    WITH CASCADED CHECK OPTION"), sql)
        XCTAssertTrue(sql.contains("FROM \"tenantwall_walled\".\"metrics_hourly\"\n    WHERE " + reader + " OR (SELECT CASE"), "the aggregate's wall: no restrict (its columns need not be the aggregate's)")
        XCTAssertTrue(sql.contains("FROM \"tenantwall_walled\".\"metrics\"\n    GROUP BY 1, 2"), "a rollup over a walled table reads the storage")
        XCTAssertTrue(sql.contains(#"WHERE "tenant_id" = (SELECT "tenantwall"."current_tenant_id"()) OR (SELECT CASE WHEN pg_catalog.pg_has_role(CURRENT_USER, 'adm', 'USAGE')"#),
                      "a rollup's wall keeps its reader")
    }

    func testCompressionSettingsAreComparedAsTimescaleDBPrintsThem() throws {
        let sql = Generator(spec: try spec()).script()
        XCTAssertTrue(sql.contains("s.segmentby IS NOT DISTINCT FROM 'tenant_id'"), sql)
        XCTAssertTrue(sql.contains("unnest(ARRAY['time']::text[], ARRAY[' DESC NULLS LAST']::text[])"), sql)
        XCTAssertTrue(sql.contains("USING HINT = 'compressed chunks keep the settings they were compressed with"), "a refused change says what to do")
    }

    /// The walled objects' fingerprints: a grant on the storage, a changed wall view and changed compression
    /// settings each change a key, so plan shows them as drift.
    func testFingerprintsCoverTheWalledObjects() throws {
        let spec = try spec()
        func catalog(storageACL: String = "{o=arwdDxt/o}", wallWhere: String = "tenant_id = ( SELECT tenantwall.current_tenant_id())",
                     compression: String = "compression=true segmentby=tenant_id orderby=\"time\" DESC NULLS LAST") -> DatabaseCatalog {
            let storage: [String: String?] = ["oid": "1", "schema": "tenantwall_walled", "name": "metrics", "kind": "r", "rls": "false", "forced": "false", "owner": "o",
                                              "columns": "{tenant_id,time}", "column_types": "{uuid,timestamptz}", "not_null": "{t,t}", "acl": storageACL,
                                              "grants": storageACL == "{o=arwdDxt/o}" ? "{o:SELECT}" : "{o:SELECT,a:SELECT}"]
            let view: [String: String?] = ["oid": "2", "schema": "public", "name": "metrics", "kind": "v", "rls": "false", "forced": "false", "owner": "o",
                                           "columns": "{tenant_id,time}", "options": "{security_barrier=true,check_option=cascaded}", "acl": "{o=arwdDxt/o,a=arwd/o}",
                                           "definition": " SELECT tenant_id, time FROM tenantwall_walled.metrics WHERE " + wallWhere + ";"]
            var c = CatalogQueries.catalog([[storage, view], [], [], [], [], [], [], [], [], [], [], [], []])
            c.timescaleSettings["tenantwall_walled.metrics"] = [compression]
            return c
        }
        let base = CatalogSnapshot(catalog: catalog(), spec: spec).objects
        XCTAssertTrue(base["table public.metrics"]?.hasPrefix("storage tenantwall_walled.metrics: r owner=o") == true, "\(base)")
        XCTAssertEqual(base["row security public.metrics"], "enabled=false forced=false")
        XCTAssertTrue(base["wall public.metrics"]?.contains("security_barrier=true") == true)
        func changed(_ other: DatabaseCatalog) -> [String] {
            let objects = CatalogSnapshot(catalog: other, spec: spec).objects
            return Set(base.keys).union(objects.keys).filter { base[$0] != objects[$0] }.sorted()
        }
        XCTAssertEqual(changed(catalog(storageACL: "{o=arwdDxt/o,a=r/o}")), ["grants public.metrics"])
        XCTAssertEqual(changed(catalog(wallWhere: "true")), ["wall public.metrics"])
        XCTAssertEqual(changed(catalog(compression: "compression=true segmentby=host orderby=\"time\" DESC")), ["time series public.metrics"])
    }
}
