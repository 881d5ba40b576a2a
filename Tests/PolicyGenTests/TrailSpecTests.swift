import Foundation
import PolicyGen
import XCTest

/// `audit_trail:`: what a spec may say (top level and per table), each mistake at its line and column, and the SQL
/// the trail is made of.
final class TrailSpecTests: XCTestCase {
    func spec(top: String = "", orders: String = "", tenancy: String = "") -> String {
        """
        tenancy: {column: tenant_id, type: bigint\(tenancy)}
        roles: {owner: o, app: a, admin: adm}
        tables:
          - name: tenants
            isolation: self
            key: id
            columns: {id: bigint, name: text}
            primary_key: [id]
          - name: orders
            isolation: tenant
            columns: {tenant_id: bigint, id: bigint, status: text, amount: numeric, card_token: text}
            primary_key: [tenant_id, id]
        \(orders.isEmpty ? "" : "    audit_trail: " + orders)
          - name: plans
            isolation: shared
            columns: {code: text}
        \(top)
        """
    }

    func errors(_ text: String) -> [String] {
        do { _ = try SpecLoader.load([("t.yaml", text)]); return [] } catch let errors as SpecErrors {
            return errors.diagnostics.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? "?") \($0.message)" }
        } catch { return ["\(error)"] }
    }

    func testTopLevelTablesAllTrailsEveryTenantTableButTheExcludedColumns() throws {
        let loaded = try SpecLoader.load([("t.yaml", spec(top: "audit_trail: {tables: all, exclude: [card_token]}"))])
        XCTAssertEqual(loaded.trailedTables.map(\.qualifiedName), ["public.tenants", "public.orders"])
        XCTAssertEqual(loaded.trailColumns(loaded.tables[1]), ["tenant_id", "id", "status", "amount"])
        XCTAssertNil(loaded.trailColumns(loaded.tables[2]), "a shared table has no trail")
        XCTAssertEqual(loaded.trailRole, "o_trail")
        XCTAssertEqual(loaded.trailSchema, "tenantwall_trail")
    }

    func testATableNamesItsColumnsOrLeavesItselfOut() throws {
        let named = try SpecLoader.load([("t.yaml", spec(orders: "{columns: [status, amount]}"))])
        XCTAssertEqual(named.trailedTables.map(\.qualifiedName), ["public.orders"])
        XCTAssertEqual(named.trailColumns(named.tables[1]), ["status", "amount"])
        let out = try SpecLoader.load([("t.yaml", spec(top: "audit_trail: {tables: all}", orders: "false"))])
        XCTAssertEqual(out.trailedTables.map(\.qualifiedName), ["public.tenants"])
        let all = try SpecLoader.load([("t.yaml", spec(orders: "true"))])
        XCTAssertEqual(all.trailColumns(all.tables[1]), ["tenant_id", "id", "status", "amount", "card_token"])
        XCTAssertFalse(try SpecLoader.load([("t.yaml", spec())]).hasTrail)
    }

    func testMistakesAreReportedAtTheirLine() {
        XCTAssertEqual(errors(spec(orders: "{columns: [stauts]}")), ["13:5 audit_trail column 'stauts' is not a column of 'public.orders'; did you mean 'status'?"])
        XCTAssertEqual(errors(spec(orders: "{columns: [card_token], exclude: [card_token]}")),
                       ["13:5 audit_trail column 'card_token' of 'public.orders' is also excluded; a column is either written or never written"])
        XCTAssertEqual(errors(spec(orders: "{colums: [status]}")), ["13:19 unknown key 'colums' in audit_trail; did you mean 'columns'?"])
        XCTAssertEqual(errors(spec(top: "audit_trail: {tables: some}")), ["17:1 audit_trail names no table: say 'tables: all', or give a table its own 'audit_trail'",
                                                                            "17:23 audit_trail.tables must be one of all, not 'some'"])
        XCTAssertEqual(errors(spec(top: "audit_trail: {exclude: [status]}")), ["17:1 audit_trail names no table: say 'tables: all', or give a table its own 'audit_trail'"])
        XCTAssertEqual(errors(spec(top: "audit_trail: {exclude: [card_token]}", orders: "true")), [], "the top level's exclude for a table's own trail")
        XCTAssertEqual(errors(spec(top: "audit_trail: {tables: all, exclude: [pin]}")), ["17:1 audit_trail.exclude names column 'pin', which no table has"])
        XCTAssertEqual(errors(spec(top: "audit_trail: {tables: all, role: a}")),
                       ["17:1 audit_trail.role 'a' must be a role of its own, not one the spec already names (the trail's owner may change it)"])
        let shared = spec().replacingOccurrences(of: "    columns: {code: text}", with: "    columns: {code: text}\n    audit_trail: true")
        XCTAssertEqual(errors(shared), ["17:5 audit_trail on 'public.plans': only tables whose rows belong to a tenant (isolation tenant or self) have a trail"])
    }

    /// On Citus the trail is distributed by the tenant column (its key then leads with it, as Citus requires),
    /// and the triggers are created with `citus.enable_unsafe_triggers` for the applying transaction alone.
    func testCitusDistributesTheTrail() throws {
        XCTAssertEqual(errors(spec(top: "audit_trail: {tables: all}", tenancy: ", distribution: citus")), [])
        let loaded = try SpecLoader.load([("t.yaml", spec(top: "audit_trail: {tables: all}", tenancy: ", distribution: citus"))])
        let sql = Generator(spec: loaded).script()
        let distribute = try XCTUnwrap(sql.range(of: "PERFORM create_distributed_table('\"tenantwall_trail\".\"change_trail\"', 'tenant_id', colocate_with => 'default');"), sql)
        let unsafe = try XCTUnwrap(sql.range(of: "\nSET LOCAL citus.enable_unsafe_triggers = on;\n"))
        let firstTrigger = try XCTUnwrap(sql.range(of: "CREATE TRIGGER tw_trail_append_only"))
        XCTAssertTrue(distribute.lowerBound < unsafe.lowerBound && unsafe.lowerBound < firstTrigger.lowerBound, "distributed, then the setting, then the triggers")
        XCTAssertTrue(sql.contains("id bigint GENERATED ALWAYS AS IDENTITY,\n"), sql)
        XCTAssertTrue(sql.contains("PRIMARY KEY (\"tenant_id\", id)"), sql)
        let single = Generator(spec: try SpecLoader.load([("t.yaml", spec(top: "audit_trail: {tables: all}"))])).script()
        XCTAssertFalse(single.contains("enable_unsafe_triggers") || single.contains("create_distributed_table"), "nothing of Citus on one server")
        XCTAssertTrue(single.contains("id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"))
    }

    func testTheGeneratedTrail() throws {
        let loaded = try SpecLoader.load([("t.yaml", spec(top: "audit_trail: {tables: all, exclude: [card_token]}"))])
        let sql = Generator(spec: loaded).script()
        for expected in [
            "EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN NOBYPASSRLS', 'o_trail')",
            #"CREATE SCHEMA IF NOT EXISTS "tenantwall_trail" AUTHORIZATION "o_trail""#,
            #"CREATE TABLE IF NOT EXISTS "tenantwall_trail"."change_trail" ("#,
            #"ALTER TABLE "tenantwall_trail"."change_trail" OWNER TO "o_trail""#,
            #"REVOKE ALL ON TABLE "tenantwall_trail"."change_trail" FROM PUBLIC, "o", "a", "adm""#,
            #"GRANT SELECT ON TABLE "tenantwall_trail"."change_trail" TO "a", "adm""#,
            #"ALTER TABLE "tenantwall_trail"."change_trail" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY"#,
            // The tenant tables' own SELECT predicate and admin mode, through PolicyStatements.
            #"CREATE POLICY "tw_tenant_select" ON "tenantwall_trail"."change_trail" AS PERMISSIVE FOR SELECT TO "a", "adm""#,
            #"USING ("tenant_id" = (SELECT "tenantwall"."current_tenant_id"()))"#,
            #"CREATE POLICY "tw_admin_select" ON "tenantwall_trail"."change_trail" AS PERMISSIVE FOR SELECT TO "adm""#,
            #"CREATE POLICY "tw_trail_append" ON "tenantwall_trail"."change_trail" AS PERMISSIVE FOR ALL TO "o_trail""#,
            "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp",
            "PERFORM pg_catalog.pg_advisory_xact_lock(1954014068, pg_catalog.hashtext(v_tenant::text));",
            #"CREATE TRIGGER tw_trail_append_only BEFORE UPDATE OR DELETE ON "tenantwall_trail"."change_trail" FOR EACH ROW"#,
            #"CREATE TRIGGER tw_trail_no_truncate BEFORE TRUNCATE ON "tenantwall_trail"."change_trail" FOR EACH STATEMENT"#,
            #"CREATE TRIGGER "tw_change_trail" AFTER INSERT OR UPDATE OR DELETE ON "public"."orders""#,
            #"FOR EACH ROW EXECUTE FUNCTION "tenantwall_trail"."change_trail_append"('public.orders', 'tenant_id', '2', 'tenant_id', 'id', 'tenant_id', 'id', 'status', 'amount')"#,
            #"FOR EACH ROW EXECUTE FUNCTION "tenantwall_trail"."change_trail_append"('public.tenants', 'id', '1', 'id', 'id', 'name')"#,
            #"DROP TRIGGER IF EXISTS "tw_change_trail" ON "public"."plans""#,
        ] {
            XCTAssertTrue(sql.contains(expected), expected)
        }
        XCTAssertFalse(sql.contains("card_token'"), "an excluded column is never an argument of the trigger")
        XCTAssertFalse(sql.contains(#"CREATE POLICY "tw_owner_all" ON "tenantwall_trail""#), "the table owner gets no policy on the trail")
        XCTAssertFalse(Generator(spec: try SpecLoader.load([("t.yaml", spec())])).script().contains("change_trail"), "no trail, no trail SQL")
    }
}
