import Quoting

/// The change trail's functions, all owned by the trail role, `search_path` pinned and every name qualified.
///
/// - `change_trail_append()`: the row trigger, SECURITY DEFINER (it runs as the trail role, the only role that may
///   insert). It records changes made by any role but the table owner, the trail role and superusers: the
///   application's roles (access roles and any login role that is a member of one) are what the trail is for, while
///   the owner's jobs and tenantwall's own audited admin steps (erasure, tenant-column backfills, run as a
///   superuser and recorded in `tenant_events`) would otherwise write every row they touch. The acting role is
///   `current_setting('role')` when a role was set, else the session user: in a SECURITY DEFINER function
///   CURRENT_USER is the definer. Entries of one tenant are serialized by a transaction-scoped advisory lock on the
///   tenant, so seq has no gaps and each entry names the previous entry's hash. Under REPEATABLE READ two writers of
///   one tenant may read the same last entry: the second fails on `UNIQUE (tenant, seq)`, never forking the chain.
/// - `change_trail_guard()`: refuses UPDATE, DELETE and TRUNCATE, except an UPDATE by the trail role while
///   `trail_redact` runs that only empties `old`/`new` and sets `redacted_at`.
/// - `trail_redact(tenant, reason)`: the audited admin step for erasure (`tenant remove --delete-data
///   --redact-trail`): empties every value of the tenant's entries and records itself in `tenant_events`. The chain
///   still verifies: hashes cover `values_hash`, not the values (`TrailHash`). Executable by superusers only.
struct TrailFunctions {
    let spec: Spec

    var names: TrailNames { TrailNames(spec: spec) }
    var tenant: String { SQL.ident(names.tenantColumn) }

    func statements() -> [Statement] {
        let owner = SQL.ident(names.role)
        return [
            Statement(.trail, append(), comment: "Appends one entry per changed row, chained per tenant (see TrailHash)."),
            Statement(.trail, "ALTER FUNCTION \(names.append)() OWNER TO \(owner)"),
            Statement(.trail, "REVOKE ALL ON FUNCTION \(names.append)() FROM PUBLIC"),
            Statement(.trail, "GRANT EXECUTE ON FUNCTION \(names.append)() TO \(SQL.ident(spec.roles.owner))",
                      comment: "A trigger function cannot be called directly; the owner's EXECUTE lets TimescaleDB put the trigger on new chunks."),
            Statement(.trail, guardFunction(), comment: "The trail is append-only: no UPDATE, DELETE or TRUNCATE, except trail_redact's."),
            Statement(.trail, "ALTER FUNCTION \(names.guardFunction)() OWNER TO \(owner)"),
            Statement(.trail, "REVOKE ALL ON FUNCTION \(names.guardFunction)() FROM PUBLIC"),
            Statement(.trail, "DROP TRIGGER IF EXISTS tw_trail_append_only ON \(names.table)"),
            Statement(.trail, "CREATE TRIGGER tw_trail_append_only BEFORE UPDATE OR DELETE ON \(names.table) FOR EACH ROW EXECUTE FUNCTION \(names.guardFunction)()"),
            Statement(.trail, "DROP TRIGGER IF EXISTS tw_trail_no_truncate ON \(names.table)"),
            Statement(.trail, "CREATE TRIGGER tw_trail_no_truncate BEFORE TRUNCATE ON \(names.table) FOR EACH STATEMENT EXECUTE FUNCTION \(names.guardFunction)()"),
            Statement(.trail, redact(), comment: "Erasure's audited step: empties a tenant's trail values, keeps the chain verifiable, records itself."),
            Statement(.trail, "ALTER FUNCTION \(names.redact)(\(names.tenantType), text) OWNER TO \(owner)"),
            Statement(.trail, "REVOKE ALL ON FUNCTION \(names.redact)(\(names.tenantType), text) FROM PUBLIC"),
            Statement(.trail, "GRANT INSERT ON TABLE \(SQL.qualified(spec.tenancy.helperSchema, "tenant_events")) TO \(owner)"),
            Statement(.trail, "GRANT USAGE ON SCHEMA \(SQL.ident(spec.tenancy.helperSchema)) TO \(owner)"),
        ]
    }

