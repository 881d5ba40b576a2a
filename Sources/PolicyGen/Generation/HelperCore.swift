import Foundation
import Quoting

/// The tenant-agnostic helper functions: the same text is the inline form for managed services (with
/// `@extschema@` replaced) and the first part of the `tenantwall` extension's install script
/// (`sql/tenantwall--0.2.0.sql`), whose `native` part then replaces the per-statement functions with the C ones
/// in `sql/tenantwall.c` (the upgrade script from 0.1.0 is that part alone).
///
/// Why each choice:
/// - Context readers are `LANGUAGE sql STABLE PARALLEL SAFE` with no `SET` clause, so the planner may inline
///   them and a policy's `(SELECT …)` wrapper runs them once per statement as an InitPlan. Every name in
///   them is schema-qualified instead, so a caller's `search_path` cannot redirect them.
/// - Readers return NULL for an unset or empty context: no error, no row. A malformed value, which only a
///   hand-typed `SET` can produce, fails the statement with 22P02 (measured: validating it with a regular
///   expression instead cost about 20% of point-lookup throughput).
/// - Admin mode is a token that only `enable_admin_mode()` can mint: it inserts a row into
///   `admin_mode_log` (who, when, which backend, why) and sets the token transaction-locally. A token counts
///   only for the same role, backend and transaction, so typing a `SET` grants nothing, and EXECUTE on
///   `enable_admin_mode()` is granted to the admin role alone.
/// - Partitions and chunks are reached through their parent; `secure_partition()` forces RLS with no policy on
///   a partition and revokes direct grants, so naming one directly returns nothing; `secure_chunk()` does what
///   TimescaleDB allows on a chunk (RLS enabled, not forced) behind the chunk schema and column-level grants.
public enum HelperCore {
    public static let version = "0.6.0"
    /// The extension versions a database may be on that `ALTER EXTENSION … UPDATE` brings to `version`.
    public static let previousVersions = ["0.1.0", "0.2.0", "0.3.0", "0.4.0", "0.5.0"]
    public static let adminTokenSetting = "tenantwall.admin_token"

    /// `ensure_partitions()`, changed in 0.3.0 (it adopts the partitions a table already has): the upgrade from
    /// 0.2.0 is this routine alone.
    public static let ensurePartitions: String = #"""
-- Native range partitions: the current period, `premake` periods ahead, and a default partition. Partitions the
-- table already has, whatever their names (made by hand, by a scheduler, by an older tool), are kept: a period
-- that overlaps one is left to it (42P17), and so is a period whose rows already sit in the default partition
-- (23514), each said in a NOTICE; a default partition is added only when the table has none.
CREATE OR REPLACE FUNCTION @extschema@.ensure_partitions(parent regclass, step interval, premake integer) RETURNS integer
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    unit text := CASE WHEN step >= interval '1 year' THEN 'year' WHEN step >= interval '1 month' THEN 'month'
                      WHEN step >= interval '7 days' THEN 'week' WHEN step >= interval '1 day' THEN 'day' ELSE 'hour' END;
    label text := CASE unit WHEN 'year' THEN 'YYYY' WHEN 'month' THEN 'YYYYMM' WHEN 'hour' THEN 'YYYYMMDD"h"HH24'
                            ELSE 'YYYYMMDD' END;
    low timestamp := date_trunc(unit, now() AT TIME ZONE 'UTC');
    high timestamp;
    nsp name;
    base text;
    part text;
    made integer := 0;
BEGIN
    SELECT n.nspname, c.relname INTO nsp, base FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
    WHERE c.oid = parent;
    -- Partition names must fit in 63 bytes (not characters), or the server truncates them silently.
    WHILE octet_length(base) > 48 LOOP
        base := left(base, -1);
    END LOOP;
    FOR i IN 0..premake LOOP
        high := low + step;
        part := base || '_p' || to_char(low, label);
        IF to_regclass(format('%I.%I', nsp, part)) IS NULL THEN
            BEGIN
                EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', nsp, part, parent,
                               to_char(low, 'YYYY-MM-DD HH24:MI:SS') || '+00', to_char(high, 'YYYY-MM-DD HH24:MI:SS') || '+00');
                PERFORM @extschema@.secure_partition(format('%I.%I', nsp, part)::regclass);
                made := made + 1;
            EXCEPTION
                WHEN invalid_object_definition THEN
                    RAISE NOTICE 'tenantwall: % keeps its own partition for % to %: %', parent, low, high, SQLERRM;
                WHEN check_violation THEN
                    RAISE NOTICE 'tenantwall: % holds rows for % to % in its default partition: %', parent, low, high, SQLERRM;
            END;
        END IF;
        low := high;
    END LOOP;
    IF NOT EXISTS (SELECT 1 FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
                   WHERE i.inhparent = parent AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT') THEN
        part := base || '_default';
        EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s DEFAULT', nsp, part, parent);
        PERFORM @extschema@.secure_partition(format('%I.%I', nsp, part)::regclass);
        made := made + 1;
    END IF;
    RETURN made;
END
$$;
"""#

    public static let script: String = #"""
-- Admin mode audit log: one row per enable_admin_mode() call.
CREATE TABLE IF NOT EXISTS @extschema@.admin_mode_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid() UNIQUE,
    actor name NOT NULL DEFAULT CURRENT_USER,
    session_role name NOT NULL DEFAULT SESSION_USER,
    backend_pid integer NOT NULL DEFAULT pg_catalog.pg_backend_pid(),
    enabled_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    reason text
);
ALTER TABLE @extschema@.admin_mode_log ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE @extschema@.admin_mode_log FROM PUBLIC;

