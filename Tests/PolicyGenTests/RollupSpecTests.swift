import Foundation
import PolicyGen
import XCTest

/// Rollups: what a spec may put in a rollup (the refresh reads every tenant's rows as the owner, so nothing
/// may carry another tenant's rows into a tenant's row), and the SQL that walls them.
final class RollupSpecTests: XCTestCase {
    func spec(ownerAccess: String = "all", rollup: String) -> String {
        """
        roles: {owner: o, app: a, admin: adm, owner_access: \(ownerAccess)}
        tables:
          - name: events
            isolation: tenant
            columns: {tenant_id: uuid, at: timestamptz, kind: text, amount: numeric}
          - name: plans
            isolation: shared
            columns: {code: text}
        rollups:
          - name: summary
        \(rollup.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        """
    }

    func errors(_ text: String) -> [String] {
        do { _ = try SpecLoader.load([("r.yaml", text)]); return [] } catch let errors as SpecErrors {
            return errors.diagnostics.map(\.message)
        } catch { return ["\(error)"] }
    }

    func testAWellFormedRollupLoads() throws {
        let text = spec(rollup: "source: events\ngroup_by: {day: \"date_trunc('day', at)\", kind: kind}\naggregates: {n: count(*), total: sum(amount)}")
        XCTAssertEqual(errors(text), [])
        let loaded = try SpecLoader.load([("r.yaml", text)])
        XCTAssertEqual(loaded.rollups.first?.groupBy.map(\.name), ["day", "kind"])
        XCTAssertEqual(loaded.rollups.first?.qualifiedName, "public.summary")
        let sql = Generator(spec: loaded).script()
        XCTAssertTrue(sql.contains(#"CREATE OR REPLACE VIEW "public"."summary" WITH (security_barrier) AS"#), sql)
        XCTAssertTrue(sql.contains(#"WHERE "tenant_id" = (SELECT "tenantwall"."current_tenant_id"()) OR (SELECT CASE WHEN pg_catalog.pg_has_role(CURRENT_USER, 'adm', 'USAGE') THEN "tenantwall"."admin_mode_enabled"() ELSE false END)"#), sql)
        XCTAssertTrue(sql.contains(#"CREATE MATERIALIZED VIEW "tenantwall_rollups"."summary" AS"#), sql)
        XCTAssertTrue(sql.contains(#"REVOKE ALL ON SCHEMA "tenantwall_rollups" FROM PUBLIC, "a", "adm""#), sql)
        XCTAssertTrue(sql.contains(#"GRANT EXECUTE ON FUNCTION "tenantwall"."refresh_rollups"() TO "o", "adm""#), sql)
        XCTAssertTrue(sql.contains("SECURITY DEFINER SET search_path = pg_catalog, pg_temp"), sql)
    }

    /// Each way of reading rows outside the group, or of naming what is not there, is refused.
    func testWhatCouldCarryAnotherTenantsRowsIsRefused() {
        let cases: [(String, String)] = [
            ("aggregates: {n: \"(SELECT count(*) FROM events)\"}", "sub-select"),
            ("aggregates: {n: \"count(*) + (SELECT 1)\"}", "sub-select"),
            ("aggregates: {n: \"sum(amount) OVER ()\"}", "window"),
            ("aggregates: {n: \"public.my_total(amount)\"}", "not one of the built-ins"),
            ("aggregates: {n: \"pg_read_file('x')\"}", "not one of the built-ins"),
            ("aggregates: {n: \"count(e.kind)\"}", "unqualified"),
            ("aggregates: {n: \"count(*); DROP TABLE events\"}", "';'"),
            ("aggregates: {n: \"amount\"}", "calls no aggregate"),
            ("aggregates: {n: \"sum(amout)\"}", "did you mean 'amount'"),
            ("group_by: {tenant_id: tenant_id}\naggregates: {n: count(*)}", "tenant column"),
            ("group_by: {k: \"count(*)\"}\naggregates: {n: count(*)}", "calls an aggregate"),
            ("group_by: [kind]\naggregates: {kind: count(*)}", "named twice"),
        ]
        for (body, expected) in cases {
            let found = errors(spec(rollup: "source: events\n" + body))
            XCTAssertTrue(found.contains { $0.contains(expected) }, "\(body): \(found)")
        }
        XCTAssertTrue(errors(spec(rollup: "source: plans\naggregates: {n: count(*)}")).contains { $0.contains("isolation 'shared'") })
        XCTAssertTrue(errors(spec(rollup: "source: evnts\naggregates: {n: count(*)}")).contains { $0.contains("did you mean 'events'") })
        XCTAssertTrue(errors(spec(ownerAccess: "none", rollup: "source: events\naggregates: {n: count(*)}")).contains { $0.contains("owner_access") })
        XCTAssertTrue(errors(spec(rollup: "source: events\nschema: public\naggregates: {n: count(*)}").replacingOccurrences(of: "name: summary", with: "name: events"))
                        .contains { $0.contains("is a table of the spec") })
    }
}
