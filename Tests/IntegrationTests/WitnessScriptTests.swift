import Catalog
import Proof
@testable import Review
import XCTest

/// The witness script and the context recipe, without a server: the SQL a review or prove shows is written out
/// here and read as documentation; values that are not literals and contexts no statement sets are refused.
final class WitnessScriptTests: XCTestCase {
    let columns = [WitnessTable.Column(name: "tenant_id", type: "uuid", notNull: true),
                   WitnessTable.Column(name: "id", type: "bigint", notNull: true, identityAlways: true),
                   WitnessTable.Column(name: "is_public", type: "boolean", notNull: true),
                   WitnessTable.Column(name: "status", type: "ticket_status")]
    let functions = [
        ContextFunction(schema: "app", name: "current_tenant_id", identity: "app.current_tenant_id()", language: "plpgsql",
                        body: "BEGIN RETURN current_setting('app.tenant_id', true)::uuid; END", argumentTypes: []),
        ContextFunction(schema: "app", name: "set_tenant_context", identity: "app.set_tenant_context(uuid)", language: "sql",
                        body: "SELECT set_config('app.tenant_id', $1::text, true)", argumentTypes: ["uuid"]),
        ContextFunction(schema: "app", name: "admin_mode_enabled", identity: "app.admin_mode_enabled()", language: "sql",
                        body: "SELECT current_setting('app.admin', true) = 'on'", argumentTypes: []),
        ContextFunction(schema: "app", name: "enable_admin_mode", identity: "app.enable_admin_mode(text)", language: "plpgsql",
                        body: "BEGIN PERFORM set_config('app.admin', 'on', true); END", argumentTypes: ["text"]),
        ContextFunction(schema: "tenantwall", name: "context_bigint", identity: "tenantwall.context_bigint(text)", language: "c",
                        body: "tw_context_bigint", argumentTypes: ["text"]),
        ContextFunction(schema: "tenantwall", name: "current_tenant_id", identity: "tenantwall.current_tenant_id()", language: "sql",
                        body: #" SELECT "tenantwall"."context_bigint"('app.current_tenant_id') "#, argumentTypes: []),
    ]

    func testScriptForAnUpdateThroughASetterAndTheGate() throws {
        let witness = Witness(row: ["tenant_id": "'00000000-0000-0000-0000-000000000002'::uuid", "id": "7", "is_public": "true", "status": nil],
                              context: ["function:app.current_tenant_id()": "'00000000-0000-0000-0000-000000000001'::uuid",
                                        "gate:app.admin_mode_enabled": "false"])
        let script = try WitnessScript.sql(witness, role: "app_user", object: "public.tickets", command: .select, columns: columns,
                                           functions: functions, secret: Array(repeating: 7, count: 32))
        XCTAssertEqual(script, """
            BEGIN;
            SET LOCAL session_replication_role = replica;  -- foreign keys and triggers off: the row needs no parent
            INSERT INTO "public"."tickets" ("tenant_id", "id", "is_public", "status") OVERRIDING SYSTEM VALUE VALUES (CAST('00000000-0000-0000-0000-000000000002'::uuid AS uuid), CAST(7 AS bigint), CAST(true AS boolean), NULL);
            SET LOCAL ROLE "app_user";
            SELECT "app"."set_tenant_context"(CAST('00000000-0000-0000-0000-000000000001'::uuid AS uuid));
            SELECT ((SELECT "app"."current_tenant_id"()) IS NOT DISTINCT FROM '00000000-0000-0000-0000-000000000001'::uuid) AND ((SELECT "app"."admin_mode_enabled"()) IS NOT TRUE) AS context_as_witnessed;
            -- SELECT as app_user: admitted when the count is 1
            SELECT count(*) FROM "public"."tickets" WHERE "tenant_id" IS NOT DISTINCT FROM CAST('00000000-0000-0000-0000-000000000002'::uuid AS uuid) AND "id" IS NOT DISTINCT FROM CAST(7 AS bigint) AND "is_public" IS NOT DISTINCT FROM CAST(true AS boolean) AND "status" IS NULL;
            ROLLBACK;
            """)
    }

    func testNativeReaderIsSetThroughItsSettingAndPublicByAStandIn() throws {
        let witness = Witness(row: ["tenant_id": "'00000000-0000-0000-0000-000000000002'::uuid"],
                              context: ["function:tenantwall.context_bigint(text)": "1", "setting:app.other": nil, "gate:app.admin_mode_enabled": "true"])
        let script = try WitnessScript.sql(witness, role: "PUBLIC", object: "public.tickets", command: .delete, columns: columns,
                                           functions: functions, secret: Array(repeating: 7, count: 32))
        XCTAssertTrue(script.contains("SELECT pg_catalog.set_config('app.current_tenant_id', '1', true);"), script)
        XCTAssertTrue(script.contains(#"CREATE ROLE "tenantwall_witness_public" NOLOGIN"#), script)
        XCTAssertTrue(script.contains(#"SET LOCAL ROLE "tenantwall_witness_public";"#), script)
        XCTAssertTrue(script.contains(#"SELECT "app"."enable_admin_mode"('tenantwall witness'::text);"#), script)
        XCTAssertTrue(script.contains("pg_catalog.current_setting('app.other', true) IS NULL"), script)
        XCTAssertTrue(script.contains(#"((SELECT "tenantwall"."context_bigint"('app.current_tenant_id')) IS NOT DISTINCT FROM 1)"#), script)
        XCTAssertTrue(script.contains("DELETE FROM \"public\".\"tickets\" WHERE CURRENT OF tw_witness_row;"),
                      "the blind DELETE on the witness row alone, which only the DELETE policies filter: \(script)")

        let versioned = Witness(row: [:], context: ["function:app.current_tenant_id()@9f3a": "'00000000-0000-0000-0000-000000000001'::uuid"])
        let again = try WitnessScript.sql(versioned, role: "app_user", object: "public.tickets", command: .select, columns: columns,
                                          functions: functions, secret: [])
        XCTAssertTrue(again.contains(#"SELECT "app"."set_tenant_context"("#), "a body's version in the key names the same function: \(again)")
    }

    /// The role binding: `current_tenant_id()` looks the session's role up in `tenant_roles`, so no statement
    /// sets the tenant. The run makes a tenant role of its own (a member of the witness' role, mapped to the
    /// tenant, all rolled back) and acts as it; the read-back still checks the reader returns the tenant.
    func testRoleBindingActsAsATenantRoleOfItsOwn() throws {
        let reader = ContextFunction(schema: "portal", name: "current_tenant_id", identity: "portal.current_tenant_id()", language: "sql",
                                     body: #" SELECT m.tenant FROM "portal"."tenant_roles" AS m WHERE m.role_name OPERATOR(pg_catalog.=) CURRENT_USER "#,
                                     argumentTypes: [])
        let witness = Witness(row: ["tenant_id": "'00000000-0000-0000-0000-000000000002'::uuid"], context: ["function:portal.current_tenant_id()": "3"])
        let script = try WitnessScript.sql(witness, role: "portal_app", object: "public.tickets", command: .select, columns: columns,
                                           functions: [reader], secret: [])
        XCTAssertEqual(script, """
            BEGIN;
            SET LOCAL session_replication_role = replica;  -- foreign keys and triggers off: the row needs no parent
            INSERT INTO "public"."tickets" ("tenant_id") VALUES (CAST('00000000-0000-0000-0000-000000000002'::uuid AS uuid));
            DO $tw$ BEGIN CREATE ROLE "tenantwall_witness_tenant" NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $tw$;
            GRANT "portal_app" TO "tenantwall_witness_tenant";
            INSERT INTO "portal"."tenant_roles" ("role_name", "tenant") VALUES ('tenantwall_witness_tenant', 3);
            SET LOCAL ROLE "tenantwall_witness_tenant";
            SELECT ((SELECT "portal"."current_tenant_id"()) IS NOT DISTINCT FROM 3) AS context_as_witnessed;
            -- SELECT as tenantwall_witness_tenant: admitted when the count is 1
            SELECT count(*) FROM "public"."tickets" WHERE "tenant_id" IS NOT DISTINCT FROM CAST('00000000-0000-0000-0000-000000000002'::uuid AS uuid);
            ROLLBACK;
            """)
        let unbound = try WitnessScript.sql(Witness(row: [:], context: ["function:portal.current_tenant_id()": nil]), role: "portal_app",
                                            object: "public.tickets", command: .select, columns: columns, functions: [reader], secret: [])
        XCTAssertTrue(unbound.contains(#"SET LOCAL ROLE "portal_app";"#), "no tenant: the role itself, which no mapping names: \(unbound)")
        XCTAssertFalse(unbound.contains("tenant_roles"), unbound)
    }

    func testRefusesWhatIsNotALiteralAndWhatNoStatementSets() {
        for value in ["1; DROP TABLE t", "'a'::text) OR (true", "(SELECT 1)", "current_user", "'unterminated"] {
            XCTAssertNil(SQLLiteralValue(value), value)
        }
        for value in ["'x'::text", "E'a\\\\b'::text", "42", "-1.5", "true", "NULL", "'{}'::jsonb", "'a'::character varying(20)", #"'open'::"public"."ticket_status""#] {
            XCTAssertNotNil(SQLLiteralValue(value), value)
        }
        XCTAssertEqual(SQLLiteralValue("'it''s'::text")?.text, "it's")
        let unsettable: [[String: String?]] = [["opaque:{}": "1"], ["function:app.nowhere()": "1"], ["session_user": "x"]]
        for context in unsettable {
            XCTAssertThrowsError(try WitnessScript.sql(Witness(row: [:], context: context), role: "r", object: "public.tickets", command: .select,
                                                       columns: columns, functions: functions, secret: []), "\(context)")
        }
    }

    func testSignedSetterReadFromItsBody() throws {
        let setter = ContextFunction(schema: "desk", name: "set_tenant_context", identity: "desk.set_tenant_context(text)", language: "plpgsql",
                                     body: #" BEGIN PERFORM "desk"."verify_token"(token, ARRAY(SELECT k.inner_key OPERATOR(pg_catalog.||) k.outer_key FROM "desk"."signing_keys" AS k WHERE k.retired_at IS NULL ORDER BY k.id), '{"app_metadata","org_id"}'::text[], false); END "#,
                                     argumentTypes: ["text"])
        let signed = try XCTUnwrap(SignedSetter(setter))
        XCTAssertEqual(signed.keys, #""desk"."signing_keys""#)
        XCTAssertEqual(signed.claim, "app_metadata.org_id")
        let call = try signed.call(XCTUnwrap(SQLLiteralValue("'00000000-0000-0000-0000-000000000001'::uuid")), secret: Array(repeating: 1, count: 32))
        XCTAssertTrue(call.hasPrefix(#"SELECT "desk"."set_tenant_context"('eyJ"#), call)
    }

    /// Extension 0.4.0's setter: a SQL call of the C `set_signed_context`, the claim carried by the keys table's
    /// trigger, which `ContextFunction.read` puts on the C function.
    func testNativeSignedSetterTakesItsClaimFromTheKeysTrigger() throws {
        let setter = ContextFunction(schema: "desk", name: "set_tenant_context", identity: "desk.set_tenant_context(text)", language: "sql",
                                     body: #" SELECT "desk"."set_signed_context"(token) "#, argumentTypes: ["text"])
        var native = ContextFunction(schema: "desk", name: "set_signed_context", identity: "desk.set_signed_context(text)", language: "c",
                                     body: "tw_set_signed_context", argumentTypes: ["text"])
        XCTAssertNil(SignedSetter(setter, among: [setter, native]), "no trigger, no claim: not read as signed")
        native.signingClaim = "app_metadata.org_id"
        let signed = try XCTUnwrap(SignedSetter(setter, among: [setter, native]))
        XCTAssertEqual(signed.keys, #""desk"."signing_keys""#)
        XCTAssertEqual(signed.claim, "app_metadata.org_id")
    }
}