-- Context readers: NULL when the setting is unset or empty. A malformed value (only a hand-typed SET can make
-- one: the typed setters cannot) raises 22P02, which names nothing but that value: the statement fails closed.
-- No validation beyond the cast: a regular expression here cost about a fifth of a point lookup's throughput.
CREATE OR REPLACE FUNCTION @extschema@.context_uuid(setting text) RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(pg_catalog.current_setting(setting, true), '')::pg_catalog.uuid $$;

CREATE OR REPLACE FUNCTION @extschema@.context_bigint(setting text) RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(pg_catalog.current_setting(setting, true), '')::pg_catalog.int8 $$;

CREATE OR REPLACE FUNCTION @extschema@.context_integer(setting text) RETURNS integer
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(pg_catalog.current_setting(setting, true), '')::pg_catalog.int4 $$;

CREATE OR REPLACE FUNCTION @extschema@.context_text(setting text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(pg_catalog.current_setting(setting, true), '') $$;

-- Context writers: refuse an empty tenant, so a bug cannot set "no tenant" by accident. They run on every
-- request: set_config is an assignment (a simple expression plpgsql evaluates itself), not PERFORM, which runs
-- a query through SPI (2.8 -> 2.0 us per call, measured in a server-side loop). One function per scope, so
-- that only the spec's scope is reachable: set_context is transaction-local and open to everyone (a context
-- that ends with the transaction cannot leak into the next client of a pooled connection);
-- set_context_session is executable only by the roles of a spec that chose `scope: session`.
DROP FUNCTION IF EXISTS @extschema@.set_context(text, text, boolean);
CREATE OR REPLACE FUNCTION @extschema@.set_context(setting text, value text) RETURNS void
    LANGUAGE plpgsql VOLATILE
    AS $$
DECLARE
    ignored text;
BEGIN
    IF COALESCE(value, '') OPERATOR(pg_catalog.=) '' THEN
        RAISE EXCEPTION 'tenantwall: a tenant id is required' USING ERRCODE = '22004',
            HINT = 'call clear_tenant_context() to clear the context';
    END IF;
    ignored := pg_catalog.set_config(setting, value, true);
END
$$;

-- The session-scoped writer checks the value the same way (set_context raises on an empty one), then makes the
-- context outlive the transaction.
CREATE OR REPLACE FUNCTION @extschema@.set_context_session(setting text, value text) RETURNS void
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.set_context(setting, value); SELECT pg_catalog.set_config(setting, value, false) $$;
REVOKE ALL ON FUNCTION @extschema@.set_context_session(text, text) FROM PUBLIC;

