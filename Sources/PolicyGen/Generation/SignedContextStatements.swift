import Quoting
/// The `signed` binding: the application passes a JWT (HS256) to `set_tenant_context(token)`; every
/// statement's policies verify it once (an InitPlan) against keys the application roles cannot read, and take
/// the tenant from a claim. A forged, altered, expired or wrongly signed token gives NULL: zero rows, rejected
/// writes. Typing `SET app.current_tenant_id` does nothing: the policies never read it.
///
/// Keys live in `signing_keys` as HMAC's inner and outer padded keys (never in a migration: `tenantwall tenant
/// rotate-secret` writes them from an environment variable or a file). Several keys may be valid at once, so a
/// rotation has an overlap window (`retired_at`). The HMAC is computed with the server's own `sha256()`, so no
/// extension is needed.
struct SignedContextStatements {
    let spec: Spec

    var schema: String { spec.tenancy.helperSchema }
    func fn(_ name: String) -> String { SQL.qualified(schema, name) }

    /// The claim path as a text array literal's body: `{"app_metadata","tenant_id"}`.
    var claimPath: String { "{" + spec.tenancy.claim.split(separator: ".").map { "\"" + $0 + "\"" }.joined(separator: ",") + "}" }

    func statements() -> [Statement] {
        let t = spec.tenancy
        let keys = fn("signing_keys")
        let path = claimPath
        let verify = """
            CREATE OR REPLACE FUNCTION \(fn("verified_claims"))(token text) RETURNS jsonb
                LANGUAGE plpgsql STABLE PARALLEL UNSAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
                AS \(SQL.dollarQuoted("""

            DECLARE
                parts text[];
                header jsonb;
                payload jsonb;
                signed text;
                k record;
            BEGIN
                IF token IS NULL OR token = '' THEN
                    RETURN NULL;
                END IF;
                parts := string_to_array(token, '.');
                IF array_length(parts, 1) IS DISTINCT FROM 3 THEN
                    RETURN NULL;
                END IF;
                header := convert_from(decode(rpad(translate(parts[1], '-_', '+/'), (length(parts[1]) + 3) / 4 * 4, '='), 'base64'), 'UTF8')::jsonb;
                IF header->>'alg' IS DISTINCT FROM 'HS256' THEN
                    RETURN NULL;
                END IF;
                FOR k IN SELECT inner_key, outer_key FROM \(keys) WHERE retired_at IS NULL OR retired_at > now() LOOP
                    signed := rtrim(translate(encode(sha256(k.outer_key || sha256(k.inner_key || convert_to(parts[1] || '.' || parts[2], 'UTF8'))), 'base64'), '+/', '-_'), '=');
                    IF signed = parts[3] THEN
                        payload := convert_from(decode(rpad(translate(parts[2], '-_', '+/'), (length(parts[2]) + 3) / 4 * 4, '='), 'base64'), 'UTF8')::jsonb;
                        IF jsonb_typeof(payload->'exp') IS DISTINCT FROM 'number' OR (payload->>'exp')::numeric <= extract(epoch FROM now()) THEN
                            RETURN NULL;
                        END IF;
                        RETURN payload;
                    END IF;
                END LOOP;
                RETURN NULL;
            EXCEPTION WHEN OTHERS THEN
                RETURN NULL;
            END

            """))
            """
        return keyTable() + [
            Statement(.helpers, verify, comment: "Verifies an HS256 token: signature against every valid key, algorithm, expiry. NULL when anything is wrong."),
            Statement(.helpers, "REVOKE ALL ON FUNCTION \(fn("verified_claims"))(text) FROM PUBLIC"),
            Statement(.helpers, "GRANT EXECUTE ON FUNCTION \(fn("verified_claims"))(text) TO \(SQL.identList(uniqued(spec.roles.accessRoles)))"),
            Statement(.helpers, """
                CREATE OR REPLACE FUNCTION \(fn("current_tenant_id"))() RETURNS \(t.type.rawValue)
                    LANGUAGE sql STABLE PARALLEL UNSAFE
                    AS \(SQL.dollarQuoted(" SELECT (\(fn("verified_claims"))(pg_catalog.current_setting(\(SQL.literal(t.tokenSetting)), true)) #>> \(SQL.literal(path)))::\(t.type.rawValue) "))
                """, comment: "The tenant of the verified token's '\(t.claim)' claim, or NULL."),
            Statement(.helpers, """
                CREATE OR REPLACE FUNCTION \(fn("set_tenant_context"))(token text) RETURNS void
                    LANGUAGE sql VOLATILE
                    AS \(SQL.dollarQuoted(" SELECT \(fn(t.scope.setter))(\(SQL.literal(t.tokenSetting)), token) "))
                """, comment: "Takes the signed token, not a tenant id."),
            Statement(.helpers, """
                CREATE OR REPLACE FUNCTION \(fn("clear_tenant_context"))() RETURNS void
                    LANGUAGE sql VOLATILE
                    AS \(SQL.dollarQuoted(" SELECT pg_catalog.set_config(\(SQL.literal(t.tokenSetting)), '', false) "))
                """),
        ]
    }