    /// Two statements a row: the lock, then one INSERT … SELECT that filters the values, reads the tenant's last
    /// entry (after the lock, so under READ COMMITTED it sees the last committed one) and hashes. The skip test is
    /// `is_superuser`, which PostgreSQL keeps for the role set with SET ROLE (a SECURITY DEFINER call does not
    /// change it), so no catalog query runs per row. `OFFSET 0` keeps the sub-selects from being pulled up: pulled
    /// up, every reference to `old`, `new` and the row key became a sub-plan of its own (auto_explain showed eight
    /// `jsonb_each` scans per row instead of three).
    func append() -> String {
        let skipped = [spec.roles.owner, names.role].map(SQL.literal).joined(separator: ", ")
        let entry = TrailHash.hash(previous: "e.prev_hash", tenantColumn: names.tenantColumn) { "e." + $0 }
        let values = TrailHash.valuesHash(old: "v.old", new: "v.new")
        func only(_ row: String, _ columns: String) -> String {
            "(SELECT pg_catalog.jsonb_object_agg(c.key, c.value) FROM pg_catalog.jsonb_each(\(row)) AS c WHERE c.key OPERATOR(pg_catalog.=) ANY (\(columns)))"
        }
        let body = """

            DECLARE
                v_acting name := CASE WHEN pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) 'none' THEN SESSION_USER
                                      ELSE pg_catalog.current_setting('role')::name END;
                v_keys text[] := TG_ARGV[3 : 2 + TG_ARGV[2]::int];
                v_columns text[] := TG_ARGV[3 + TG_ARGV[2]::int :];
                v_row jsonb;
                v_old jsonb;
                v_new jsonb;
                v_tenant \(names.tenantType);
            BEGIN
                IF v_acting OPERATOR(pg_catalog.=) ANY (ARRAY[\(skipped)]::name[])
                   OR pg_catalog.current_setting('is_superuser') OPERATOR(pg_catalog.=) 'on' THEN
                    RETURN NULL;
                END IF;
                IF TG_OP OPERATOR(pg_catalog.<>) 'INSERT' THEN v_old := pg_catalog.to_jsonb(OLD); v_row := v_old; END IF;
                IF TG_OP OPERATOR(pg_catalog.<>) 'DELETE' THEN v_new := pg_catalog.to_jsonb(NEW); v_row := v_new; END IF;
                v_tenant := (v_row OPERATOR(pg_catalog.->>) TG_ARGV[1])::\(names.tenantType);
                PERFORM pg_catalog.pg_advisory_xact_lock(\(Self.lockClass), pg_catalog.hashtext(v_tenant::text));
                INSERT INTO \(names.table) (\(tenant), seq, at, acting_role, session_role, command, table_name, row_key, old, new, values_hash, prev_hash, hash)
                SELECT e.\(tenant), e.seq, e.at, e.acting_role, e.session_role, e.command, e.table_name, e.row_key, e.old, e.new, e.values_hash, e.prev_hash,
                       \(entry)
                FROM (SELECT v_tenant AS \(tenant), COALESCE(l.seq, 0) OPERATOR(pg_catalog.+) 1 AS seq, pg_catalog.now() AS at,
                             v_acting AS acting_role, SESSION_USER AS session_role, TG_OP::text AS command, TG_ARGV[0]::text AS table_name,
                             COALESCE(\(only("v_row", "v_keys")), '{}'::jsonb) AS row_key,
                             v.old, v.new, \(values) AS values_hash, l.hash AS prev_hash
                      FROM (SELECT \(only("v_old", "v_columns")) AS old, \(only("v_new", "v_columns")) AS new OFFSET 0) AS v
                      LEFT JOIN LATERAL (SELECT t.seq, t.hash FROM \(names.table) AS t WHERE t.\(tenant) OPERATOR(pg_catalog.=) v_tenant
                                         ORDER BY t.seq DESC LIMIT 1) AS l ON true
                      OFFSET 0) AS e;
                RETURN NULL;
            END

            """
        return """
            CREATE OR REPLACE FUNCTION \(names.append)() RETURNS trigger
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
                AS \(SQL.dollarQuoted(body))
            """
    }

    /// The advisory lock class the append trigger serializes a tenant's entries with ("twct").
    static let lockClass = 1_954_014_068

    func guardFunction() -> String {
        let same = ["id", names.tenantColumn, "seq", "at", "acting_role", "session_role", "command", "table_name", "row_key", "values_hash", "prev_hash", "hash"]
            .map(SQL.ident)
        let body = """

            BEGIN
                IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' AND CURRENT_USER OPERATOR(pg_catalog.=) \(SQL.literal(names.role))
                   AND pg_catalog.current_setting(\(SQL.literal(TrailNames.redactionSetting)), true) OPERATOR(pg_catalog.=) 'on'
                   AND NEW.old IS NULL AND NEW.new IS NULL AND NEW.redacted_at IS NOT NULL
                   AND ROW(\(same.map { "NEW." + $0 }.joined(separator: ", "))) IS NOT DISTINCT FROM ROW(\(same.map { "OLD." + $0 }.joined(separator: ", "))) THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION 'tenantwall: the change trail is append-only (% refused)', TG_OP
                    USING ERRCODE = 'insufficient_privilege', HINT = 'Values are emptied only by the audited trail_redact(tenant, reason).';
            END

            """
        return """
            CREATE OR REPLACE FUNCTION \(names.guardFunction)() RETURNS trigger
                LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
                AS \(SQL.dollarQuoted(body))
            """
    }

    func redact() -> String {
        let setting = SQL.literal(TrailNames.redactionSetting)
        let body = """

            DECLARE
                v_count bigint;
            BEGIN
                IF reason IS NULL OR pg_catalog.btrim(reason) OPERATOR(pg_catalog.=) '' THEN
                    RAISE EXCEPTION 'tenantwall: trail_redact needs a reason' USING ERRCODE = 'invalid_parameter_value';
                END IF;
                PERFORM pg_catalog.set_config(\(setting), 'on', true);
                UPDATE \(names.table) AS t SET old = NULL, new = NULL, redacted_at = pg_catalog.now()
                    WHERE t.\(tenant) OPERATOR(pg_catalog.=) trail_redact.tenant AND t.redacted_at IS NULL;
                GET DIAGNOSTICS v_count = ROW_COUNT;
                PERFORM pg_catalog.set_config(\(setting), 'off', true);
                INSERT INTO \(SQL.qualified(spec.tenancy.helperSchema, "tenant_events")) (action, tenant, actor, details)
                    VALUES ('trail redacted', trail_redact.tenant::text, SESSION_USER,
                            pg_catalog.jsonb_build_object('reason', reason, 'entries', v_count));
                RETURN v_count;
            END

            """
        return """
            CREATE OR REPLACE FUNCTION \(names.redact)(tenant \(names.tenantType), reason text) RETURNS bigint
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
                AS \(SQL.dollarQuoted(body))
            """
    }
}