-- Admin mode.
CREATE OR REPLACE FUNCTION @extschema@.enable_admin_mode(reason text DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql VOLATILE
    AS $$
DECLARE
    granted uuid;
BEGIN
    INSERT INTO @extschema@.admin_mode_log (reason) VALUES (enable_admin_mode.reason) RETURNING token INTO granted;
    PERFORM pg_catalog.set_config('tenantwall.admin_token', granted::text, true);
END
$$;
REVOKE ALL ON FUNCTION @extschema@.enable_admin_mode(text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION @extschema@.disable_admin_mode() RETURNS void
    LANGUAGE sql VOLATILE
    AS $$ SELECT pg_catalog.set_config('tenantwall.admin_token', '', true) $$;

CREATE OR REPLACE FUNCTION @extschema@.admin_mode_enabled() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL RESTRICTED
    AS $$ SELECT EXISTS (
        SELECT 1 FROM @extschema@.admin_mode_log AS l
        WHERE l.token OPERATOR(pg_catalog.=) @extschema@.context_uuid('tenantwall.admin_token')
          AND l.actor OPERATOR(pg_catalog.=) CURRENT_USER
          AND l.backend_pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid()
          AND l.enabled_at OPERATOR(pg_catalog.=) pg_catalog.now()) $$;

-- Partitions and chunks: RLS forced with no policy, direct grants revoked.
-- Every privilege on a relation that is not its owner's, revoked: partitions and chunks are reached through
-- their parent only.
CREATE OR REPLACE FUNCTION @extschema@.revoke_direct_grants(rel regclass) RETURNS void
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END
        FROM pg_class AS c CROSS JOIN LATERAL aclexplode(c.relacl) AS a LEFT JOIN pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = rel AND a.grantee <> c.relowner
    LOOP
        EXECUTE format('REVOKE ALL ON TABLE %s FROM %s', rel, grantee);
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.secure_partition(part regclass) RETURNS void
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', part);
    PERFORM @extschema@.revoke_direct_grants(part);
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.secure_partitions(parent regclass) RETURNS integer
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    part regclass;
    secured integer := 0;
BEGIN
    FOR part IN SELECT t.relid FROM pg_partition_tree(parent) AS t WHERE t.relid <> parent AND t.isleaf IS NOT NULL
    LOOP
        PERFORM @extschema@.secure_partition(part);
        secured := secured + 1;
    END LOOP;
    RETURN secured;
END
$$;

-- Event trigger body: secures partitions of RLS tables as they are created or attached.
CREATE OR REPLACE FUNCTION @extschema@.secure_new_partitions() RETURNS event_trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    part regclass;
BEGIN
    FOR part IN
        SELECT DISTINCT t.relid
        FROM pg_event_trigger_ddl_commands() AS d
        CROSS JOIN LATERAL pg_partition_tree(d.objid::regclass) AS t
        JOIN pg_class AS c ON c.oid = t.relid
        WHERE d.classid = 'pg_class'::regclass AND d.objsubid = 0 AND c.relkind IN ('r', 'p')
          AND c.relispartition AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
          AND EXISTS (SELECT 1 FROM pg_partition_ancestors(t.relid) AS a JOIN pg_class AS p ON p.oid = a.relid
                      WHERE a.relid <> t.relid AND p.relrowsecurity)
    LOOP
        PERFORM @extschema@.secure_partition(part);
    END LOOP;
END
$$;

\#(ensurePartitions)
-- TimescaleDB chunks: the first walls are the chunk schema and column-level grants (a new chunk copies the
-- hypertable's table-level ACL, which holds no access role). This is the second: RLS enabled with no policy,
-- and direct grants (copied from an older ACL, or made by hand) revoked. TimescaleDB refuses FORCE on a chunk
-- (0A000); without it only the chunk's owner, never an application role, reads it directly.
CREATE OR REPLACE FUNCTION @extschema@.secure_chunk(chunk regclass) RETURNS void
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NOT (SELECT c.relrowsecurity FROM pg_class AS c WHERE c.oid = chunk) THEN
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', chunk);
    END IF;
    PERFORM @extschema@.revoke_direct_grants(chunk);
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.secure_chunks(hypertable regclass) RETURNS integer
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tsdb name := (SELECT e.extnamespace::regnamespace::name FROM pg_extension AS e WHERE e.extname = 'timescaledb');
    chunk regclass;
    secured integer := 0;
BEGIN
    IF tsdb IS NULL THEN
        RETURN 0;
    END IF;
    FOR chunk IN EXECUTE format('SELECT c FROM %I.show_chunks($1) AS c', tsdb) USING hypertable
    LOOP
        PERFORM @extschema@.secure_chunk(chunk);
        secured := secured + 1;
    END LOOP;
    RETURN secured;
END
$$;

-- A TimescaleDB job body, the safety net: enables RLS on chunks created since the last run (already closed by
-- the chunk schema and the grants) and revokes grants made on chunks by hand.
CREATE OR REPLACE PROCEDURE @extschema@.secure_chunks_job(job_id integer, config jsonb)
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    hypertable regclass;
BEGIN
    FOR hypertable IN
        SELECT format('%I.%I', h.hypertable_schema, h.hypertable_name)::regclass
        FROM timescaledb_information.hypertables AS h
        JOIN pg_class AS c ON c.oid = format('%I.%I', h.hypertable_schema, h.hypertable_name)::regclass
        WHERE c.relrowsecurity
    LOOP
        PERFORM @extschema@.secure_chunks(hypertable);
    END LOOP;
END
$$;

-- Only the owner or migration role manages partitions.
REVOKE ALL ON FUNCTION @extschema@.revoke_direct_grants(regclass) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.secure_partition(regclass) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.secure_partitions(regclass) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.secure_new_partitions() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.ensure_partitions(regclass, interval, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.secure_chunk(regclass) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.secure_chunks(regclass) FROM PUBLIC;
REVOKE ALL ON PROCEDURE @extschema@.secure_chunks_job(integer, jsonb) FROM PUBLIC;
"""#

    /// The names of the routines a script defines.
    public static func routines(in script: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #"CREATE OR REPLACE (?:FUNCTION|PROCEDURE) @extschema@\.([a-z_0-9]+)\("#)
        let matches = pattern.matches(in: script, range: NSRange(script.startIndex..., in: script))
        return uniqued(matches.compactMap { Range($0.range(at: 1), in: script).map { String(script[$0]) } })
    }

    /// The core's routines: what an inline install leaves in the helper schema as plain objects.
    public static let coreRoutines = routines(in: script)
    /// The routines only the extension has (the signed binding's verifier and readers, the by-name reader).
    public static let nativeOnlyRoutines = routines(in: native + signedNative + typedSetters + heldContext).filter { !coreRoutines.contains($0) }

    /// The core with the helper schema filled in, as the inline form uses it.
    public static func inline(schema: String) -> String {
        script.replacingOccurrences(of: "@extschema@", with: SQL.ident(schema))
    }

    /// The extension's install script, as written to `sql/`: the core, then the native functions over it.
    public static var extensionScript: String {
        "-- tenantwall \(version): tenant context and admin-mode helpers for row-level security.\n"
            + "-- Generated from PolicyGen's HelperCore; `swift run tenantwall extension-sql` rewrites it.\n"
            + "\\echo Use \"CREATE EXTENSION tenantwall\" to load this file. \\quit\n\n"
            + script + "\n" + native + signedNative + typedSetters + heldContext
    }

    /// The upgrade scripts, oldest first, each as written to `sql/tenantwall--FROM--TO.sql`: 0.1.0 to 0.2.0 adds
    /// the native functions (0.1.0's core was 0.2.0's), 0.2.0 to 0.3.0 replaces `ensure_partitions()`, 0.3.0 to
    /// 0.4.0 adds the signed binding's cached setter and its keys trigger, 0.4.0 to 0.5.0 the typed setters, 0.5.0
    /// to 0.6.0 the held context.
    public static var upgradeScripts: [(from: String, to: String, script: String)] {
        func header(_ from: String, _ to: String, _ what: String) -> String {
            "-- tenantwall \(from) -> \(to): \(what).\n"
                + "-- Generated from PolicyGen's HelperCore; `swift run tenantwall extension-sql --upgrade-from \(from)` rewrites it.\n"
                + "\\echo Use \"ALTER EXTENSION tenantwall UPDATE\" to load this file. \\quit\n\n"
        }
        return [
            ("0.1.0", "0.2.0", header("0.1.0", "0.2.0", "the native (C) fast path") + native),
            ("0.2.0", "0.3.0", header("0.2.0", "0.3.0", "ensure_partitions() keeps the partitions a table already has") + ensurePartitions),
            ("0.3.0", "0.4.0", header("0.3.0", "0.4.0", "the signed binding verified in C with the keys cached per backend") + signedNative),
            ("0.4.0", "0.5.0", header("0.4.0", "0.5.0", "typed setters: the tenant set without a cast to text or a parse back") + typedSetters),
            ("0.5.0", version, header("0.5.0", version, "the held context: the tenant held in the backend, shown through its setting") + heldContext),
        ]
    }

    /// The extension's native part (sql/tenantwall.c says how each works): context readers and the setter in
    /// C, same names and signatures as the SQL ones they replace, so every wrapper keeps working; and the
    /// signed binding's verifier and readers, which have no SQL twin here (the inline signed binding verifies
    /// in plpgsql per statement, `SignedContextStatements`).
    public static let native: String = #"""
-- Native context readers: the setting is parsed once, when it is set, not on every call. Called directly in a
-- policy (no sub-select), the reader is an index condition evaluated once per scan.
CREATE OR REPLACE FUNCTION @extschema@.context_uuid(setting text) RETURNS uuid
    LANGUAGE c STABLE PARALLEL SAFE STRICT AS 'MODULE_PATHNAME', 'tw_context_uuid';
CREATE OR REPLACE FUNCTION @extschema@.context_bigint(setting text) RETURNS bigint
    LANGUAGE c STABLE PARALLEL SAFE STRICT AS 'MODULE_PATHNAME', 'tw_context_bigint';
CREATE OR REPLACE FUNCTION @extschema@.context_integer(setting text) RETURNS integer
    LANGUAGE c STABLE PARALLEL SAFE STRICT AS 'MODULE_PATHNAME', 'tw_context_integer';
CREATE OR REPLACE FUNCTION @extschema@.context_uuid_by_name(setting text) RETURNS uuid
    LANGUAGE c STABLE PARALLEL SAFE STRICT AS 'MODULE_PATHNAME', 'tw_context_uuid_by_name';
COMMENT ON FUNCTION @extschema@.context_uuid_by_name(text) IS
    'context_uuid by the route parallel workers take: the setting read by name, each new value parsed once';
CREATE OR REPLACE FUNCTION @extschema@.context_text(setting text) RETURNS text
    LANGUAGE c STABLE PARALLEL SAFE STRICT AS 'MODULE_PATHNAME', 'tw_context_text';

-- The native transaction-local setter: the same checks as the plpgsql one, without its interpreter.
CREATE OR REPLACE FUNCTION @extschema@.set_context(setting text, value text) RETURNS void
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'tw_set_context';

-- The signed binding: a token verified once per transaction; the tenant kept in a superuser-only setting.
-- verify_token takes the keys as an argument, so only a SECURITY DEFINER wrapper that reads them may call it.
CREATE OR REPLACE FUNCTION @extschema@.verify_token(token text, keys bytea[], claim text[], session boolean)
    RETURNS boolean LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'tw_verify_token';
REVOKE ALL ON FUNCTION @extschema@.verify_token(text, bytea[], text[], boolean) FROM PUBLIC;
CREATE OR REPLACE FUNCTION @extschema@.clear_verified() RETURNS void
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'tw_clear_verified';
CREATE OR REPLACE FUNCTION @extschema@.verified_uuid() RETURNS uuid
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'tw_verified_uuid';
CREATE OR REPLACE FUNCTION @extschema@.verified_bigint() RETURNS bigint
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'tw_verified_bigint';
CREATE OR REPLACE FUNCTION @extschema@.verified_integer() RETURNS integer
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'tw_verified_integer';
CREATE OR REPLACE FUNCTION @extschema@.verified_text() RETURNS text
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'tw_verified_text';

"""#
}
