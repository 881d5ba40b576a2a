-- pg_regress tests for the tenantwall extension: context readers fail closed, admin mode needs membership.
CREATE SCHEMA tw;
CREATE EXTENSION tenantwall WITH SCHEMA tw;
SELECT extversion FROM pg_extension WHERE extname = 'tenantwall';

-- Unset and empty contexts read as NULL; a malformed one fails the statement (22P02) and reveals nothing else.
SELECT tw.context_uuid('app.tenant') IS NULL AS unset_is_null;
SET app.tenant = '';
SELECT tw.context_uuid('app.tenant') IS NULL AS empty_is_null, tw.context_text('app.tenant') IS NULL AS empty_text_is_null;
SET app.tenant = 'not-a-uuid''; DROP TABLE x; --';
SELECT tw.context_uuid('app.tenant');
SELECT tw.context_bigint('app.tenant');
SET app.tenant = '99999999999999999999';
SELECT tw.context_integer('app.tenant');
RESET app.tenant;

-- Readers are STABLE and PARALLEL SAFE so policies evaluate them once per statement.
SELECT proname, provolatile, proparallel, prosecdef FROM pg_proc
WHERE pronamespace = 'tw'::regnamespace AND proname LIKE 'context_%' ORDER BY proname;

-- The writer is transaction-local and refuses an empty tenant; the session-scoped one is not executable by
-- PUBLIC (a spec with scope: session grants it to its roles).
BEGIN;
SELECT tw.set_context('app.tenant', '7e4a47e0-0000-4000-8000-000000000001');
SELECT tw.context_uuid('app.tenant');
COMMIT;
SELECT tw.context_uuid('app.tenant') IS NULL AS gone_after_commit;
SELECT tw.set_context('app.tenant', '');
SELECT has_function_privilege('public', 'tw.set_context_session(text, text)', 'EXECUTE') AS public_can_set_a_session_context;

-- The typed setters (0.5.0) set exactly the text set_context would, transaction-locally, read back by every
-- reader (the typed form they hand over matches the text), and refuse NULL like set_context refuses ''.
BEGIN;
SELECT tw.set_context_uuid('app.tenant', '7E4A47E0-0000-4000-8000-00000000000A');
SELECT current_setting('app.tenant') AS uuid_text, tw.context_uuid('app.tenant') AS uuid_read,
       tw.context_text('app.tenant') AS uuid_as_text;
SAVEPOINT s;
SELECT tw.set_context_bigint('app.tenant', -9223372036854775808);
SELECT current_setting('app.tenant') AS bigint_text, tw.context_bigint('app.tenant') AS bigint_read;
SELECT tw.context_integer('app.tenant');
ROLLBACK TO s;
SELECT tw.context_uuid('app.tenant') AS back_to_uuid;
SELECT tw.set_context_integer('app.tenant', 2147483647);
SELECT current_setting('app.tenant') AS integer_text, tw.context_integer('app.tenant') AS integer_read,
       tw.context_bigint('app.tenant') AS integer_as_bigint;
SET LOCAL app.tenant = '42';
SELECT tw.context_integer('app.tenant') AS set_by_hand_reads_its_own;
COMMIT;
SELECT tw.context_integer('app.tenant') IS NULL AS typed_gone_after_commit;
SELECT tw.set_context_uuid('app.tenant', NULL);
SELECT tw.set_context_bigint('app.tenant', NULL);