    /// The signed binding on the native extension: `set_tenant_context(token)` is an inlinable SQL call of the
    /// extension's `set_signed_context`, which verifies the token in C against keys the backend caches (no plpgsql,
    /// no SPI per transaction), and the policies read the verified tenant (`verified_<type>()`), which a session
    /// can neither type nor forge. The keys table's statement trigger makes every backend read the keys again
    /// after any change (a rotated-out or revoked key fails in the next transaction of every session), and its
    /// arguments are the binding's scope and claim path: the setter takes only the token, so a caller cannot
    /// choose another claim, and nobody but the table's owner can change them.
    func nativeStatements() -> [Statement] {
        let t = spec.tenancy
        let keys = fn("signing_keys")
        let scope = t.scope == .session ? "session" : "transaction"
        let arguments = ([scope] + t.claim.split(separator: ".").map(String.init)).map { SQL.literal($0) }.joined(separator: ", ")
        let access = SQL.identList(uniqued(spec.roles.accessRoles))
        return keyTable() + [
            Statement(.helpers, "DROP FUNCTION IF EXISTS \(fn("verified_claims"))(text)", comment: "The inline binding's per-statement verifier, not used here."),
            Statement(.helpers, """
                CREATE OR REPLACE TRIGGER tw_signing_keys_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON \(keys)
                    FOR EACH STATEMENT EXECUTE FUNCTION \(fn("signing_keys_changed"))(\(arguments))
                """, comment: "Every backend reads the keys again after any change to them; the arguments are the binding's scope and the '\(t.claim)' claim path."),
            Statement(.helpers, "ALTER TABLE \(keys) ENABLE ALWAYS TRIGGER tw_signing_keys_changed",
                      comment: "Also for changes applied with session_replication_role = replica (logical replication): the setter refuses the table otherwise."),
            Statement(.helpers, """
                CREATE OR REPLACE FUNCTION \(fn("current_tenant_id"))() RETURNS \(t.type.rawValue)
                    LANGUAGE sql STABLE PARALLEL SAFE
                    AS \(SQL.dollarQuoted(" SELECT \(fn("verified_" + t.type.rawValue))() "))
                """, comment: "The tenant of the token set_tenant_context() verified in this transaction, for this role, or NULL."),
            Statement(.helpers, """
                CREATE OR REPLACE FUNCTION \(fn("set_tenant_context"))(token text) RETURNS void
                    LANGUAGE sql VOLATILE
                    AS \(SQL.dollarQuoted(" SELECT \(fn("set_signed_context"))(token) "))
                """, comment: "Verifies the token once, in C (signature against every key not retired, alg, exp, the '\(t.claim)' claim); a bad token leaves no tenant.\nSQL, not plpgsql, and not SECURITY DEFINER: the planner inlines it, and the C setter needs no privilege on the keys."),
            Statement(.helpers, "REVOKE ALL ON FUNCTION \(fn("set_tenant_context"))(text) FROM PUBLIC"),
            Statement(.helpers, "GRANT EXECUTE ON FUNCTION \(fn("set_tenant_context"))(text) TO \(access)"),
            Statement(.helpers, "GRANT EXECUTE ON FUNCTION \(fn("set_signed_context"))(text) TO \(access)"),
            Statement(.helpers, """
                CREATE OR REPLACE FUNCTION \(fn("clear_tenant_context"))() RETURNS void
                    LANGUAGE sql VOLATILE
                    AS \(SQL.dollarQuoted(" SELECT \(fn("clear_verified"))(); SELECT pg_catalog.set_config(\(SQL.literal(t.tokenSetting)), '', false) "))
                """),
        ]
    }

    /// The keys table, the same in both forms.
    func keyTable() -> [Statement] {
        let keys = fn("signing_keys")
        return [
            Statement(.helpers, """
                CREATE TABLE IF NOT EXISTS \(keys) (
                    id text PRIMARY KEY,
                    inner_key bytea NOT NULL,
                    outer_key bytea NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    retired_at timestamptz
                )
                """, comment: "Signing keys for tenant tokens: HMAC-SHA256 inner and outer padded keys, readable by the owner only.\nWritten by `tenantwall tenant rotate-secret`, never by a migration."),
            Statement(.helpers, "ALTER TABLE \(keys) ENABLE ROW LEVEL SECURITY"),
            Statement(.helpers, "REVOKE ALL ON TABLE \(keys) FROM PUBLIC"),
        ]
    }
}
