-- tenantwall 0.1.0 -> 0.2.0: the native (C) fast path.
-- Generated from PolicyGen's HelperCore; `swift run tenantwall extension-sql --upgrade-from 0.1.0` rewrites it.
\echo Use "ALTER EXTENSION tenantwall UPDATE" to load this file. \quit

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
