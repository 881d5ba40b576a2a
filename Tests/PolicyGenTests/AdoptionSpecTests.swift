import Foundation
import PolicyGen
import XCTest

/// The spec keys an existing database needs: no admin role, the owner's own access, the database's own
/// setters, types of its own, and a tenants table the application signs tenants up into.
final class AdoptionSpecTests: XCTestCase {
    let adopted = """
        tenancy: {column: tenant_id, type: uuid, setting: app.current_tenant_id}
        roles:
          owner: analytics_owner
          app: analytics_app
          owner_access: all
        legacy_functions:
          - {function: public.set_tenant_context(uuid), action: replace}
          - {function: public.enable_admin_mode(), action: revoke}
        tables:
          - name: tenants
            schema: raw
            isolation: self
            columns: {id: uuid, name: text}
            primary_key: [id]
            grants: {analytics_app: [select, insert]}
          - name: events
            schema: raw
            isolation: tenant
            columns: {tenant_id: uuid, id: bigint, kind: raw.event_kind, amount: raw.amount}
            grants: {analytics_app: [select, insert]}
        """

    func load(_ text: String) throws -> Spec { try SpecLoader.load([("adopt.yaml", text)]) }

    func messages(_ text: String) -> [String] {
        do { _ = try load(text); return [] } catch let errors as SpecErrors { return errors.diagnostics.map { "\($0.location?.line ?? 0): \($0.message)" } } catch { return ["\(error)"] }
    }

    func testAnAdoptedDatabasesSpecLoadsAndGeneratesWhatItSays() throws {
        let spec = try load(adopted)
        XCTAssertEqual(spec.roles.admin, "")
        XCTAssertEqual(spec.roles.accessRoles, ["analytics_app"])
        XCTAssertEqual(spec.roles.ownerAccess, .all)
        XCTAssertEqual(spec.legacyFunctions.map(\.action), [.replace, .revoke])
        let sql = Generator(spec: spec).script()
        XCTAssertFalse(sql.contains("enable_admin_mode\"(text) TO"), "no admin role: nobody may enable admin mode")
        XCTAssertFalse(sql.contains("tw_admin_"), "no admin policies without an admin role")
        XCTAssertTrue(sql.contains("CREATE POLICY \"tw_owner_all\" ON \"raw\".\"events\" AS PERMISSIVE FOR ALL TO \"analytics_owner\"\n    USING (true)\n    WITH CHECK (true)"), sql)
        XCTAssertTrue(sql.contains("CREATE POLICY \"tw_tenant_insert\" ON \"raw\".\"tenants\" AS PERMISSIVE FOR INSERT TO \"analytics_app\"\n    WITH CHECK (\"id\" = (SELECT \"tenantwall\".\"current_tenant_id\"()))"), sql)
        XCTAssertTrue(sql.contains("\"kind\" raw.event_kind"), "a type of the database's own is written as given")
        XCTAssertTrue(sql.contains("pg_catalog.to_regprocedure('\"public\".\"set_tenant_context\"(uuid)')"), sql)
        XCTAssertTrue(sql.contains("REVOKE ALL ON FUNCTION %s FROM PUBLIC, \"analytics_app\""), sql)
    }

    func testLegacyFunctionsAndTypesAreChecked() {
        let bad = adopted
            .replacingOccurrences(of: "public.enable_admin_mode(), action: revoke", with: "public.enable_admin_mode(), action: replace")
            .replacingOccurrences(of: "raw.event_kind", with: "eventkind")
        let all = messages(bad).joined(separator: "\n")
        XCTAssertTrue(all.contains("8: legacy function 'public.enable_admin_mode()': replace makes a shim that sets the tenant from its one argument; this one takes 0"), all)
        XCTAssertTrue(all.contains("unsupported type 'eventkind'"), all)
        let helperClash = adopted.replacingOccurrences(of: "setting: app.current_tenant_id}", with: "setting: app.current_tenant_id, helper_schema: public}")
        XCTAssertTrue(messages(helperClash).joined().contains("is in tenantwall's helper schema 'public', where tenantwall's own set_tenant_context lives"))
        let noAction = adopted.replacingOccurrences(of: ", action: revoke}", with: "}")
        XCTAssertTrue(messages(noAction).joined().contains("legacy function 'public.enable_admin_mode()' needs an 'action' (one of: replace, revoke, keep)"))
        let membersWithoutAdmin = adopted.replacingOccurrences(of: "  owner_access: all", with: "  owner_access: all\n  admin_members: [ingest]")
        XCTAssertTrue(messages(membersWithoutAdmin).joined().contains("roles.admin_members needs roles.admin"))
    }
}
