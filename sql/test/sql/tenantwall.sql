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

DROP POLICY own ON tw.admin_mode_log;
REVOKE ALL ON tw.admin_mode_log FROM tw_test_admin;
REVOKE ALL ON FUNCTION tw.enable_admin_mode(text) FROM tw_test_admin;
REVOKE ALL ON SCHEMA tw FROM tw_test_admin, tw_test_app;
DROP EXTENSION tenantwall;
DROP ROLE tw_test_admin;
DROP ROLE tw_test_app;
DROP SCHEMA tw;