-- The readers read a set uuid's text as the uuid cast reads it: the canonical form by a fast path, every
-- other form (braces, no hyphens, other hyphens) by uuid_in, and what the cast refuses they refuse with it.
CREATE FUNCTION pg_temp.uuid_as_cast(t text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE reader text; cast_ text;
BEGIN
    PERFORM set_config('app.tenant', t, true);
    BEGIN reader := tw.context_uuid('app.tenant')::text; EXCEPTION WHEN OTHERS THEN reader := 'error ' || SQLSTATE; END;
    BEGIN cast_ := t::uuid::text; EXCEPTION WHEN OTHERS THEN cast_ := 'error ' || SQLSTATE; END;
    RETURN CASE WHEN reader = cast_ THEN 'same: ' || cast_ ELSE 'DIFFERENT: ' || reader || ' / ' || cast_ END;
END $$;
SELECT t, pg_temp.uuid_as_cast(t) FROM unnest(ARRAY[
    '7e4a47e0-0000-4000-8000-00000000000a', '7E4A47E0-ABCD-4EF0-8000-0000000000FF', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '{7e4a47e0-0000-4000-8000-00000000000a}', '7e4a47e000004000800000000000000a', '7e4a-47e0-0000-4000-8000-0000-0000-000a',
    '7e4a47e0-0000-4000-8000-00000000000a0', '7e4a47e0-0000-4000-8000-00000000000', '7e4a47e0-0000-4000-8000-00000000000g',
    '7e4a47e0_0000-4000-8000-00000000000a', ' 7e4a47e0-0000-4000-8000-00000000000a', '7e4a47e0-0000-4000-8000-00000000000a ',
    '7e4a47e0-0000-4000-8000-0000000000@a', '7e4a47e0-0000-4000-8000-0000000000`a']) AS t;

-- Admin mode: a forged token is not admin mode; members of a role granted EXECUTE can enable it.
CREATE ROLE tw_test_admin NOLOGIN;
CREATE ROLE tw_test_app NOLOGIN;
GRANT USAGE ON SCHEMA tw TO tw_test_admin, tw_test_app;
GRANT EXECUTE ON FUNCTION tw.enable_admin_mode(text) TO tw_test_admin;
GRANT SELECT, INSERT ON tw.admin_mode_log TO tw_test_admin;
CREATE POLICY own ON tw.admin_mode_log TO tw_test_admin
    USING (actor = current_user AND backend_pid = pg_backend_pid())
    WITH CHECK (actor = current_user AND backend_pid = pg_backend_pid());
BEGIN;
SET LOCAL ROLE tw_test_app;
SELECT tw.enable_admin_mode('should fail');
ROLLBACK;
BEGIN;
SET LOCAL ROLE tw_test_admin;
SET LOCAL tenantwall.admin_token = '00000000-0000-4000-8000-000000000001';
SELECT tw.admin_mode_enabled() AS forged_token_enabled;
SELECT tw.enable_admin_mode('regression test');
SELECT tw.admin_mode_enabled() AS enabled;
SELECT tw.disable_admin_mode();
SELECT tw.admin_mode_enabled() AS after_disable;
COMMIT;
SELECT actor, reason FROM tw.admin_mode_log;

-- Native: the hooked setting still behaves as a setting (SAVEPOINT, RESET, SET LOCAL), and the readers are C.
SELECT proname, l.lanname FROM pg_proc AS p JOIN pg_language AS l ON l.oid = p.prolang
WHERE pronamespace = 'tw'::regnamespace AND proname IN ('context_uuid', 'set_context', 'verify_token', 'verified_uuid') ORDER BY 1;
BEGIN;
SELECT tw.set_context('app.tenant', '7e4a47e0-0000-4000-8000-000000000001');
SAVEPOINT s;
SET LOCAL app.tenant = '7e4a47e0-0000-4000-8000-000000000002';
SELECT tw.context_uuid('app.tenant') AS inside_savepoint;
ROLLBACK TO SAVEPOINT s;
SELECT tw.context_uuid('app.tenant') AS after_rollback_to;
COMMIT;
SELECT tw.context_uuid('app.tenant') IS NULL AS gone_after_commit;

-- Native signed binding: tokens minted here with an all-zero HMAC key (inner and outer padded keys).
CREATE FUNCTION pg_temp.b64url(b bytea) RETURNS text LANGUAGE sql
    AS $$ SELECT rtrim(translate(replace(encode(b, 'base64'), E'\n', ''), '+/', '-_'), '=') $$;
CREATE FUNCTION pg_temp.mint(header text, payload text) RETURNS text LANGUAGE sql AS $$
    SELECT m || '.' || pg_temp.b64url(sha256(decode(repeat('5c', 64), 'hex') || sha256(decode(repeat('36', 64), 'hex') || convert_to(m, 'UTF8'))))
    FROM (SELECT pg_temp.b64url(convert_to(header, 'UTF8')) || '.' || pg_temp.b64url(convert_to(payload, 'UTF8')) AS m) AS s $$;
CREATE TEMP TABLE keys AS SELECT ARRAY[decode(repeat('36', 64) || repeat('5c', 64), 'hex')] AS k;
BEGIN;
SELECT tw.verify_token(pg_temp.mint('{"alg":"HS256"}', '{"org":{"id":42},"exp":9999999999}'), k, '{org,id}', false) AS valid FROM keys;
SELECT tw.verified_integer() AS verified, tw.verified_text() AS as_text;
SAVEPOINT s;
SELECT tw.verify_token(pg_temp.mint('{"alg":"HS256"}', '{"org":{"id":7},"exp":9999999999}'), k, '{org,id}', false) AS valid FROM keys;
SELECT tw.verified_integer() AS inside_savepoint;
ROLLBACK TO SAVEPOINT s;
SELECT tw.verified_integer() AS after_rollback_to;
SET LOCAL ROLE tw_test_app;
SELECT tw.verified_integer() IS NULL AS none_under_another_role;
RESET ROLE;
SELECT tw.verify_token(pg_temp.mint('{"alg":"HS256"}', '{"org":{"id":42},"exp":1}'), k, '{org,id}', false) AS expired FROM keys;
SELECT tw.verified_integer() IS NULL AS a_failed_check_leaves_none;
SELECT tw.verify_token(pg_temp.mint('{"alg":"none"}', '{"org":{"id":42},"exp":9999999999}'), k, '{org,id}', false) AS alg_none FROM keys;
SELECT tw.verify_token(pg_temp.mint('{"alg":"HS256"}', '{"org":{"id":42},"exp":9999999999}'), ARRAY[decode(repeat('37', 64) || repeat('5c', 64), 'hex')], '{org,id}', false) AS other_key;
SELECT tw.verify_token(pg_temp.mint('{"alg":"HS256"}', '{"org":{"id":42}}'), k, '{org,id}', false) AS no_exp FROM keys;
SELECT tw.verify_token('a.b.c', k, '{org,id}', false) AS garbage FROM keys;
COMMIT;
SELECT tw.verified_integer() IS NULL AS gone_after_commit;

-- The claims are read as jsonb would read them: a repeated key counts with its last value, a path runs
-- through objects only, keys are compared unescaped, numbers as numerics; JSON that does not parse binds none.
SELECT v.label, CASE WHEN tw.verify_token(pg_temp.mint(v.header, v.payload), k, '{org,id}', false) THEN tw.verified_text() END AS tenant
FROM keys, (VALUES
    ('a repeated path key: the last', '{"alg":"HS256"}', '{"org":{"id":7},"org":{"id":42},"exp":9999999999}'),
    ('a repeated path key without the claim', '{"alg":"HS256"}', '{"org":{"id":42},"org":{"x":1},"exp":9999999999}'),
    ('a repeated claim: the last', '{"alg":"HS256"}', '{"org":{"id":7,"id":"forty-two"},"exp":9999999999}'),
    ('an array on the path', '{"alg":"HS256"}', '{"org":[{"id":42}],"exp":9999999999}'),
    ('an object as the claim', '{"alg":"HS256"}', '{"org":{"id":{"id":42}},"exp":9999999999}'),
    ('the path below the root', '{"alg":"HS256"}', '{"x":{"org":{"id":42}},"exp":9999999999}'),
    ('an escaped key', '{"alg":"HS256"}', '{"org":{"i\u0064":42},"exp":9999999999}'),
    ('a number as numeric', '{"alg":"HS256"}', '{"exp":9999999999,"org":{"id":4.2e1}}'),
    ('exp as a string', '{"alg":"HS256"}', '{"org":{"id":42},"exp":"9999999999"}'),
    ('a repeated exp: the last', '{"alg":"HS256"}', '{"org":{"id":42},"exp":9999999999,"exp":1}'),
    ('exp with an exponent', '{"alg":"HS256"}', '{"org":{"id":42},"exp":1e10}'),
    ('exp with a fraction', '{"alg":"HS256"}', '{"org":{"id":42},"exp":9999999999.5}'),
    ('exp of 16 digits', '{"alg":"HS256"}', '{"org":{"id":42},"exp":1000000000000000}'),
    ('exp of 15 digits', '{"alg":"HS256"}', '{"org":{"id":42},"exp":100000000000000}'),
    ('exp negative', '{"alg":"HS256"}', '{"org":{"id":42},"exp":-9999999999}'),
    ('exp zero', '{"alg":"HS256"}', '{"org":{"id":42},"exp":0}'),
    ('exp past the largest double', '{"alg":"HS256"}', '{"org":{"id":42},"exp":1e400}'),
    ('a repeated alg: the last', '{"alg":"HS256","alg":"none"}', '{"org":{"id":42},"exp":9999999999}'),
    ('an escaped alg', '{"alg":"HS\u0032\u00356"}', '{"org":{"id":42},"exp":9999999999}'),
    ('a nested path key after a closed object', '{"alg":"HS256"}', '{"org":{"a":{"id":1}},"exp":9999999999}'),
    ('payload not JSON', '{"alg":"HS256"}', '{"org":{"id":42},"exp":9999999999'),
    ('payload an array', '{"alg":"HS256"}', '[{"org":{"id":42}},{"exp":9999999999}]')
) AS v(label, header, payload) ORDER BY v.label;

-- The cached setter (0.4.0): keys read from tw.signing_keys, scope and claim path from the table's trigger; a
-- change to the keys reaches this backend's cache at its next command, a retired_at is compared with now().
CREATE TABLE tw.signing_keys (id text PRIMARY KEY, inner_key bytea NOT NULL, outer_key bytea NOT NULL, retired_at timestamptz);
CREATE TEMP TABLE tokens AS SELECT pg_temp.mint('{"alg":"HS256"}', '{"org":{"id":42},"exp":9999999999}') AS good,
    pg_temp.mint('{"alg":"none"}', '{"org":{"id":42},"exp":9999999999}') AS alg_none;
SELECT tw.set_signed_context(good) FROM tokens;
CREATE TRIGGER tw_signing_keys_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tw.signing_keys
    FOR EACH STATEMENT EXECUTE FUNCTION tw.signing_keys_changed('transaction', 'org', 'id');
SELECT tw.set_signed_context(good) FROM tokens;
ALTER TABLE tw.signing_keys ENABLE ALWAYS TRIGGER tw_signing_keys_changed;
BEGIN;
SELECT tw.set_signed_context(good) FROM tokens;
SELECT tw.verified_integer() IS NULL AS no_key_yet;
INSERT INTO tw.signing_keys VALUES ('zero', decode(repeat('36', 64), 'hex'), decode(repeat('5c', 64), 'hex'));
SELECT tw.set_signed_context(good) FROM tokens;
SELECT tw.verified_integer() AS with_the_key;
SAVEPOINT s;
SELECT tw.set_signed_context(alg_none) FROM tokens;
SELECT tw.verified_integer() IS NULL AS alg_none_leaves_none;
ROLLBACK TO SAVEPOINT s;
SELECT tw.verified_integer() AS after_rollback_to;
UPDATE tw.signing_keys SET retired_at = now();
SELECT tw.set_signed_context(good) FROM tokens;
SELECT tw.verified_integer() IS NULL AS retired_now;
UPDATE tw.signing_keys SET retired_at = now() + interval '1 hour';
SELECT tw.set_signed_context(good) FROM tokens;
SELECT tw.verified_integer() AS retiring_later;
DELETE FROM tw.signing_keys;
SELECT tw.set_signed_context(good) FROM tokens;
SELECT tw.verified_integer() IS NULL AS revoked;
COMMIT;
SELECT has_function_privilege('public', 'tw.set_signed_context(text)', 'EXECUTE') AS public_can_call_the_cached_setter;
DROP TABLE tw.signing_keys;

-- Nothing an application role types writes the verified tenant.
GRANT USAGE ON SCHEMA tw TO tw_test_app;
SET ROLE tw_test_app;
SET tenantwall.verified = '1:9999999999:42';
SELECT set_config('tenantwall.verified', '1:9999999999:42', false);
ALTER ROLE tw_test_app SET tenantwall.verified = '1:9999999999:42';
SELECT tw.verify_token('x.y.z', ARRAY[]::bytea[], '{org,id}', false);
RESET ROLE;

DROP POLICY own ON tw.admin_mode_log;
REVOKE ALL ON tw.admin_mode_log FROM tw_test_admin;
REVOKE ALL ON FUNCTION tw.enable_admin_mode(text) FROM tw_test_admin;
REVOKE ALL ON SCHEMA tw FROM tw_test_admin, tw_test_app;
DROP EXTENSION tenantwall;
DROP ROLE tw_test_admin;
DROP ROLE tw_test_app;
DROP SCHEMA tw;

-- 0.1.0 (SQL only) updates to this version in place.
CREATE SCHEMA tw;
CREATE EXTENSION tenantwall WITH SCHEMA tw VERSION '0.1.0';
SELECT l.lanname AS reader_before FROM pg_proc AS p JOIN pg_language AS l ON l.oid = p.prolang WHERE p.oid = 'tw.context_uuid(text)'::regprocedure;
ALTER EXTENSION tenantwall UPDATE;
SELECT extversion, (SELECT l.lanname FROM pg_proc AS p JOIN pg_language AS l ON l.oid = p.prolang WHERE p.oid = 'tw.context_uuid(text)'::regprocedure) AS reader_after,
       to_regprocedure('tw.set_signed_context(text)') IS NOT NULL AS cached_setter,
       to_regprocedure('tw.set_context_uuid(text, uuid)') IS NOT NULL AS typed_setter,
       to_regprocedure('tw.hold_context_uuid(text, uuid)') IS NOT NULL AS held_setter
FROM pg_extension WHERE extname = 'tenantwall';
DROP EXTENSION tenantwall;
DROP SCHEMA tw;
