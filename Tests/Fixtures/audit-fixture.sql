-- A database written by hand with one instance of every catalog rule's problem, for `tenantwall audit`.
-- Each object is named for the rule it exercises (t101 → TW101, …); `good` has none.
CREATE ROLE fx_owner NOLOGIN;
CREATE ROLE fx_app NOLOGIN;
CREATE ROLE fx_bad_app NOLOGIN BYPASSRLS;                                    -- TW112
CREATE SCHEMA fx AUTHORIZATION fx_owner;
GRANT USAGE ON SCHEMA fx TO fx_app;
SET search_path = fx, public;

CREATE FUNCTION fx.make_table(name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE fx.%I (tenant_id uuid NOT NULL, id int, a int)', name);
    EXECUTE format('ALTER TABLE fx.%I OWNER TO fx_owner', name);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON fx.%I TO fx_app', name);
    EXECUTE format('CREATE INDEX ON fx.%I (tenant_id)', name);
END $$;
CREATE FUNCTION fx.protect(name text, predicate text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE fx.%I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', name);
    EXECUTE format('CREATE POLICY p ON fx.%I TO fx_app USING (%s)', name, predicate);
END $$;

SELECT make_table(t) FROM unnest(ARRAY['good', 't101', 't102', 't103', 't104', 't105', 't106', 't107', 't108', 't109', 't110', 't111',
    't113', 't121', 't122', 't201', 't202', 't203', 't204', 't205']) AS t;
SELECT protect(t, 'tenant_id = (SELECT NULLIF(current_setting(''app.tenant'', true), '''')::uuid)')
FROM unnest(ARRAY['good', 't104', 't113', 't121', 't122', 't203', 't204', 't205']) AS t;

-- TW101: t101 has the tenant column and no RLS.
-- TW102: policies but RLS disabled.
CREATE POLICY p ON t102 TO fx_app USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant', true), '')::uuid));
-- TW103: RLS with no policy.
ALTER TABLE t103 ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
-- TW104: enabled, not forced.
ALTER TABLE t104 NO FORCE ROW LEVEL SECURITY;
-- TW105: a permissive policy for PUBLIC.
ALTER TABLE t105 ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY p ON t105 USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant', true), '')::uuid));
-- TW106: an OR true branch.
SELECT protect('t106', 'tenant_id = (SELECT NULLIF(current_setting(''app.tenant'', true), '''')::uuid) OR true');
-- TW107: an INSERT path that does not look at the row.
ALTER TABLE t107 ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY p ON t107 FOR SELECT TO fx_app USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant', true), '')::uuid));
CREATE POLICY ins ON t107 FOR INSERT TO fx_app WITH CHECK (current_user IS NOT NULL);
-- TW108: fail-open when the context is missing.
SELECT protect('t108', '(SELECT current_setting(''app.tenant'', true)) IS NULL OR tenant_id = (SELECT NULLIF(current_setting(''app.tenant'', true), '''')::uuid)');
-- TW109 and TW201: current_setting without missing_ok, cast without NULLIF, called per row.
SELECT protect('t109', 'tenant_id = current_setting(''app.tenant'')::uuid');
-- TW110: a predicate that never looks at the row.
SELECT protect('t110', 'current_user = ''fx_app''');
-- TW111: a hard-coded tenant.
SELECT protect('t111', 'tenant_id = ''00000000-0000-4000-8000-000000000001''::uuid');
-- TW113: the application owns the table.
ALTER TABLE t113 OWNER TO fx_app;
-- TW114 and TW115: a view without security_invoker, a materialized view.
CREATE VIEW v114 AS SELECT tenant_id, a FROM good;
GRANT SELECT ON v114 TO fx_app;
CREATE MATERIALIZED VIEW m115 AS SELECT tenant_id, a FROM good;
GRANT SELECT ON m115 TO fx_app;
-- TW116: SECURITY DEFINER without search_path (not executable by anyone else).
CREATE FUNCTION f116() RETURNS int LANGUAGE sql SECURITY DEFINER AS $$ SELECT 1 $$;
REVOKE ALL ON FUNCTION f116() FROM PUBLIC;
-- TW117: SECURITY DEFINER, search_path pinned, but executable by the application.
CREATE FUNCTION f117() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$ SELECT 1 $$;
REVOKE ALL ON FUNCTION f117() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION f117() TO fx_app;
-- TW118: LEAKPROOF.
CREATE FUNCTION f118(int) RETURNS bool LANGUAGE sql IMMUTABLE LEAKPROOF AS $$ SELECT $1 > 0 $$;
-- TW119: a trigger whose SECURITY DEFINER function belongs to a superuser.
CREATE FUNCTION f119() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$ BEGIN RETURN NEW; END $$;
REVOKE ALL ON FUNCTION f119() FROM PUBLIC;
CREATE TRIGGER tr119 BEFORE INSERT ON good FOR EACH ROW EXECUTE FUNCTION f119();
-- TW120: a partition the application reads directly.
CREATE TABLE p120 (tenant_id uuid NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
ALTER TABLE p120 OWNER TO fx_owner;
CREATE INDEX ON p120 (tenant_id);
SELECT protect('p120', 'tenant_id = (SELECT NULLIF(current_setting(''app.tenant'', true), '''')::uuid)');
GRANT SELECT ON p120 TO fx_app;
CREATE TABLE p120_a PARTITION OF p120 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
GRANT SELECT ON p120_a TO fx_app;
-- TW121: TRUNCATE granted. TW122: SELECT granted to PUBLIC.
GRANT TRUNCATE ON t121 TO fx_app;
GRANT SELECT ON t122 TO PUBLIC;
-- TW201: a context call per row (safe cast, but not wrapped).
SELECT protect('t201', 'tenant_id = NULLIF(current_setting(''app.tenant'', true), '''')::uuid');
-- TW202: a VOLATILE helper in a policy.
CREATE FUNCTION fx.tenant202() RETURNS uuid LANGUAGE plpgsql AS $$ BEGIN RETURN NULLIF(current_setting('app.tenant', true), '')::uuid; END $$;
SELECT protect('t202', 'tenant_id = (SELECT fx.tenant202())');
-- TW203: no index leads with the policy column.
DROP INDEX t203_tenant_id_idx;
-- TW204: two permissive SELECT policies for the application.
CREATE POLICY p2 ON t204 FOR SELECT TO fx_app USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant', true), '')::uuid));
-- TW205: a duplicate index.
CREATE INDEX t205_again ON t205 (tenant_id);
-- TW124: a policy that trusts a setting compared with a constant (also a per-row context call: TW201), and one
-- that does so inside a function it calls.
SELECT make_table(t) FROM unnest(ARRAY['t124', 't124b', 't126', 't127', 't128', 't130', 't131']) AS t;
SELECT protect('t124', 'tenant_id = (SELECT NULLIF(current_setting(''app.tenant'', true), '''')::uuid) OR current_setting(''app.admin_mode'', true) = ''on''');
CREATE FUNCTION fx.admin124() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT current_setting('app.admin_mode', true) = 'on' $$;
SELECT protect('t124b', 'tenant_id = (SELECT NULLIF(current_setting(''app.tenant'', true), '''')::uuid) OR (SELECT fx.admin124())');
-- TW125: a setter the application can call that keeps the tenant for the whole session.
CREATE FUNCTION fx.set_tenant125(t text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM set_config('app.tenant', t, false); END $$;
-- TW126: a policy calls an IMMUTABLE function that reads a setting.
CREATE FUNCTION fx.tenant126() RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT NULLIF(current_setting('app.tenant', true), '')::uuid $$;
SELECT protect('t126', 'tenant_id = (SELECT fx.tenant126())');
-- TW127: a unique key without the tenant column. TW128: a foreign key into it without the tenant column.
SELECT protect(t, 'tenant_id = (SELECT NULLIF(current_setting(''app.tenant'', true), '''')::uuid)') FROM unnest(ARRAY['t127', 't128']) AS t;
CREATE UNIQUE INDEX t127_id ON t127 (id);
ALTER TABLE t128 ADD CONSTRAINT t128_id_fkey FOREIGN KEY (id) REFERENCES t127 (id);
-- TW129: tables fx_owner creates in fx are granted to the application by default.
ALTER DEFAULT PRIVILEGES FOR ROLE fx_owner IN SCHEMA fx GRANT SELECT ON TABLES TO fx_app;
-- TW130: the application can SET ROLE to the owner of t130 (RLS enabled, not forced: TW104 too).
CREATE ROLE fx_owner130 NOLOGIN;
ALTER TABLE t130 OWNER TO fx_owner130;
ALTER TABLE t130 ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON t130 TO fx_app USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant', true), '')::uuid));
GRANT fx_owner130 TO fx_app;
-- TW131: a policy looks up memberships in a table without RLS that the application can write.
CREATE TABLE fx.m131 (org uuid, member name);
ALTER TABLE fx.m131 OWNER TO fx_owner;
GRANT SELECT, INSERT ON fx.m131 TO fx_app;
ALTER TABLE t131 ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY p131 ON t131 TO fx_app USING (tenant_id IN (SELECT m.org FROM fx.m131 AS m WHERE m.member = current_user));
-- TW136: the tenants table: t136_child's tenant_id references it, it has no RLS, and the application reads it.
CREATE TABLE fx.t136 (id uuid PRIMARY KEY, name text NOT NULL);
ALTER TABLE fx.t136 OWNER TO fx_owner;
GRANT SELECT ON fx.t136 TO fx_app;
SELECT make_table('t136_child');
SELECT protect('t136_child', 'tenant_id = (SELECT NULLIF(current_setting(''app.tenant'', true), '''')::uuid)');
ALTER TABLE t136_child ADD CONSTRAINT t136_child_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES t136 (id);
DROP FUNCTION fx.make_table(text);
DROP FUNCTION fx.protect(text, text);
RESET search_path;
